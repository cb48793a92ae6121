// Finding and acting on certificates: POST /v1/certificates/search (the ID number in the body, matched by its keyed hash),
// one certificate's facts and PDF, and revocation after a confirmation that says what it means.
'use strict'
document.addEventListener('DOMContentLoaded', function () {
  const { api, say, el, newKey } = window.ceConsole
  const form = document.getElementById('search-form')
  const status = document.getElementById('search-status')
  const results = document.getElementById('search-results')
  const panel = document.getElementById('certificate')
  const dialog = document.getElementById('revoke-dialog')
  const revokeForm = document.getElementById('revoke-form')
  const revokeStatus = document.getElementById('revoke-status')
  const statusNames = { valid: '有效', revoked: '已撤销' }
  const date = function (iso) { return new Date(iso).toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai' }) }
  let open
  let lastSearch

  function show (certificate) {
    open = certificate
    const facts = [['证书编号', certificate.number], ['姓名', certificate.holderName], ['工作单位', certificate.employerName], ['年度', String(certificate.year)],
      ['总学时', String(certificate.hoursTotal)], ['发证日期', date(certificate.issuedAt)], ['状态', statusNames[certificate.status]]]
    if (certificate.revokedAt !== undefined) facts.push(['撤销日期', date(certificate.revokedAt)])
    const list = document.getElementById('certificate-facts')
    list.replaceChildren()
    for (const [term, value] of facts) { list.appendChild(el('dt', {}, term)); list.appendChild(el('dd', term === '证书编号' ? { class: 'number' } : {}, value)) }
    const pdf = document.getElementById('certificate-pdf')
    pdf.href = '/v1/certificates/' + certificate.number + '/pdf'
    pdf.setAttribute('download', certificate.number + '.pdf')
    document.getElementById('revoke-open').hidden = certificate.status !== 'valid'
    document.getElementById('certificate-title').textContent = '证书 ' + certificate.number
    panel.hidden = false
    panel.focus()
  }

  async function search (criteria) {
    lastSearch = criteria
    say(status, '正在查询……', 'busy')
    panel.hidden = true
    try {
      const found = await api('POST', '/v1/certificates/search', { json: criteria })
      const body = results.querySelector('tbody')
      body.replaceChildren()
      for (const certificate of found.certificates) {
        const tr = el('tr')
        tr.appendChild(el('td', { class: 'number' }, certificate.number))
        tr.appendChild(el('td', {}, certificate.holderName))
        tr.appendChild(el('td', { class: 'num' }, String(certificate.year)))
        tr.appendChild(el('td', { class: certificate.status === 'valid' ? 'verdict-ok' : 'verdict-bad' }, statusNames[certificate.status]))
        const action = el('td')
        const button = el('button', { type: 'button', class: 'secondary' }, '查看')
        button.setAttribute('aria-label', '查看证书 ' + certificate.number)
        button.addEventListener('click', function () { show(certificate) })
        action.appendChild(button)
        tr.appendChild(action)
        body.appendChild(tr)
      }
      results.hidden = found.certificates.length === 0
      say(status, found.certificates.length === 0 ? '未找到符合条件的证书（只能查到本单位权限范围内的证书）。' : '找到 ' + found.certificates.length + ' 本证书' + (found.truncated ? '（仅显示前 ' + found.certificates.length + ' 本，请缩小范围）' : '') + '。', found.certificates.length === 0 ? 'error' : 'ok')
      if (found.certificates.length === 1) show(found.certificates[0])
    } catch (failure) {
      results.hidden = true
      say(status, failure.message, 'error')
    }
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault()
    const criteria = {}
    for (const name of ['number', 'name', 'idNumber']) { const v = form.elements[name].value.trim(); if (v !== '') criteria[name] = v }
    search(criteria)
  })
  const asked = new URLSearchParams(window.location.search).get('number')
  if (asked !== null) { form.elements.number.value = asked; search({ number: asked }) }

  document.getElementById('revoke-open').addEventListener('click', function () {
    revokeForm.reset()
    say(revokeStatus, '', '')
    dialog.showModal()
    document.getElementById('revoke-reason').focus()
  })
  document.getElementById('revoke-cancel').addEventListener('click', function () { dialog.close() })
  revokeForm.addEventListener('submit', async function (event) {
    event.preventDefault()
    const reason = revokeForm.elements.reason.value.trim()
    if (reason === '') { say(revokeStatus, '请填写撤销原因。', 'error'); return }
    say(revokeStatus, '正在撤销……', 'busy')
    try {
      await api('POST', '/v1/certificates/' + open.number + '/revoke', { json: { reason }, headers: { 'idempotency-key': newKey() } })
      dialog.close()
      await search(lastSearch)
      status.replaceChildren(document.createTextNode('✓ 证书 ' + open.number + ' 已撤销。'), el('a', { href: '/console/issue' }, '为持证人颁发新证书'))
      status.className = 'status status-ok'
    } catch (failure) {
      say(revokeStatus, failure.message, 'error')
    }
  })
})
