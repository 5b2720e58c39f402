// Relevo's service worker (ADR 097): it shows the Web Push alerts the functions send, even with the
// desk closed, and a click opens the chat. It caches nothing: the desk needs the network anyway.

self.addEventListener('install', () => self.skipWaiting())
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()))

/** The payload is {title, body, url, tag, kind} (SQL push_targets); anything else shows a plain alert. */
function readAlert(event) {
  try {
    const alert = event.data?.json()
    if (
      alert &&
      typeof alert.title === 'string' &&
      typeof alert.url === 'string' &&
      alert.url.startsWith('/')
    ) {
      return alert
    }
  } catch {
    // Not JSON: fall through to the plain alert.
  }
  return { title: 'Relevo', body: '', url: '/inbox', tag: 'relevo' }
}

self.addEventListener('push', (event) => {
  const alert = readAlert(event)
  event.waitUntil(
    self.registration.showNotification(alert.title, {
      body: alert.body ?? '',
      tag: alert.tag,
      renotify: true,
      icon: '/icon-192.png',
      badge: '/icon-192.png',
      data: { url: alert.url },
    }),
  )
})

/** An open desk tab goes to the chat (the page routes it, no reload); without one, a new window opens. */
async function openChat(path) {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
  const desk = windows.find((w) => new URL(w.url).origin === self.location.origin)
  if (!desk) return self.clients.openWindow(path)
  desk.postMessage({ type: 'relevo.open', url: path })
  return desk.focus().catch(() => desk)
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const url = event.notification.data?.url
  event.waitUntil(openChat(typeof url === 'string' && url.startsWith('/') ? url : '/inbox'))
})
