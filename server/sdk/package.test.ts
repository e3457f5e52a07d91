/**
 * The SDK as another repository installs it: `npm run build:sdk` output behind the package's
 * `exports` (`taskmanager/client`), imported by `examples/service/main.ts` through the package name
 * only, run in its own Node process against the real server with an API key.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSdk, SDK_OUT_DIR } from '../../scripts/build-sdk';
import { createApiKey, getToken, signUp, startTestServer, type TestServer } from '../test/server';
import { createApiClient } from './api-client';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the example service as a separate program; resolves with its exit code and output. */
function runExample(env: Record<string, string>, title: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/service/main.ts', title], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the installable SDK (taskmanager/client)', () => {
  let server: TestServer;

  beforeAll(async () => {
    [server] = await Promise.all([startTestServer('pglite'), buildSdk()]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is what package.json exports, and imports no server code at run time', () => {
    const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as {
      exports: Record<string, { types: string; default: string }>;
    };
    const entry = pkg.exports['./client'];
    expect(entry).toEqual({ types: './dist/sdk/api-client.d.ts', default: './dist/sdk/api-client.js' });
    expect(existsSync(`${root}/${entry?.types}`) && existsSync(`${root}/${entry?.default}`)).toBe(true);

    const js = readFileSync(`${SDK_OUT_DIR}/api-client.js`, 'utf8');
    const imports = [...js.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(imports.sort()).toEqual(['@trpc/client', 'zod']);
    expect(js).not.toMatch(/drizzle|better-auth|pglite|postgres|jose|node:/);

    const types = readFileSync(`${SDK_OUT_DIR}/api-client.d.ts`, 'utf8');
    expect(types).toMatch(/declare function createApiClient\(/);
    expect(types).toMatch(/^export \{[^}]*\bcreateApiClient\b[^}]*\};?$/m);
    expect(types).toContain('clearCompleted');
  });

  it('runs the example service against the real server: lists active tasks, adds one', async () => {
    const owner = await signUp(server, 'example-owner');
    const ownerApi = createApiClient({ baseUrl: server.url, getToken: () => getToken(server, owner.cookie) });
    await ownerApi.task.create.mutate({ title: 'Already there' });
    const done = await ownerApi.task.create.mutate({ title: 'Done already' });
    await ownerApi.task.toggle.mutate({ id: done.id });
    const { key } = await createApiKey(server, owner, { name: 'example service' });

    const run = await runExample({ TASKS_URL: server.url, TASKS_API_KEY: key }, 'Added by the example');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['Active tasks (1):', '- Already there']);
    expect(lines[2]).toMatch(/^Created: Added by the example \([0-9a-f-]{36}\)$/);
    const { items } = await ownerApi.task.list.query({ status: 'active' });
    expect(items.map((t) => t.title)).toEqual(['Added by the example', 'Already there']);
  });

  it('exits 1 with a clear message, and without the key, when the key is refused', async () => {
    const badKey = `tm_${'x'.repeat(64)}`;
    const run = await runExample({ TASKS_URL: server.url, TASKS_API_KEY: badKey }, 'never');
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('The API key was refused: Invalid or expired API key');
    expect(run.stdout + run.stderr).not.toContain(badKey);
  });
});
