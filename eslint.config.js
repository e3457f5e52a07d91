// One lint configuration for the whole repo (server, shared, client, tests).
import js from '@eslint/js';
import drizzle from 'eslint-plugin-drizzle';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Names of objects that run drizzle statements: a database handle or a transaction. */
const DRIZZLE_OBJECTS = ['db', 'tx'];

const serverTypesOnly = {
  // tRPC's `observable` is how its docs write a custom link (client code, not our server folder).
  group: ['**/server/**', '!@trpc/server/observable'],
  allowTypeImports: true,
  message: 'The client imports only types from the server.',
};

/** `no-restricted-imports` for each folder of client/src; `regex` is matched against the import path. */
function clientLayers() {
  const above = (folders, message) => ({ regex: `^(\\.\\./)+(${folders.join('|')})(/|$)`, message });
  const testHelpers = above(['test'], 'Test helpers are for tests only.');
  const restrict = (files, patterns, ignores = []) => ({
    files,
    ignores,
    rules: { 'no-restricted-imports': ['error', { patterns: [serverTypesOnly, ...patterns] }] },
  });
  const tests = ['client/**/*.test.{ts,tsx}'];
  return [
    // Its test helpers run the real router in the test process: client/src/test/ is not shipped.
    restrict(['client/**/*.{ts,tsx}'], [], ['client/src/test/**']),
    restrict(['client/src/app/**'], [testHelpers], tests),
    restrict(
      ['client/src/features/**'],
      [
        above(['app'], 'Features do not import the app: move what they share to lib/.'),
        {
          regex: '^\\.\\./(?!\\.\\./)',
          message: 'A feature does not import another feature: move what they share to lib/.',
        },
        testHelpers,
      ],
      tests,
    ),
    restrict(
      ['client/src/lib/**'],
      [above(['features', 'app'], 'lib/ is below features/ and app/: it imports neither.'), testHelpers],
      tests,
    ),
  ];
}

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
  // Imports flow one way: shared -> lib -> features -> app (each feature on its own), and the
  // client knows only the server's types. One rule per folder: a later block replaces an earlier
  // block's options for the same rule, so every block repeats the server rule.
  ...clientLayers(),
  {
    // An example is another repository's code: it knows the package entry, nothing of ours.
    files: ['examples/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./',
              message:
                'Examples import only the package entry (taskmanager/client), as another repository would.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(client|server)(/|$)',
              message: 'shared/ imports neither the client nor the server.',
            },
          ],
        },
      ],
    },
  },
);
