// One lint configuration for the whole repo (server, shared, client, tests).
import js from '@eslint/js';
import drizzle from 'eslint-plugin-drizzle';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Names of objects that run drizzle statements: a database handle or a transaction. */
const DRIZZLE_OBJECTS = ['db', 'tx'];

export default tseslint.config(
  { ignores: ['node_modules', 'dist', '.data', 'drizzle', 'test-results', 'coverage'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // An update or delete without a WHERE would touch every user's tasks. Statements run on a
    // database (`db`) or a transaction (`tx`); those are the only names we give such objects.
    // Proven by server/db/where-lint.test.ts.
    files: ['server/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    plugins: { drizzle },
    rules: {
      'drizzle/enforce-delete-with-where': ['error', { drizzleObjectName: DRIZZLE_OBJECTS }],
      'drizzle/enforce-update-with-where': ['error', { drizzleObjectName: DRIZZLE_OBJECTS }],
    },
  },
  {
    // The client may only know the server's types, never its code.
    files: ['client/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/**'],
              allowTypeImports: true,
              message: 'The client imports only types from the server.',
            },
          ],
        },
      ],
    },
  },
);
