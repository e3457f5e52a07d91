// @vitest-environment node
/**
 * The lint rules that keep imports flowing shared → lib → features → app and keep the client to
 * the server's types (eslint.config.js), run on small sources placed at paths in client/src.
 */
import { ESLint } from 'eslint';
import { describe, expect, test } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

/** The messages of the import rule for `code` as if it lived at `filePath`. */
async function importProblems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import direction', () => {
  test('a feature may not import the app', async () => {
    expect(
      await importProblems(
        'client/src/features/auth/x.tsx',
        "import { AppShell } from '../../app/app-shell';",
      ),
    ).toEqual([expect.stringContaining('Features do not import the app')]);
  });

  test('a feature may not import another feature', async () => {
    expect(
      await importProblems(
        'client/src/features/auth/x.tsx',
        "import { TasksPage } from '../tasks/tasks-page';",
      ),
    ).toEqual([expect.stringContaining('does not import another feature')]);
  });

  test('lib may import neither features nor the app', async () => {
    expect(
      await importProblems(
        'client/src/lib/x.ts',
        "import { quote } from '../features/tasks/task-errors';\nimport { AppRoutes } from '../app/app-routes';",
      ),
    ).toEqual([expect.stringContaining('lib/ is below'), expect.stringContaining('lib/ is below')]);
  });

  test('app code may not import test helpers; tests may', async () => {
    const code = "import { renderApp } from '../test/render-app';";
    expect(await importProblems('client/src/app/x.tsx', code)).toEqual([
      expect.stringContaining('for tests only'),
    ]);
    expect(await importProblems('client/src/app/x.test.tsx', code)).toEqual([]);
  });

  test('shared imports neither side', async () => {
    expect(await importProblems('shared/x.ts', "import { trpc } from '../client/src/lib/trpc';")).toEqual([
      expect.stringContaining('shared/ imports neither'),
    ]);
  });

  test('the client takes only types from the server, in every folder', async () => {
    for (const file of ['client/src/app/x.ts', 'client/src/features/tasks/x.ts', 'client/src/lib/x.ts']) {
      const depth = file.split('/').length - 1;
      const server = `${'../'.repeat(depth)}server/trpc/router`;
      expect(await importProblems(file, `import { appRouter } from '${server}';`)).toEqual([
        expect.stringContaining('only types from the server'),
      ]);
      expect(await importProblems(file, `import type { AppRouter } from '${server}';`)).toEqual([]);
    }
  });

  test('the allowed directions pass', async () => {
    expect(
      await importProblems(
        'client/src/features/tasks/x.ts',
        "import { trpc } from '../../lib/trpc';\nimport { TASK_TITLE_MAX } from '../../../../shared/task-rules';\nimport { quote } from './task-errors';",
      ),
    ).toEqual([]);
    expect(
      await importProblems(
        'client/src/app/x.tsx',
        "import { TasksPage } from '../features/tasks/tasks-page';",
      ),
    ).toEqual([]);
  });
});
