// Confirming a verification report: GET /v1/verification-reports/{number}?code= and whether its signature holds.
'use strict'
document.addEventListener('DOMContentLoaded', function () {
  const { api, say, el } = window.ceConsole
  const form = document.getElementById('report-form')
  const status = document.getElementById('report-status')
  const section = document.getElementById('report')
  const verdictNames = { valid: '有效', revoked: '已撤销', 'not-found': '未找到', 'name-mismatch': '姓名不符', 'name-unchecked': '姓名未核对', duplicate: '重复', malformed: '格式错误', 'invalid-signature': '签名无效', altered: '被篡改' }

  async function confirm (number, code) {
    section.hidden = true
    say(status, '正在核实……', 'busy')
    try {
      const report = await api('GET', '/v1/verification-reports/' + encodeURIComponent(number) + '?code=' + encodeURIComponent(code))
      const verdict = document.getElementById('report-verdict')
      verdict.textContent = report.genuine ? '✓ 真实：本报告由本服务签发，内容未被改动。' : '✕ 报告签名或内容校验未通过：内容可能已被改动，请勿采信。'
      verdict.className = report.genuine ? 'verdict-ok' : 'verdict-bad'
      const facts = document.getElementById('report-facts')
      facts.replaceChildren()
      const when = new Date(report.checkedAt).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })
      for (const [term, value] of [['报告编号', report.number], ['核验单位', report.committee], ['核验时间', when], ['核验行数', String(report.summary.rows)]]) {
        facts.appendChild(el('dt', {}, term))
        facts.appendChild(el('dd', {}, value))
      }
      const body = document.querySelector('#report-rows tbody')
      body.replaceChildren()
      for (const row of report.rows) {
        const tr = el('tr')
        tr.appendChild(el('td', { class: 'num' }, String(row.row)))
        tr.appendChild(el('td', { class: 'number' }, row.number || ''))
        tr.appendChild(el('td', {}, row.maskedName || ''))
        tr.appendChild(el('td', { class: row.verdict === 'valid' ? 'verdict-ok' : 'verdict-bad' }, verdictNames[row.verdict] || row.verdict))
        tr.appendChild(el('td', { class: 'reason' }, row.reasonZh))
        body.appendChild(tr)
      }
      say(status, '', '')
      section.hidden = false
    } catch (failure) {
      say(status, failure.message, 'error')
    }
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault()
    const number = form.elements.number.value.trim().toUpperCase()
    const code = form.elements.code.value.trim().toUpperCase()
    if (number === '' || code === '') { say(status, '请填写报告编号和验证码。', 'error'); return }
    confirm(number, code)
  })
  const query = new URLSearchParams(window.location.search)
  if (query.get('number') !== null && query.get('code') !== null) {
    form.elements.number.value = query.get('number')
    form.elements.code.value = query.get('code')
    confirm(query.get('number'), query.get('code'))
  }
})
