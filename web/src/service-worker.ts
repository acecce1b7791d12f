/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
import { build, files, version } from '$service-worker'

/**
 * The installable app's worker, registered on every page of the main site:
 * - it keeps the app shell (the built scripts and styles, the icons) for this version, so pages
 *   start fast and work with a bad connection;
 * - a page that cannot be loaded (offline) shows the offline page in the member's language
 *   instead of the browser's error;
 * - it shows the web pushes the server sends (server/src/modules/notifications/push.ts) and
 *   opens their page on a click.
 * Pages and API answers always come from the network: nothing personal is cached here.
 */
const sw = self as unknown as ServiceWorkerGlobalScope
const CACHE = `vernetzt-${version}`
const SHELL = [...build, ...files.filter((path) => !path.endsWith('.webmanifest'))]
const OFFLINE = { de: '/offline?lang=de', en: '/offline?lang=en' } as const

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE)
      await cache.addAll(SHELL)
      // The offline page in both languages, as a visitor sees it (no cookies: nothing personal).
      for (const [lang, key] of Object.entries(OFFLINE)) {
        const res = await fetch('/offline', { credentials: 'omit', headers: { 'accept-language': lang } })
        if (res.ok) await cache.put(key, res)
      }
      await sw.skipWaiting()
    })(),
  )
})
sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key)
      await sw.clients.claim()
    })(),
  )
})

/** The member's chosen language (the vz_lang cookie), else the browser's. */
async function offlineLang(request: Request): Promise<'de' | 'en'> {
  const store = (sw as unknown as { cookieStore?: { get(name: string): Promise<{ value: string } | null> } }).cookieStore
  const chosen = await store?.get('vz_lang').catch(() => null)
  if (chosen?.value === 'de' || chosen?.value === 'en') return chosen.value
  return (request.headers.get('accept-language') ?? '').toLowerCase().startsWith('en') ? 'en' : 'de'
}

sw.addEventListener('fetch', (event) => {
  const { request } = event
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  if (url.origin !== sw.location.origin) return
  if (SHELL.includes(url.pathname)) {
    // Built files carry their hash in the name: the cached one is the one this version needs.
    event.respondWith(caches.match(url.pathname).then((hit) => hit ?? fetch(request)))
    return
  }
  if (request.mode === 'navigate') {
    event.respondWith(
      fetch(request).catch(async () => {
        const page = await caches.match(OFFLINE[await offlineLang(request)])
        return page ?? Response.error()
      }),
    )
  }
})

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
