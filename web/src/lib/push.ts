import { apiFetch } from '$lib/api'

/** This browser's push subscription for our site, if the service worker is registered. */
export async function currentSubscription(): Promise<PushSubscription | null> {
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) return null
  const registration = await navigator.serviceWorker.getRegistration('/')
  return (await registration?.pushManager.getSubscription()) ?? null
}

/**
 * Stops push on this device: the server forgets the subscription, the browser drops it. Also
 * run before signing out, so the next person on a shared device does not get our member's pushes.
 */
export async function forgetThisDevice(): Promise<void> {
  const subscription = await currentSubscription().catch(() => null)
  if (!subscription) return
  await apiFetch('/push/subscriptions', { method: 'DELETE', body: { endpoint: subscription.endpoint } }).catch(() => undefined)
  await subscription.unsubscribe().catch(() => false)
}
