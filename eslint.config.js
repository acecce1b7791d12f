// The lint gate (`npm run lint`): type-aware TypeScript rules, Svelte, and a size limit per file.
import js from '@eslint/js'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['**/node_modules/', '**/build/', '**/.svelte-kit/', '.tools/', 'data/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.browser },
      parserOptions: {
        // The service worker is outside the web's tsconfig (SvelteKit types it on its own).
        projectService: { allowDefaultProject: ['web/src/service-worker.ts'] },
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
    rules: {
      // A promise nobody awaits or marks with `void` loses its errors.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Split a file along its concerns before it passes 300 lines (tests and scripts may be longer).
      'max-lines': ['error', { max: 300 }],
      // The app is served at the root of its origin (no `paths.base`), so links need no resolve().
      'svelte/no-navigation-without-resolve': 'off',
      // {@html} shows only what the one shared renderer (marked, then the sanitizer) produced.
      'svelte/no-at-html-tags': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    // Tests and scripts may be longer, and may reach into loosely typed results.
    files: ['**/*.test.ts', 'scripts/**', 'tests/**', 'server/test/**'],
    rules: { 'max-lines': 'off', '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
)
