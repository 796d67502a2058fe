// ESLint: typescript-eslint's type-checked recommended rules over the TypeScript of lib/,
// spec/, examples/ and bench/; the plain recommended rules over the browser and CommonJS
// JavaScript. Formatting is Prettier's job (`prettier --check .`), so no style rules here.
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', '.bench/', 'node_modules/', '.scratch/', '.stryker-tmp/', 'reports/'] },
  {
    files: ['**/*.ts'],
    extends: [eslint.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `const { dropped, ...rest } = object` is how a field is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // A variable a callback reads before it is assigned (a handler set up first) stays `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['examples/dashboard/**/*.js'],
    extends: [eslint.configs.recommended],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['**/*.cjs'],
    extends: [eslint.configs.recommended],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
  {
    files: ['eslint.config.js', 'stryker.config.mjs'],
    extends: [eslint.configs.recommended],
    languageOptions: { globals: globals.node },
  },
);
