// Issuing for a whole staff: the uploaded file's dry run (POST /v1/certificates/batch?dryRun=true) as a table of verdicts,
// then the same file issued; the PDFs as one ZIP prepared in the background (with its progress) or one by one.
'use strict'
document.addEventListener('DOMContentLoaded', function () {
  const { api, say, el, newKey } = window.ceConsole
  const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
  const form = document.getElementById('batch-form')
  const status = document.getElementById('batch-status')
  const previewSection = document.getElementById('batch-preview')
  const doneSection = document.getElementById('batch-done')
  const issueButton = document.getElementById('batch-issue')
  const progress = document.getElementById('batch-progress')
  let file
  let key
  let batchId

  const typeOf = function (f) { return /\.xlsx$/i.test(f.name) ? xlsx : 'text/csv' }
  const reasons = function (row) { return (row.errors || []).map(function (e) { return e.messageZh }).join('；') }

  function fill (table, rows, cells) {
    const body = table.querySelector('tbody')
    body.replaceChildren()
    for (const row of rows) {
      const tr = el('tr')
      for (const cell of cells(row)) tr.appendChild(cell)
      body.appendChild(tr)
    }
  }

  form.addEventListener('submit', async function (event) {
    event.preventDefault()
    previewSection.hidden = true
    doneSection.hidden = true
    file = form.elements.file.files[0]
    if (file === undefined) { say(status, '请选择名单文件（.xlsx 或 CSV）。', 'error'); return }
    say(status, '正在检查名单……', 'busy')
    try {
      const result = await api('POST', '/v1/certificates/batch?dryRun=true', { body: file, headers: { 'content-type': typeOf(file) } })
      key = newKey()
      const s = result.summary
      document.getElementById('batch-summary').textContent = '共 ' + s.rows + ' 行：可颁发 ' + s.issuable + ' 行，不能颁发 ' + s.rejected + ' 行。' +
        (s.rejected > 0 ? '不能颁发的行不会颁发：可修改文件后重新上传检查，或直接颁发其余各行。' : '')
      // Problems first, then by row.
      const rows = result.rows.slice().sort(function (a, b) { return (a.status === b.status ? 0 : a.status === 'rejected' ? -1 : 1) || a.row - b.row })
      fill(document.getElementById('batch-rows'), rows, function (row) {
        const ok = row.status === 'issuable'
        return [
          el('td', { class: 'num' }, String(row.sheetRow || row.row)),
          el('td', {}, row.holderName || ''),
          el('td', { class: ok ? 'verdict-ok' : 'verdict-bad' }, ok ? '✓ 可颁发' : '✕ 不能颁发'),
          el('td', { class: 'reason' }, ok ? '学时达标，合计 ' + row.hours.total + ' 学时' : reasons(row)),
        ]
      })
      issueButton.disabled = s.issuable === 0
      issueButton.textContent = '颁发可颁发的 ' + s.issuable + ' 行'
      say(status, '', '')
      previewSection.hidden = false
      previewSection.focus()
    } catch (failure) {
      say(status, failure.message, 'error')
    }
  })

  issueButton.addEventListener('click', async function () {
    issueButton.disabled = true
    say(status, '正在颁发，请勿关闭页面……', 'busy')
    try {
      const report = await api('POST', '/v1/certificates/batch', { body: file, headers: { 'content-type': typeOf(file), 'idempotency-key': key } })
      batchId = report.batchId
      document.getElementById('batch-done-summary').textContent = '已颁发 ' + report.summary.issued + ' 本证书，未颁发 ' + report.summary.rejected + ' 行（批次 ' + batchId + '）。'
      fill(document.getElementById('batch-issued'), report.rows.filter(function (r) { return r.status === 'issued' }), function (row) {
        const cell = el('td')
        cell.appendChild(el('a', { href: '/v1/certificates/' + row.number + '/pdf', download: row.number + '.pdf' }, '下载 PDF'))
        return [el('td', { class: 'num' }, String(row.sheetRow || row.row)), el('td', {}, row.holderName || ''), el('td', { class: 'number' }, row.number), cell]
      })
      say(status, '', '')
      previewSection.hidden = true
      doneSection.hidden = false
      doneSection.focus()
    } catch (failure) {
      issueButton.disabled = false
      say(status, failure.message, 'error')
    }
  })

  const wait = function (ms) { return new Promise(function (resolve) { setTimeout(resolve, ms) }) }
  document.getElementById('batch-zip').addEventListener('click', async function () {
    const button = this
    button.disabled = true
    progress.hidden = false
    progress.value = 0
    const zipStatus = document.getElementById('batch-status')
    try {
      let archive = await api('POST', '/v1/batches/' + batchId + '/archive')
      while (archive.status === 'preparing') {
        progress.value = archive.percent
        say(zipStatus, '正在生成 PDF：' + archive.done + ' / ' + archive.total, 'busy')
        await wait(500)
        archive = await api('GET', '/v1/batches/' + batchId + '/archive')
      }
      if (archive.status === 'failed') throw new Error(archive.error ? archive.error.messageZh : '打包失败。')
      progress.value = 100
      // The browser's own download (its progress, and a resume by range requests): a large ZIP never sits in the page's memory.
      const link = el('a', { href: archive.links.download, download: 'batch-' + batchId + '.zip' })
      document.body.appendChild(link)
      link.click()
      link.remove()
      say(zipStatus, '✓ 全部证书（ZIP）已开始下载，共 ' + archive.total + ' 本。', 'ok')
    } catch (failure) {
      say(zipStatus, failure.message, 'error')
    } finally {
      button.disabled = false
    }
  })
})
