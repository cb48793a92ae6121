// The audit trail of the authority's area: GET /v1/audit filtered by area, dates and event, paged on screen; the export
// reads every page of the same filter and writes it as CSV (UTF-8 with BOM, for Excel).
'use strict'
document.addEventListener('DOMContentLoaded', function () {
  const { api, say, el } = window.ceConsole
  const form = document.getElementById('audit-form')
  const status = document.getElementById('audit-status')
  const table = document.getElementById('audit-table')
  const more = document.getElementById('audit-more')
  const actionNames = {}
  for (const option of form.elements.action.options) if (option.value !== '') actionNames[option.value] = option.textContent
  const when = function (iso) { return new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) }
  let nextAfter = null

  // A date picked is a day in China: from its midnight (UTC+8) to the next day's for the end.
  const chinaMidnight = function (date, days) { const d = new Date(date + 'T00:00:00+08:00'); d.setUTCDate(d.getUTCDate() + days); return d.toISOString() }
  function query (after, limit) {
    const q = new URLSearchParams({ limit: String(limit) })
    if (form.elements.regionCode.value.trim() !== '') q.set('regionCode', form.elements.regionCode.value.trim())
    if (form.elements.from.value !== '') q.set('from', chinaMidnight(form.elements.from.value, 0))
    if (form.elements.to.value !== '') q.set('to', chinaMidnight(form.elements.to.value, 1))
    if (form.elements.action.value !== '') q.set('action', form.elements.action.value)
    if (after !== null) q.set('after', String(after))
    return '/v1/audit?' + q.toString()
  }
  const actorOf = function (event) { return event.actor.name + (event.actor.user ? ' · ' + event.actor.user.name : '') }
  const changeOf = function (event) { return event.statusBefore === null && event.statusAfter === null ? '' : (event.statusBefore || '—') + ' → ' + (event.statusAfter || '—') }

  function add (page) {
    const body = table.querySelector('tbody')
    for (const event of page.events) {
      const tr = el('tr')
      tr.appendChild(el('td', {}, when(event.occurredAt)))
      tr.appendChild(el('td', {}, actionNames[event.action] || event.action))
      tr.appendChild(el('td', {}, actorOf(event)))
      tr.appendChild(el('td', { class: 'number' }, event.subject))
      tr.appendChild(el('td', {}, changeOf(event)))
      body.appendChild(tr)
    }
    nextAfter = page.nextAfter
    more.hidden = nextAfter === null
  }

  async function load () {
    say(status, '正在查询……', 'busy')
    try {
      const page = await api('GET', query(null, 100))
      table.querySelector('tbody').replaceChildren()
      add(page)
      table.hidden = false
      say(status, page.regionName + '：' + (page.events.length === 0 ? '没有符合条件的记录。' : '以下为符合条件的记录。'), 'ok')
    } catch (failure) {
      table.hidden = true
      more.hidden = true
      say(status, failure.message, 'error')
    }
  }

  const cell = function (value) { const s = String(value); return /[",\r\n]/.test(s) || /^[=+\-@]/.test(s) ? '"' + (/^[=+\-@]/.test(s) ? "'" : '') + s.replace(/"/g, '""') + '"' : s }
  document.getElementById('audit-export').addEventListener('click', async function () {
    say(status, '正在导出……', 'busy')
    try {
      const lines = [['时间', '事件', '操作者', '对象', '区划', '变化', '请求编号'].join(',')]
      let after = null
      do {
        const page = await api('GET', query(after, 1000))
        for (const e of page.events) lines.push([when(e.occurredAt), actionNames[e.action] || e.action, actorOf(e), e.subject, e.regionCode, changeOf(e), e.requestId || ''].map(cell).join(','))
        after = page.nextAfter
      } while (after !== null)
      const link = el('a', { download: '审计日志.csv' })
      link.href = URL.createObjectURL(new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' }))
      document.body.appendChild(link)
      link.click()
      link.remove()
      say(status, '✓ 已导出 ' + (lines.length - 1) + ' 条记录。', 'ok')
    } catch (failure) { say(status, failure.message, 'error') }
  })

  form.addEventListener('submit', function (event) { event.preventDefault(); load() })
  more.addEventListener('click', async function () { try { add(await api('GET', query(nextAfter, 100))) } catch (failure) { say(status, failure.message, 'error') } })
  load()
})
