// The verification page's service worker (scope /v/): keeps the page, its assets, the JWKS and every key's signed
// revocation list, so that once the page was opened a QR code can be checked with no network, for as long as the lists
// hold (REVOCATION_LIST_VALIDITY_HOURS). The service serves it at /verify-sw.js with `precache` defined before this text.
'use strict'
/* global precache */
const cacheName = `ce-verify-${precache.version}`

/** The JWKS, then the revocation list of each of its keys; a failure leaves what was saved before. */
async function saveKeysAndLists (cache) {
  const response = await fetch('/.well-known/jwks.json', { cache: 'no-cache', credentials: 'omit' })
  if (!response.ok) return
  const jwks = await response.clone().json()
  await cache.put('/.well-known/jwks.json', response)
  await Promise.all((Array.isArray(jwks.keys) ? jwks.keys : []).map(async key => {
    const url = `/.well-known/crl/${encodeURIComponent(key.kid)}.jws`
    const list = await fetch(url, { cache: 'no-cache', credentials: 'omit' })
    if (list.ok) await cache.put(url, list)
  }))
}

self.addEventListener('install', event => {
  event.waitUntil((async () => {
    const cache = await caches.open(cacheName)
    await cache.addAll([...precache.assets, ...precache.pages])
    await saveKeysAndLists(cache)
    await self.skipWaiting()
  })())
})

self.addEventListener('activate', event => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name.startsWith('ce-verify-') && name !== cacheName) await caches.delete(name)
    await self.clients.claim()
  })())
})

/** A page of /v: the network's, or offline the saved form page, whose script then checks the address's token itself. */
async function page (request, url) {
  try {
    return await fetch(request)
  } catch {
    const cache = await caches.open(cacheName)
    return (await cache.match(url.searchParams.get('lang') === 'en' ? '/v?lang=en' : '/v')) ?? Response.error()
  }
}

async function savedFirst (request) {
  return (await (await caches.open(cacheName)).match(request)) ?? fetch(request)
}

/** The JWKS and revocation lists: the network's copy when there is one (and it is saved), else the saved one. */
async function networkFirst (request, key) {
  const cache = await caches.open(cacheName)
  try {
    const response = await fetch(request)
    if (response.ok) await cache.put(key, response.clone())
    return response
  } catch {
    return (await cache.match(key)) ?? Response.error()
  }
}

self.addEventListener('fetch', event => {
  const request = event.request
  const url = new URL(request.url)
  if (request.method !== 'GET' || url.origin !== self.location.origin) return
  if (request.mode === 'navigate' && /^\/v(\/|$)/.test(url.pathname)) event.respondWith(page(request, url))
  else if (precache.assets.includes(url.pathname + url.search)) event.respondWith(savedFirst(request))
  else if (url.pathname === '/.well-known/jwks.json' || /^\/\.well-known\/crl\/[^/]+\.jws$/.test(url.pathname)) event.respondWith(networkFirst(request, url.pathname))
})
