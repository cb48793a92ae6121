// The holder's self-service download: POST /v1/certificates/:number/holder-pdf with the name and ID number, saved as a file.
'use strict'
document.addEventListener('DOMContentLoaded', function () {
  const { api, say, saveResponse } = window.ceConsole
  const form = document.getElementById('download-form')
  const status = document.getElementById('download-status')
  form.addEventListener('submit', async function (event) {
    event.preventDefault()
    const number = form.elements.number.value.normalize('NFKC').replace(/[\s-]+/g, '')
    const name = form.elements.name.value.trim()
    const idNumber = form.elements.idNumber.value.trim()
    if (number === '' || name === '' || idNumber === '') { say(status, '请填写证书编号、姓名和公民身份号码。', 'error'); return }
    say(status, '正在核对……', 'busy')
    try {
      const response = await api('POST', '/v1/certificates/' + encodeURIComponent(number) + '/holder-pdf', { json: { name, idNumber }, raw: true })
      await saveResponse(response, number + '.pdf')
      say(status, '✓ 核对无误，证书已下载。', 'ok')
    } catch (failure) {
      say(status, failure.message, 'error')
    }
  })
})
