// The seal: the current one (GET /v1/issuers/me/seal) and a chosen PNG shown on a sample certificate before it is
// saved (PUT, which checks the image) or the seal removed (DELETE).
'use strict'
document.addEventListener('DOMContentLoaded', function () {
  const { api, say } = window.ceConsole
  const form = document.getElementById('seal-form')
  const status = document.getElementById('seal-status')
  const image = document.getElementById('seal-image')
  const note = document.getElementById('seal-preview-note')
  const save = document.getElementById('seal-save')
  let shownUrl

  function show (blob, text) {
    if (shownUrl !== undefined) URL.revokeObjectURL(shownUrl)
    shownUrl = blob === null ? undefined : URL.createObjectURL(blob)
    image.hidden = blob === null
    if (blob !== null) image.src = shownUrl
    note.textContent = text
  }

  async function loadCurrent () {
    try {
      show(await (await api('GET', '/v1/issuers/me/seal', { raw: true })).blob(), '现有印章')
    } catch (failure) {
      if (failure.status === 404) show(null, '尚未上传印章：证书上不显示印章。')
      else say(status, failure.message, 'error')
    }
  }

  form.elements.seal.addEventListener('change', function () {
    const file = form.elements.seal.files[0]
    if (file === undefined) { save.disabled = true; loadCurrent(); return }
    show(file, '预览：' + file.name + '（尚未保存）')
    save.disabled = false
    say(status, '请查看样例证书上的效果，确认后点击“保存印章”。', '')
  })
  form.addEventListener('submit', async function (event) {
    event.preventDefault()
    const file = form.elements.seal.files[0]
    if (file === undefined) return
    say(status, '正在保存……', 'busy')
    try {
      await api('PUT', '/v1/issuers/me/seal', { body: file, headers: { 'content-type': 'image/png' } })
      form.reset()
      save.disabled = true
      await loadCurrent()
      say(status, '✓ 印章已保存，所有证书的 PDF 将盖此印章。', 'ok')
    } catch (failure) {
      say(status, failure.message, 'error')
    }
  })
  document.getElementById('seal-remove').addEventListener('click', async function () {
    if (!window.confirm('删除印章？此后所有证书的 PDF 都不再显示印章。')) return
    try {
      await api('DELETE', '/v1/issuers/me/seal')
      await loadCurrent()
      say(status, '✓ 印章已删除。', 'ok')
    } catch (failure) { say(status, failure.message, 'error') }
  })
  loadCurrent()
})
