// The password screen: PUT /v1/session/password (the API checks the rules); a new session starts with it.
'use strict'
document.addEventListener('DOMContentLoaded', function () {
  const { api, say } = window.ceConsole
  const form = document.getElementById('password-form')
  const status = document.getElementById('password-status')
  form.addEventListener('submit', async function (event) {
    event.preventDefault()
    say(status, '正在保存……', 'busy')
    try {
      await api('PUT', '/v1/session/password', { json: { currentPassword: form.elements.currentPassword.value, newPassword: form.elements.newPassword.value } })
      say(status, '密码已修改。', 'ok')
      window.location.assign('/console')
    } catch (failure) {
      say(status, failure.message, 'error')
    }
  })
})
