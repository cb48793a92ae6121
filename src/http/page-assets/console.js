// The console's shared script: calls to the JSON API with the session cookie and its CSRF token, sign-in, sign-out,
// and the way back to sign-in when a session has ended. Each screen's own script uses window.ceConsole.
'use strict'
;(function () {
  const csrfMeta = document.querySelector('meta[name="csrf-token"]')
  let csrfToken = csrfMeta === null ? '' : csrfMeta.getAttribute('content')

  /** An API failure: its HTTP status, stable code and Chinese message. */
  class ApiError extends Error {
    constructor (status, body) {
      super(body && body.messageZh ? body.messageZh : '请求失败（' + status + '），请稍后再试。')
      this.status = status
      this.code = body && body.code ? body.code : 'UNKNOWN'
      this.details = body ? body.details : undefined
    }
  }

  function backToSignIn () {
    window.location.assign('/console/sign-in?reason=expired')
  }

  /**
   * Calls the API. `json` is sent as JSON, `body` as is (a file, with its own type). Answers the parsed JSON,
   * or the Response itself with `raw`. A session that has ended sends the person back to sign-in.
   */
  async function api (method, url, options) {
    const o = options || {}
    const headers = Object.assign({}, o.headers || {})
    if (method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrfToken
    let body = o.body
    if (o.json !== undefined) { headers['content-type'] = 'application/json'; body = JSON.stringify(o.json) }
    let response
    try {
      response = await fetch(url, { method, headers, body, credentials: 'same-origin' })
    } catch (error) {
      throw new ApiError(0, { code: 'NETWORK', messageZh: '无法连接服务，请检查网络后重试。' })
    }
    if (!response.ok) {
      let parsed
      try { parsed = await response.json() } catch (error) { parsed = undefined }
      const failure = new ApiError(response.status, parsed)
      if (response.status === 401 && !o.signingIn && (failure.code === 'SESSION_EXPIRED' || failure.code === 'AUTHENTICATION_REQUIRED')) backToSignIn()
      throw failure
    }
    if (o.raw) return response
    if (response.status === 204) return undefined
    return response.json()
  }

  /** Writes a message into a status region; kind is 'ok', 'error' or 'busy'. */
  function say (element, text, kind) {
    if (element === null) return
    element.textContent = text
    element.className = 'status' + (kind ? ' status-' + kind : '')
  }

  /** Saves a response's body as a file named by its Content-Disposition (or `fallback`). */
  async function saveResponse (response, fallback) {
    const blob = await response.blob()
    const disposition = response.headers.get('content-disposition') || ''
    const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)
    const plain = /filename="([^"]+)"/i.exec(disposition)
    const name = star ? decodeURIComponent(star[1]) : plain ? plain[1] : fallback
    const link = document.createElement('a')
    link.href = URL.createObjectURL(blob)
    link.download = name
    document.body.appendChild(link)
    link.click()
    link.remove()
    setTimeout(function () { URL.revokeObjectURL(link.href) }, 10000)
  }

  /** An element with text, safely (never innerHTML with data). */
  function el (tag, attributes, text) {
    const element = document.createElement(tag)
    for (const [name, value] of Object.entries(attributes || {})) element.setAttribute(name, value)
    if (text !== undefined) element.textContent = text
    return element
  }

  /** A fresh Idempotency-Key (crypto.randomUUID needs a secure context; an intranet address over HTTP is not one). */
  function newKey () {
    const bytes = crypto.getRandomValues(new Uint8Array(16))
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, '0') }).join('')
  }

  window.ceConsole = { api, say, saveResponse, el, newKey, ApiError, setCsrfToken (token) { csrfToken = token } }

  document.addEventListener('DOMContentLoaded', function () {
    const signOut = document.getElementById('sign-out')
    if (signOut !== null) {
      signOut.addEventListener('click', async function () {
        try { await api('DELETE', '/v1/session') } catch (error) { /* ended already: sign-in either way */ }
        window.location.assign('/console/sign-in?reason=signed-out')
      })
    }

    const form = document.getElementById('sign-in-form')
    if (form !== null) {
      const error = document.getElementById('sign-in-error')
      form.addEventListener('submit', async function (event) {
        event.preventDefault()
        error.hidden = true
        const username = form.elements.username.value.trim()
        const password = form.elements.password.value
        if (username === '' || password === '') {
          error.textContent = '请输入用户名和密码。'
          error.hidden = false
          return
        }
        try {
          await api('POST', '/v1/session', { json: { username, password }, signingIn: true })
          window.location.assign('/console')
        } catch (failure) {
          error.textContent = failure.message
          error.hidden = false
          form.elements.password.value = ''
          form.elements.password.focus()
        }
      })
    }
  })
})()
