import adapter from '@sveltejs/adapter-node'

/** @type {import('@sveltejs/kit').Config} */
export default {
  kit: {
    adapter: adapter({ out: 'build', precompress: false }),
    // A real CSP for every page: SvelteKit adds the hashes of its own inline scripts. Hashes,
    // not nonces: a cached public page is sent to many visitors, and a nonce must be single-use.
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:', 'https:'],
        'font-src': ['self'],
        'connect-src': ['self', 'ws:', 'wss:'],
        // The push service worker (src/service-worker.ts), served from our own origin.
        'worker-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
        'frame-ancestors': ['none'],
      },
    },
    alias: { $shared: '../shared/src' },
    // Registered by the settings page when a member turns on push, not on every visit (nor on
    // every profile subdomain): it only shows push notifications.
    serviceWorker: { register: false },
  },
}
