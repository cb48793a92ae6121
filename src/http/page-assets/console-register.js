// The register and statistics of an area and year: GET /v1/stats drawn as an inline SVG chart (no library) with its
// table, GET /v1/registers/{region}/{year} paged on screen, and the same route's .xlsx and CSV as the export.
'use strict'
document.addEventListener('DOMContentLoaded', function () {
  const { api, say, el } = window.ceConsole
  const svgNs = 'http://www.w3.org/2000/svg'
  const form = document.getElementById('register-form')
  const status = document.getElementById('register-status')
  const statusNames = { valid: '有效', revoked: '已撤销' }
  let registerUrl
  let nextAfter = null

  function svg (tag, attributes, text) {
    const node = document.createElementNS(svgNs, tag)
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value))
    if (text !== undefined) node.textContent = text
    return node
  }

  /** One bar per area: valid (dark) and revoked (red, hatched by its label) making up what was issued. */
  function drawChart (stats) {
    const figure = document.getElementById('stats-chart')
    // A county has no areas below it: its own figures make the one bar.
    const listed = stats.areas.length > 0 ? stats.areas : [Object.assign({ name: stats.regionName, level: 'area' }, stats.total)]
    const areas = listed.filter(function (a) { return a.issued > 0 })
    figure.replaceChildren()
    if (areas.length === 0) { figure.appendChild(el('p', { class: 'muted' }, '该区划本年度尚无证书。')); return }
    const max = Math.max.apply(null, areas.map(function (a) { return a.issued }))
    const rowHeight = 30
    const labelWidth = 190
    const barWidth = 480
    const height = areas.length * rowHeight + 40
    const chart = svg('svg', { viewBox: '0 0 ' + (labelWidth + barWidth + 120) + ' ' + height, width: '100%', role: 'img', 'aria-labelledby': 'chart-title' })
    chart.appendChild(svg('title', { id: 'chart-title' }, stats.regionName + ' ' + stats.year + ' 年度各区划证书数（有效与撤销）'))
    areas.forEach(function (area, i) {
      const y = i * rowHeight + 6
      const valid = area.valid / max * barWidth
      const revoked = area.revoked / max * barWidth
      chart.appendChild(svg('text', { x: labelWidth - 8, y: y + 15, 'text-anchor': 'end', 'font-size': 13, fill: '#1a1f2b' }, area.level === 'own' ? area.name + '（本级）' : area.name))
      chart.appendChild(svg('rect', { x: labelWidth, y, width: Math.max(valid, area.valid > 0 ? 2 : 0), height: 20, fill: '#0b3a78' }))
      chart.appendChild(svg('rect', { x: labelWidth + valid, y, width: Math.max(revoked, area.revoked > 0 ? 2 : 0), height: 20, fill: '#b42318' }))
      chart.appendChild(svg('text', { x: labelWidth + valid + revoked + 6, y: y + 15, 'font-size': 13, fill: '#1a1f2b' }, area.issued + '（有效 ' + area.valid + '，撤销 ' + area.revoked + '）'))
    })
    const legendY = areas.length * rowHeight + 18
    chart.appendChild(svg('rect', { x: labelWidth, y: legendY, width: 14, height: 14, fill: '#0b3a78' }))
    chart.appendChild(svg('text', { x: labelWidth + 20, y: legendY + 12, 'font-size': 13, fill: '#1a1f2b' }, '有效'))
    chart.appendChild(svg('rect', { x: labelWidth + 70, y: legendY, width: 14, height: 14, fill: '#b42318' }))
    chart.appendChild(svg('text', { x: labelWidth + 90, y: legendY + 12, 'font-size': 13, fill: '#1a1f2b' }, '撤销'))
    figure.appendChild(chart)
  }

  function showStats (stats) {
    const t = stats.total
    document.getElementById('stats-summary').textContent = stats.regionName + ' ' + stats.year + ' 年度' + (stats.scope === 'own' ? '（仅本单位颁发）' : '') +
      '：颁发 ' + t.issued + ' 本，有效 ' + t.valid + ' 本，撤销 ' + t.revoked + ' 本；有效证书合计 ' + t.hours.total + ' 学时。'
    drawChart(stats)
    const body = document.querySelector('#stats-table tbody')
    body.replaceChildren()
    for (const area of stats.areas.length > 0 ? stats.areas : [Object.assign({ name: stats.regionName, level: 'area' }, stats.total)]) {
      const tr = el('tr')
      tr.appendChild(el('th', { scope: 'row' }, area.level === 'own' ? area.name + '（本级）' : area.name))
      for (const n of [area.issued, area.valid, area.revoked, area.hours.total]) tr.appendChild(el('td', { class: 'num' }, String(n)))
      body.appendChild(tr)
    }
    document.getElementById('stats').hidden = false
  }

  function addEntries (page) {
    const body = document.querySelector('#register-table tbody')
    for (const entry of page.entries) {
      const tr = el('tr')
      tr.appendChild(el('td', { class: 'number' }, entry.number))
      tr.appendChild(el('td', {}, entry.holderName))
      tr.appendChild(el('td', {}, entry.employerName))
      tr.appendChild(el('td', {}, entry.issueDate || entry.issuedAt.slice(0, 10)))
      tr.appendChild(el('td', { class: entry.status === 'valid' ? 'verdict-ok' : 'verdict-bad' }, statusNames[entry.status]))
      tr.appendChild(el('td', { class: 'num' }, String(entry.hours.total)))
      body.appendChild(tr)
    }
    nextAfter = page.nextAfter
    document.getElementById('register-more').hidden = nextAfter === null
  }

  async function load () {
    const regionCode = form.elements.regionCode.value.trim()
    const year = form.elements.year.value.trim()
    if (!/^\d{6}$/.test(regionCode)) { say(status, '行政区划代码应为 6 位数字。', 'error'); return }
    say(status, '正在查询……', 'busy')
    registerUrl = '/v1/registers/' + regionCode + '/' + year
    try {
      const [stats, page] = await Promise.all([
        api('GET', '/v1/stats?regionCode=' + regionCode + '&year=' + year),
        api('GET', registerUrl + '?limit=100'),
      ])
      showStats(stats)
      document.querySelector('#register-table tbody').replaceChildren()
      addEntries(page)
      document.getElementById('register-xlsx').href = registerUrl + '?format=xlsx'
      document.getElementById('register-csv').href = registerUrl + '?format=csv'
      document.getElementById('register').hidden = false
      say(status, '', '')
    } catch (failure) {
      document.getElementById('stats').hidden = true
      document.getElementById('register').hidden = true
      say(status, failure.message, 'error')
    }
  }

  form.addEventListener('submit', function (event) { event.preventDefault(); load() })
  document.getElementById('register-more').addEventListener('click', async function () {
    try { addEntries(await api('GET', registerUrl + '?limit=100&after=' + nextAfter)) } catch (failure) { say(status, failure.message, 'error') }
  })
  load()
})
