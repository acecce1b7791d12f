// The import rules of server/src and shared/src, checked by `npm run lint` (dependency-cruiser).
// Modules are layered, lowest first: a module may use the faces (index.ts) of modules below it,
// never of one above it, and never another module's internals. Reactions that would run upward
// are domain events (server/src/events), subscribed to by the higher module.
const LAYERS = [
  ['accounts', 'audit', 'follows', 'push', 'health'],
  ['referrals', 'media'],
  ['groups'],
  ['notifications'],
  ['posts', 'lessons', 'profiles', 'commerce'],
  ['mentions', 'comments', 'moderation'],
  ['messaging'],
  ['onboarding'],
]
const modules = LAYERS.flat()
const layerOf = Object.fromEntries(LAYERS.flatMap((names, i) => names.map((name) => [name, i])))
const upward = modules
  .map((name) => {
    const above = modules.filter((other) => layerOf[other] > layerOf[name])
    return {
      name: `layer-${name}`,
      comment: `${name} sits below ${above.join(', ')}: it may not import them (publish an event instead)`,
      severity: 'error',
      from: { path: `^server/src/modules/${name}/`, pathNot: '\\.test\\.ts$' },
      to: { path: `^server/src/modules/(${above.join('|')})/` },
    }
  })
  .filter((rule) => !rule.to.path.includes('()'))

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import circle: the files in it cannot be understood (or loaded) one at a time.',
      severity: 'error',
      // A Svelte component that renders itself (a tree) is recursion, not a circle of files.
      from: { path: '^(server|shared|web)/src/', pathNot: '\\.svelte$' },
      to: { circular: true },
    },
    {
      name: 'module-internals',
      comment: 'Another module is used through its face (index.ts), not its internals.',
      severity: 'error',
      from: { path: '^server/src/modules/([^/]+)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^server/src/modules/[^/]+/', pathNot: ['^server/src/modules/$1/', '^server/src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'modules-stay-below-the-app',
      comment: 'Modules use shared/, db/, events/, the context and the auth plugin; the app, its composition and the socket server are above them.',
      severity: 'error',
      from: { path: '^server/src/modules/' },
      to: { path: '^server/src/(app|main|cli|compose)\\.ts$|^server/src/realtime/|^server/src/plugins/(?!auth\\.ts)' },
    },
    {
      name: 'db-and-events-are-below-modules',
      comment: 'db/ and events/ know no module, except the schema registry db/models.ts, which gathers every model.ts.',
      severity: 'error',
      from: { path: '^server/src/(db|events)/' },
      to: { path: '^server/src/modules/', pathNot: '^server/src/modules/[^/]+/model\\.ts$|^server/src/modules/commerce/earnings-model\\.ts$' },
    },
    {
      name: 'shared-stands-alone',
      comment: 'shared/ is used by server and web; it imports neither.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(server|web)/' },
    },
    ...upward,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|\\.svelte-kit|build)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'default'], extensions: ['.ts', '.js'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
}
