// Issuing one certificate: as the form is filled, POST /v1/certificates/check tells the ID number's problem and the
// rule set's requirement with what is missing; the preview is the batch dry run of this one row; then POST /v1/certificates.
'use strict'
document.addEventListener('DOMContentLoaded', function () {
  const { api, say, el, newKey } = window.ceConsole
  const form = document.getElementById('issue-form')
  const idInput = document.getElementById('holder-id')
  const idCheck = document.getElementById('holder-id-check')
  const requirement = document.getElementById('requirement-body')
  const preview = document.getElementById('preview')
  const previewBody = document.getElementById('preview-body')
  const status = document.getElementById('issue-status')
  const categories = [['public', '公需科目'], ['professional', '专业科目'], ['elective', '选修科目']]
  let lastCheck
  let checking = 0

  const amount = function (input) { const n = Number(input.value); return input.value.trim() === '' || !Number.isFinite(n) ? 0 : n }
  function hours () {
    const h = { public: amount(form.elements.public), professional: amount(form.elements.professional), elective: amount(form.elements.elective) }
    if (form.elements.achievement.value !== '') h.achievement = form.elements.achievement.value
    return h
  }
  function request () {
    const body = {
      holder: { name: form.elements.name.value.trim(), idNumber: idInput.value },
      employer: { name: form.elements.employer.value.trim() },
      year: Number(form.elements.year.value),
      hours: hours(),
    }
    if (form.elements.series.value.trim() !== '') body.series = form.elements.series.value.trim()
    return body
  }

  function showIdCheck (problem) {
    if (idInput.value === '') { idCheck.textContent = ''; idInput.removeAttribute('aria-invalid'); return }
    if (problem === null) {
      idCheck.textContent = '✓ 身份证号格式与校验码正确'
      idCheck.className = 'check check-ok'
      idInput.setAttribute('aria-invalid', 'false')
    } else {
      // While typing, a short number is only "not yet 18": said plainly, not as an error.
      idCheck.textContent = (idInput.value.length < 18 && /^\d*$/.test(idInput.value) ? '还需输入 ' + (18 - idInput.value.length) + ' 位。' : '✕ ' + problem.reasonZh)
      idCheck.className = 'check check-bad'
      idInput.setAttribute('aria-invalid', 'true')
    }
  }

  function showRequirement (check) {
    const table = el('table', { class: 'requirement' })
    table.appendChild(el('caption', { class: 'visually-hidden' }, '学时要求与已填学时'))
    const head = el('tr')
    for (const [i, h] of ['类别', '最低要求', '已计入', '还差'].entries()) head.appendChild(el('th', i === 0 ? { scope: 'col' } : { scope: 'col', class: 'num' }, h))
    table.appendChild(el('thead')).appendChild(head)
    const body = table.appendChild(el('tbody'))
    const credited = check.hours.credited
    const row = function (label, required, given) {
      const tr = el('tr')
      tr.appendChild(el('th', { scope: 'row' }, label))
      tr.appendChild(el('td', { class: 'num' }, required === undefined ? '不作要求' : String(required)))
      tr.appendChild(el('td', { class: 'num' }, String(given)))
      const missing = required === undefined ? 0 : Math.max(0, Math.round((required - given) * 100) / 100)
      tr.appendChild(el('td', { class: 'num ' + (missing > 0 ? 'short' : 'met') }, missing > 0 ? '还差 ' + missing : '✓ 已达到'))
      body.appendChild(tr)
    }
    for (const [key, label] of categories) {
      if (!check.ruleSet.counted.includes(key)) continue
      row(label, check.ruleSet.minimums[key], credited[key])
    }
    row('合计', check.ruleSet.total, credited.total)
    requirement.replaceChildren(
      el('p', {}, '适用规则：' + check.ruleSet.name + '（合计至少 ' + check.ruleSet.total + ' 学时）'),
      table,
      el('p', { class: check.hours.met ? 'met' : 'short' }, check.hours.met ? '✓ 已达到学时要求。' : '✕ 尚未达到学时要求。'))
  }

  async function check () {
    const mine = ++checking
    const body = { hours: hours() }
    if (idInput.value !== '') body.idNumber = idInput.value
    if (form.elements.series.value.trim() !== '') body.series = form.elements.series.value.trim()
    try {
      const result = await api('POST', '/v1/certificates/check', { json: body })
      if (mine !== checking) return
      lastCheck = result
      showIdCheck(result.idNumber === undefined ? null : result.idNumber)
      showRequirement(result)
    } catch (failure) {
      if (mine === checking) requirement.replaceChildren(el('p', { class: 'error' }, failure.message))
    }
  }
  let timer
  form.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(check, 200) })
  check()

  function showPreview (row, body) {
    const sample = el('div', { class: 'certificate-sample' })
    sample.appendChild(el('p', { class: 'meta' }, '证书编号：颁发时按 ' + row.regionCode + ' ' + String(row.year).slice(2) + ' 顺序分配'))
    sample.appendChild(el('p', { class: 'title' }, lastCheck.certificate.title))
    sample.appendChild(el('p', { class: 'text' }, body.holder.name + ' 参加专业技术人员继续教育学习，经审核，已完成 ' + body.year + ' 年度专业技术人员继续教育学习任务，根据' + lastCheck.certificate.regulation + '，特发此证。'))
    const h = row.hours
    sample.appendChild(el('p', {}, '公需 ' + h.public + ' · 专业 ' + h.professional + ' · 选修 ' + h.elective + ' · 合计 ' + h.total + ' 学时'))
    sample.appendChild(el('p', { class: 'meta' }, '发证单位：' + document.querySelector('.who span').textContent))
    previewBody.replaceChildren(sample, el('p', { class: 'muted' }, '工作单位：' + body.employer.name + '；适用规则：' + lastCheck.ruleSet.name + '。确认无误后点击“确认颁发”。'))
    preview.hidden = false
    preview.focus()
  }

  form.addEventListener('submit', async function (event) {
    event.preventDefault()
    preview.hidden = true
    const body = request()
    if (body.holder.name === '' || body.employer.name === '' || idInput.value === '') { say(status, '请填写姓名、公民身份号码和工作单位。', 'error'); return }
    say(status, '正在检查……', 'busy')
    try {
      const result = await api('POST', '/v1/certificates/batch?dryRun=true', { json: { certificates: [body] } })
      const row = result.rows[0]
      if (row.status !== 'issuable') { say(status, '不能颁发：' + row.errors.map(function (e) { return e.messageZh }).join('；'), 'error'); return }
      say(status, '', '')
      showPreview(row, body)
    } catch (failure) {
      say(status, failure.message, 'error')
    }
  })

  document.getElementById('edit-button').addEventListener('click', function () { preview.hidden = true; form.elements.name.focus() })
  document.getElementById('issue-button').addEventListener('click', async function () {
    const button = this
    button.disabled = true
    say(status, '正在颁发……', 'busy')
    try {
      const issued = await api('POST', '/v1/certificates', { json: request(), headers: { 'idempotency-key': newKey() } })
      preview.hidden = true
      status.replaceChildren(
        document.createTextNode('✓ 已颁发，证书编号 '), el('span', { class: 'number' }, issued.number), document.createTextNode('。 '),
        el('a', { href: '/v1/certificates/' + issued.number + '/pdf', download: issued.number + '.pdf' }, '下载 PDF'))
      status.className = 'status status-ok'
      form.reset()
      check()
    } catch (failure) {
      say(status, failure.message, 'error')
    } finally {
      button.disabled = false
    }
  })
})
