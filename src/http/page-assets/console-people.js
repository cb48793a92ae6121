// The 管理员's people and keys: /v1/issuers/me/users (create, disable or enable, reset a password) and
// /v1/issuers/me/keys (create, last use, revoke). A temporary password or a new key is shown once.
'use strict'
document.addEventListener('DOMContentLoaded', function () {
  const { api, say, el } = window.ceConsole
  const usersStatus = document.getElementById('users-status')
  const keysStatus = document.getElementById('keys-status')
  const roleNames = { admin: '管理员', clerk: '经办人' }
  const userStates = { active: '在用', disabled: '已停用' }
  const keyStates = { active: '有效', expired: '已过期', revoked: '已吊销' }
  const when = function (iso) { return iso === null || iso === undefined ? '—' : new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) }

  /** A secret shown once: in the status region, selectable, never stored by the page. */
  function showOnce (region, text, secret) {
    region.replaceChildren(document.createTextNode(text), el('code', { class: 'secret' }, secret), document.createTextNode('（只显示这一次，请立即记下并当面交给本人或填入系统。）'))
    region.className = 'status status-ok'
  }

  function actionButton (label, name, handler) {
    const button = el('button', { type: 'button', class: 'secondary' }, label)
    button.setAttribute('aria-label', label + ' ' + name)
    button.addEventListener('click', handler)
    return button
  }

  async function loadUsers () {
    const users = await api('GET', '/v1/issuers/me/users')
    const body = document.querySelector('#users-table tbody')
    body.replaceChildren()
    for (const user of users) {
      const tr = el('tr')
      tr.appendChild(el('td', {}, user.username))
      tr.appendChild(el('td', {}, user.displayName))
      tr.appendChild(el('td', {}, roleNames[user.role]))
      tr.appendChild(el('td', { class: user.status === 'active' ? 'verdict-ok' : 'verdict-bad' }, userStates[user.status] + (user.mustChangePassword ? '（待改密码）' : '')))
      tr.appendChild(el('td', {}, when(user.lastSignInAt)))
      const actions = el('td', { class: 'row-actions' })
      const disabled = user.status === 'disabled'
      actions.appendChild(actionButton(disabled ? '启用' : '停用', user.username, async function () {
        try {
          await api('PATCH', '/v1/issuers/me/users/' + user.id, { json: { disabled: !disabled } })
          say(usersStatus, '✓ 已' + (disabled ? '启用 ' : '停用 ') + user.username + (disabled ? '' : '，其登录已全部结束') + '。', 'ok')
          await loadUsers()
        } catch (failure) { say(usersStatus, failure.message, 'error') }
      }))
      actions.appendChild(actionButton('重置密码', user.username, async function () {
        if (!window.confirm('重置 ' + user.username + ' 的密码？其登录将全部结束，须用临时密码重新登录并设置新密码。')) return
        try {
          const reset = await api('POST', '/v1/issuers/me/users/' + user.id + '/password-reset')
          showOnce(usersStatus, user.username + ' 的临时密码：', reset.temporaryPassword)
          await loadUsers()
        } catch (failure) { say(usersStatus, failure.message, 'error') }
      }))
      tr.appendChild(actions)
      body.appendChild(tr)
    }
  }

  async function loadKeys () {
    const keys = await api('GET', '/v1/issuers/me/keys')
    const body = document.querySelector('#keys-table tbody')
    body.replaceChildren()
    for (const key of keys) {
      const tr = el('tr')
      tr.appendChild(el('td', { class: 'num' }, String(key.keyId)))
      tr.appendChild(el('td', { class: 'number' }, key.prefix + '…'))
      tr.appendChild(el('td', { class: key.status === 'active' ? 'verdict-ok' : 'verdict-bad' }, keyStates[key.status]))
      tr.appendChild(el('td', {}, when(key.createdAt)))
      tr.appendChild(el('td', {}, key.lastUsedAt === null ? '从未使用' : when(key.lastUsedAt)))
      const actions = el('td')
      if (key.status === 'active') {
        actions.appendChild(actionButton('吊销', '密钥 ' + key.keyId, async function () {
          if (!window.confirm('吊销密钥 ' + key.prefix + '…？使用它的系统将立即无法调用接口，且不能恢复。')) return
          try {
            await api('DELETE', '/v1/issuers/me/keys/' + key.keyId)
            say(keysStatus, '✓ 密钥 ' + key.keyId + ' 已吊销。', 'ok')
            await loadKeys()
          } catch (failure) { say(keysStatus, failure.message, 'error') }
        }))
      }
      tr.appendChild(actions)
      body.appendChild(tr)
    }
  }

  const form = document.getElementById('user-form')
  form.addEventListener('submit', async function (event) {
    event.preventDefault()
    try {
      const created = await api('POST', '/v1/issuers/me/users', { json: { username: form.elements.username.value.trim(), displayName: form.elements.displayName.value.trim(), role: form.elements.role.value } })
      showOnce(usersStatus, '✓ 已新增 ' + created.user.username + '，临时密码：', created.temporaryPassword)
      form.reset()
      await loadUsers()
    } catch (failure) { say(usersStatus, failure.message, 'error') }
  })
  document.getElementById('key-create').addEventListener('click', async function () {
    try {
      const created = await api('POST', '/v1/issuers/me/keys', { json: {} })
      showOnce(keysStatus, '✓ 新密钥：', created.apiKey)
      await loadKeys()
    } catch (failure) { say(keysStatus, failure.message, 'error') }
  })
  loadUsers().catch(function (failure) { say(usersStatus, failure.message, 'error') })
  loadKeys().catch(function (failure) { say(keysStatus, failure.message, 'error') })
})
