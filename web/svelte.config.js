import adapter from '@sveltejs/adapter-node'

/** @type {import('@sveltejs/kit').Config} */
export default {
  kit: {
    // Precompressed (gzip and brotli) built files, which the handler sends to browsers that accept them.
    adapter: adapter({ out: 'build', precompress: true }),
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
    // Registered by the root layout on the main site only (not on a profile's own host), which
    // SvelteKit's automatic registration cannot tell apart.
    serviceWorker: { register: false },
  },
}
