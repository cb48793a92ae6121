// A committee's bulk verification: the applicants' list or PDFs sent to POST /v1/verify/batch, every row's verdict on
// screen (problems first, sortable by any column), the report downloaded as .xlsx or CSV from the same route, and the
// signed verification report (POST /v1/verification-reports) of the list or of the stack of PDFs.
'use strict'
document.addEventListener('DOMContentLoaded', function () {
  const { api, say, el, saveResponse } = window.ceConsole
  const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
  const form = document.getElementById('verify-form')
  const status = document.getElementById('verify-status')
  const section = document.getElementById('verify-result')
  const table = document.getElementById('verify-rows')
  const verdictNames = { valid: '有效', revoked: '已撤销', 'not-found': '未找到', 'name-mismatch': '姓名不符', 'name-unchecked': '姓名未核对', duplicate: '重复', malformed: '格式错误', 'invalid-signature': '签名无效', altered: '被篡改' }
  // Problems first: the worst at the top, valid last.
  const severity = ['altered', 'invalid-signature', 'not-found', 'name-mismatch', 'revoked', 'malformed', 'name-unchecked', 'duplicate', 'valid']
  let rows = []
  let shown
  let sent
  let sort = { key: 'verdict', direction: 1 }

  function request () {
    if (sent.kind === 'list') return api('POST', '/v1/verify/batch', { body: sent.file, headers: { 'content-type': /\.xlsx$/i.test(sent.file.name) ? xlsx : 'text/csv' } })
    const data = new FormData()
    for (const file of sent.files) data.append('pdf', file, file.name)
    return api('POST', '/v1/verify/batch', { body: data })
  }

  const value = function (row, key) {
    if (key === 'verdict') return severity.indexOf(row.verdict)
    if (key === 'row') return row.sheetRow || row.row
    if (key === 'name') return row.name || (row.certificate && row.certificate.holderName) || ''
    return row.number || ''
  }
  function render () {
    const sorted = rows.slice().sort(function (a, b) {
      const x = value(a, sort.key)
      const y = value(b, sort.key)
      return (x < y ? -1 : x > y ? 1 : (a.row - b.row)) * sort.direction
    })
    for (const th of table.querySelectorAll('th[aria-sort]')) {
      const key = th.querySelector('button').dataset.key
      th.setAttribute('aria-sort', key === sort.key ? (sort.direction === 1 ? 'ascending' : 'descending') : 'none')
    }
    const body = table.querySelector('tbody')
    body.replaceChildren()
    for (const row of sorted) {
      const tr = el('tr')
      tr.appendChild(el('td', { class: 'num' }, row.file || String(row.sheetRow || row.row)))
      tr.appendChild(el('td', { class: 'number' }, row.number || ''))
      tr.appendChild(el('td', {}, row.name || (row.certificate && (row.certificate.holderName || row.certificate.maskedName)) || ''))
      tr.appendChild(el('td', { class: row.verdict === 'valid' ? 'verdict-ok' : 'verdict-bad' }, (row.verdict === 'valid' ? '✓ ' : '✕ ') + verdictNames[row.verdict]))
      tr.appendChild(el('td', { class: 'reason' }, row.reasonZh))
      body.appendChild(tr)
    }
  }
  for (const button of table.querySelectorAll('button.sort')) {
    button.addEventListener('click', function () {
      const key = button.dataset.key
      sort = { key, direction: sort.key === key ? -sort.direction : 1 }
      render()
    })
  }

  function show (report) {
    shown = report
    rows = report.rows
    sort = { key: 'verdict', direction: 1 }
    const v = report.summary.verdicts
    const problems = report.summary.rows - v.valid
    document.getElementById('verify-summary').textContent = '共 ' + report.summary.rows + ' 行：有效 ' + v.valid + ' 行，有问题 ' + problems + ' 行' +
      (problems === 0 ? '。' : '（' + Object.keys(v).filter(function (k) { return k !== 'valid' && v[k] > 0 }).map(function (k) { return verdictNames[k] + ' ' + v[k] }).join('，') + '），问题行排在前面。')
    render()
    section.hidden = false
  }

  /**
   * A signed report of what was sent. A list goes again as JSON (numbers and names as the file gave them); a stack of
   * PDFs must go again as files, since the report is made of its own verification, never of verdicts the page sends:
   * asked for with the first verification, the stack is uploaded once, and the screen shows the verdicts the report signed.
   */
  async function makeReport () {
    const reportStatus = document.getElementById('verify-report-status')
    say(reportStatus, '正在生成签名核验报告……', 'busy')
    try {
      let made
      if (sent.kind === 'list') {
        made = await api('POST', '/v1/verification-reports', { json: { rows: rows.map(function (r) { return r.name === undefined ? { number: r.number || '' } : { number: r.number || '', name: r.name } }) } })
      } else {
        const data = new FormData()
        for (const file of sent.files) data.append('pdf', file, file.name)
        made = await api('POST', '/v1/verification-reports', { body: data })
      }
      if (made.verification !== undefined) show(made.verification)
      await saveResponse(await api('GET', made.links.pdf, { raw: true }), '核验报告-' + made.number + '.pdf')
      reportStatus.replaceChildren(document.createTextNode('✓ 已生成核验报告 '), el('span', { class: 'number' }, made.number), document.createTextNode('，验证码 '),
        el('span', { class: 'number' }, made.code), document.createTextNode('。 '), el('a', { href: '/console/report?number=' + made.number + '&code=' + made.code }, '查看核实页面'))
      reportStatus.className = 'status status-ok'
    } catch (failure) {
      say(reportStatus, failure.message, 'error')
    }
  }

  form.addEventListener('submit', async function (event) {
    event.preventDefault()
    const list = form.elements.list.files[0]
    const pdfs = Array.from(form.elements.pdfs.files)
    const withReport = form.elements.withReport.checked
    if (list === undefined && pdfs.length === 0) { say(status, '请选择名单文件或证书 PDF。', 'error'); return }
    sent = list !== undefined ? { kind: 'list', file: list } : { kind: 'pdfs', files: pdfs }
    section.hidden = true
    say(document.getElementById('verify-report-status'), '', '')
    say(status, '正在核验……', 'busy')
    try {
      // A stack with its report: one upload to the report's route, which answers the verification too.
      if (withReport && sent.kind === 'pdfs') await makeReport()
      else show(await request())
      say(status, '', '')
      section.focus()
      if (withReport && sent.kind === 'list') await makeReport()
    } catch (failure) {
      say(status, failure.message, 'error')
    }
  })

  document.getElementById('verify-report').addEventListener('click', makeReport)

  for (const format of ['xlsx', 'csv']) {
    document.getElementById('verify-' + format).addEventListener('click', async function () {
      say(status, '正在生成核验结果……', 'busy')
      try {
        // The report on screen, written as a file: nothing is verified (or any name counted) again.
        await saveResponse(await api('POST', '/v1/verify/batch/export?format=' + format, { json: shown, raw: true }), '批量核验结果.' + format)
        say(status, '✓ 已下载核验结果。', 'ok')
      } catch (failure) {
        say(status, failure.message, 'error')
      }
    })
  }
})
