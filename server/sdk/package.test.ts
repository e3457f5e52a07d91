/**
 * The SDK as another repository installs it: `npm run build:sdk` output behind the package's
 * `exports` (`taskmanager/client`), copied into a folder outside this repository with only the
 * packages a consumer needs, where `examples/service` is type-checked and run (its own Node
 * process) against the real server with an API key.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSdk, SDK_OUT_DIR } from '../../scripts/build-sdk';
import { createApiKey, getToken, signUp, startTestServer, type TestServer } from '../test/server';
import { createApiClient } from './api-client';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs a Node program; resolves with its exit code and output. */
function run(args: string[], { cwd = root, env = {} }: { cwd?: string; env?: Record<string, string> } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A folder outside this repository, as another repository would have it: `node_modules/taskmanager`
 * holds only package.json and the built SDK, next to the packages a consumer installs; the example
 * service's files are copied in.
 */
async function createConsumer(): Promise<string> {
  const consumer = await mkdtemp(join(tmpdir(), 'taskmanager-consumer-'));
  const installed = join(consumer, 'node_modules', 'taskmanager');
  await mkdir(installed, { recursive: true });
  await cp(join(root, 'package.json'), join(installed, 'package.json'));
  await cp(SDK_OUT_DIR, join(installed, 'dist', 'sdk'), { recursive: true });
  for (const name of CONSUMER_PACKAGES) {
    await mkdir(dirname(join(consumer, 'node_modules', name)), { recursive: true });
    await symlink(join(root, 'node_modules', name), join(consumer, 'node_modules', name), 'dir');
  }
  await writeFile(join(consumer, 'package.json'), '{ "type": "module", "private": true }\n');
  for (const file of ['main.ts', 'type-checks.ts', 'tsconfig.json']) {
    await cp(join(root, 'examples', 'service', file), join(consumer, file));
  }
  return consumer;
}

let consumer: string;

/** The example service as a separate program in the consumer folder (TypeScript run by tsx). */
const runExample = (env: Record<string, string>, title: string) =>
  run(['--import', pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href, 'main.ts', title], {
    cwd: consumer,
    env,
  });

/**
 * What a consumer needs installed: at run time `@trpc/client`, `zod` and `eventsource` (the SSE
 * client that sends the JWT in a header, decisions D33); for the types also
 * `@trpc/server` and `drizzle-orm` (the task type is derived from the drizzle schema).
 */
const CONSUMER_PACKAGES = [
  '@trpc/client',
  '@trpc/server',
  'zod',
  'eventsource',
  'eventsource-parser',
  'drizzle-orm',
  '@types/node',
  'undici-types',
];

describe('the installable SDK (taskmanager/client)', () => {
  let server: TestServer;

  beforeAll(async () => {
    [server] = await Promise.all([startTestServer('pglite'), buildSdk()]);
    consumer = await createConsumer();
  });
  afterAll(async () => {
    await server?.stop();
    if (consumer) await rm(consumer, { recursive: true, force: true });
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
    expect(imports.sort()).toEqual(['@trpc/client', 'eventsource', 'zod']);
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

  it('type-checks the example in another folder that has only the package and its type dependencies', async () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const checked = await run([tsc, '-p', consumer], { cwd: consumer });
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.code).toBe(0);
  });

  it('exits 1 with a clear message, and without the key, when the key is refused', async () => {
    const badKey = `tm_${'x'.repeat(64)}`;
    const run = await runExample({ TASKS_URL: server.url, TASKS_API_KEY: badKey }, 'never');
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('The API key was refused: Invalid or expired API key');
    expect(run.stdout + run.stderr).not.toContain(badKey);
  });
});
