/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />

/**
 * The service worker exists for web push only: it shows the notifications the server sends
 * (see server/src/modules/notifications/push.ts) and opens their page on a click. It caches
 * nothing and does not handle fetches, so every page and API response comes from the network
 * as before. It is registered by the settings page when a member turns push on.
 */
const sw = self as unknown as ServiceWorkerGlobalScope

interface PushPayload {
  title?: string
  body?: string
  url?: string
  tag?: string
}

sw.addEventListener('install', () => {
  void sw.skipWaiting()
})
sw.addEventListener('activate', (event) => {
  event.waitUntil(sw.clients.claim())
})

/** Only paths on our own origin: a payload never sends anyone elsewhere. */
function sameOrigin(url: string | undefined): string {
  try {
    const target = new URL(url ?? '/notifications', sw.location.origin)
    return target.origin === sw.location.origin ? target.href : new URL('/notifications', sw.location.origin).href
  } catch {
    return new URL('/notifications', sw.location.origin).href
  }
}

sw.addEventListener('push', (event) => {
  let payload: PushPayload = {}
  try {
    payload = (event.data?.json() ?? {}) as PushPayload
  } catch {
    payload = { body: event.data?.text() ?? '' }
  }
  event.waitUntil(
    sw.registration.showNotification(payload.title || 'Vernetzt', {
      body: payload.body ?? '',
      icon: '/icon-192.png',
      badge: '/icon-192.png',
      ...(payload.tag ? { tag: payload.tag } : {}),
      data: { url: sameOrigin(payload.url) },
    }),
  )
})

sw.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const url = (event.notification.data as { url?: string } | null)?.url ?? sameOrigin(undefined)
  event.waitUntil(
    (async () => {
      const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true })
      // Prefer a tab of ours that is already open: bring it forward on the notification's page.
      const tab = windows.find((w) => new URL(w.url).origin === sw.location.origin)
      if (tab) {
        const focused = await tab.focus()
        await focused.navigate(url).catch(() => sw.clients.openWindow(url))
        return
      }
      await sw.clients.openWindow(url)
    })(),
  )
})
