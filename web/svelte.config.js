import adapter from '@sveltejs/adapter-node'

/** @type {import('@sveltejs/kit').Config} */
export default {
  kit: {
    adapter: adapter({ out: 'build', precompress: false }),
    // A real CSP for every page: SvelteKit adds hashes/nonces for its own inline scripts.
    csp: {
      mode: 'auto',
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
