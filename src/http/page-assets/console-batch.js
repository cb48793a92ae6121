// Issuing for a whole staff: the uploaded file's dry run (POST /v1/certificates/batch?dryRun=true) as a table of verdicts,
// where a bad row is corrected in place or dropped and the rows checked again by the same dry run, sent as JSON; then the
// kept rows issued by the same route; the PDFs as one ZIP prepared in the background (with its progress) or one by one.
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
  const columns = [['name', '姓名', 'text'], ['idNumber', '公民身份号码', 'text'], ['employer', '工作单位', 'text'], ['year', '年度', 'number'],
    ['public', '公需科目', 'number'], ['professional', '专业科目', 'number'], ['elective', '选修科目', 'number']]
  // Each row of the file: { request, place, cellProblems, edited, dropped, editing, verdict }.
  let rows = []
  let key
  let batchId

  const typeOf = function (f) { return /\.xlsx$/i.test(f.name) ? xlsx : 'text/csv' }
  // A row sent as JSON is named by its place in what was sent (第 2 条); the table names rows by the sheet.
  const reasons = function (row, sent) {
    return (row.errors || []).map(function (e) {
      return sent === undefined ? e.messageZh : e.messageZh.replace(/第 ([\d、]+) 条/g, function (all, list) { return '第 ' + list.split('、').map(function (i) { return sent[Number(i) - 1].place }).join('、') + ' 行' })
    }).join('；')
  }
  const cellOf = function (request, name) {
    if (name === 'name' || name === 'idNumber') return request.holder[name]
    if (name === 'employer') return request.employer.name
    if (name === 'year') return request.year
    return request.hours[name]
  }
  // A row still showing the file's own cell problems is held back until corrected: as JSON it would no longer show them.
  const checkable = function (row) { return !row.dropped && !(row.cellProblems && !row.edited) }
  const issuable = function (row) { return !row.dropped && row.verdict.status === 'issuable' }

  async function check (sent) {
    const result = await api('POST', '/v1/certificates/batch?dryRun=true', { json: { certificates: sent.map(function (r) { return r.request }) } })
    for (const verdict of result.rows) {
      const row = sent[verdict.row - 1]
      row.verdict = Object.assign({}, verdict, { reasonZh: reasons(verdict, sent) })
    }
  }

  function editor (row) {
    const tr = el('tr', { class: 'row-editor' })
    const td = el('td', { colspan: '5' })
    const fields = el('div', { class: 'row-fields' })
    for (const [name, title, type] of columns) {
      const input = el('input', { name, type, 'aria-label': '第 ' + row.place + ' 行 ' + title })
      if (type === 'number') { input.setAttribute('step', name === 'year' ? '1' : '0.5'); input.setAttribute('min', '0') }
      const value = cellOf(row.request, name)
      input.value = value === undefined ? '' : String(value)
      const label = el('label', {}, title)
      label.appendChild(input)
      fields.appendChild(label)
    }
    td.appendChild(fields)
    const actions = el('div', { class: 'actions' })
    const recheck = el('button', { type: 'button' }, '重新检查第 ' + row.place + ' 行')
    const cancel = el('button', { type: 'button', class: 'secondary' }, '取消修改')
    recheck.addEventListener('click', function () {
      const value = function (name) { return fields.querySelector('[name="' + name + '"]').value }
      const number = function (name) { return value(name).trim() === '' ? 0 : Number(value(name)) }
      const hours = Object.assign({}, row.request.hours, { public: number('public'), professional: number('professional'), elective: number('elective') })
      row.request = Object.assign({}, row.request, { holder: { name: value('name').trim(), idNumber: value('idNumber').trim() }, employer: { name: value('employer').trim() }, year: number('year'), hours })
      row.edited = true
      row.editing = false
      recheckAll('第 ' + row.place + ' 行已修改')
    })
    cancel.addEventListener('click', function () { row.editing = false; render() })
    actions.append(recheck, cancel)
    td.appendChild(actions)
    tr.appendChild(td)
    return tr
  }

  function render () {
    const body = document.querySelector('#batch-rows tbody')
    body.replaceChildren()
    // Problems first, the dropped last, then by row.
    const rank = function (r) { return r.dropped ? 2 : r.verdict.status === 'rejected' ? 0 : 1 }
    for (const row of rows.slice().sort(function (a, b) { return (rank(a) - rank(b)) || (a.index - b.index) })) {
      const ok = row.verdict.status === 'issuable'
      const tr = el('tr', row.dropped ? { class: 'dropped' } : {})
      tr.appendChild(el('td', { class: 'num' }, String(row.place)))
      tr.appendChild(el('td', {}, row.request.holder.name || row.verdict.holderName || ''))
      if (row.dropped) {
        tr.appendChild(el('td', {}, '— 已移除'))
        tr.appendChild(el('td', { class: 'reason' }, '不颁发此行。'))
      } else {
        tr.appendChild(el('td', { class: ok ? 'verdict-ok' : 'verdict-bad' }, ok ? '✓ 可颁发' : '✕ 不能颁发'))
        tr.appendChild(el('td', { class: 'reason' }, ok ? '学时达标，合计 ' + row.verdict.hours.total + ' 学时' : row.verdict.reasonZh))
      }
      const actions = el('td', { class: 'row-actions' })
      if (!row.dropped) {
        const edit = el('button', { type: 'button', class: 'secondary', 'aria-label': '修改第 ' + row.place + ' 行' }, '修改')
        edit.addEventListener('click', function () { row.editing = true; render(); body.querySelector('.row-editor input').focus() })
        actions.appendChild(edit)
      }
      const drop = el('button', { type: 'button', class: 'secondary', 'aria-label': (row.dropped ? '恢复第 ' : '移除第 ') + row.place + ' 行' }, row.dropped ? '恢复' : '移除')
      drop.addEventListener('click', function () { row.dropped = !row.dropped; row.editing = false; recheckAll('第 ' + row.place + ' 行已' + (row.dropped ? '移除' : '恢复')) })
      actions.appendChild(drop)
      tr.appendChild(actions)
      body.appendChild(tr)
      if (row.editing) body.appendChild(editor(row))
    }
    const kept = rows.filter(function (r) { return !r.dropped })
    const good = kept.filter(issuable).length
    const dropped = rows.length - kept.length
    document.getElementById('batch-summary').textContent = '共 ' + rows.length + ' 行：可颁发 ' + good + ' 行，不能颁发 ' + (kept.length - good) + ' 行' +
      (dropped > 0 ? '，已移除 ' + dropped + ' 行' : '') + '。' + (kept.length > good ? '不能颁发的行可点“修改”改正后重新检查，或“移除”；确认后只颁发可颁发的行。' : '')
    issueButton.disabled = good === 0
    issueButton.textContent = '颁发可颁发的 ' + good + ' 行'
  }

  // After a change every kept row is checked again: a holder twice in the file depends on the other rows.
  async function recheckAll (what) {
    const sent = rows.filter(checkable)
    issueButton.disabled = true
    say(status, what + '，正在重新检查……', 'busy')
    try {
      if (sent.length > 0) await check(sent)
      key = newKey()
      render()
      say(status, what + '，已重新检查。', 'ok')
    } catch (failure) {
      render()
      say(status, failure.message, 'error')
    }
  }

  form.addEventListener('submit', async function (event) {
    event.preventDefault()
    previewSection.hidden = true
    doneSection.hidden = true
    const file = form.elements.file.files[0]
    if (file === undefined) { say(status, '请选择名单文件（.xlsx 或 CSV）。', 'error'); return }
    say(status, '正在检查名单……', 'busy')
    try {
      const result = await api('POST', '/v1/certificates/batch?dryRun=true', { body: file, headers: { 'content-type': typeOf(file) } })
      key = newKey()
      rows = result.rows.map(function (verdict) {
        return { index: verdict.row, place: verdict.sheetRow || verdict.row, request: verdict.asRead.request, cellProblems: verdict.asRead.cellProblems, edited: false, dropped: false, editing: false, verdict: Object.assign({}, verdict, { reasonZh: reasons(verdict) }) }
      })
      render()
      say(status, '', '')
      previewSection.hidden = false
      previewSection.focus()
    } catch (failure) {
      say(status, failure.message, 'error')
    }
  })

  // Exactly the kept rows the last check found issuable, as JSON to the same route: its checks decide again.
  issueButton.addEventListener('click', async function () {
    const sent = rows.filter(issuable)
    issueButton.disabled = true
    say(status, '正在颁发，请勿关闭页面……', 'busy')
    try {
      const report = await api('POST', '/v1/certificates/batch', { json: { certificates: sent.map(function (r) { return r.request }) }, headers: { 'idempotency-key': key } })
      batchId = report.batchId
      const notSent = rows.length - sent.length
      document.getElementById('batch-done-summary').textContent = '已颁发 ' + report.summary.issued + ' 本证书，未颁发 ' + (report.summary.rejected + notSent) + ' 行（批次 ' + batchId + '）。'
      const body = document.querySelector('#batch-issued tbody')
      body.replaceChildren()
      for (const row of report.rows.filter(function (r) { return r.status === 'issued' })) {
        const cell = el('td')
        cell.appendChild(el('a', { href: '/v1/certificates/' + row.number + '/pdf', download: row.number + '.pdf' }, '下载 PDF'))
        const tr = el('tr')
        tr.append(el('td', { class: 'num' }, String(sent[row.row - 1].place)), el('td', {}, row.holderName || ''), el('td', { class: 'number' }, row.number), cell)
        body.appendChild(tr)
      }
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
