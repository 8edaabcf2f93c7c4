// ESLint (flat config): typescript-eslint's recommended type-checked rules on
// the sources, its recommended rules on tests, bench and scripts; formatting
// is Prettier's (.prettierrc.json), so ESLint's stylistic rules are off.
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/.data/', 'tmp/']},
  js.configs.recommended,
  {
    files: ['src/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {parserOptions: {projectService: true, tsconfigRootDir: import.meta.dirname}},
    rules: {
      // Heavy modules (pg, PGlite, the runtime bundle, pg-copy-streams, the config
      // parser) are required where first used, never imported at the top: --help and
      // command discovery must load none of them (docs/DEVELOPING.md#performance,
      // test/commands/help.test.ts).
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      // Rows read back from the database in tests are untyped on purpose (b.sql).
      '@typescript-eslint/no-explicit-any': 'off',
      // The module tracer and the built runtime are loaded from dist/ by path, as installed.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
        setImmediate: 'readonly',
        global: 'writable',
        globalThis: 'readonly',
      },
    },
  },
  {files: ['**/*.mjs'], languageOptions: {sourceType: 'module'}},
  prettier,
)
