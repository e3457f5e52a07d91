/**
 * `npm run dev`: the API under `tsx watch` (restarts on change) and Vite with hot reload,
 * which forwards /api to it (see vite.config.ts). Open the URL Vite prints.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const VITE_PORT = Number(process.env.VITE_PORT ?? 5173);

// The browser's origin is Vite's, so Better Auth must trust it for cookie requests.
const viteOrigins = [`http://localhost:${VITE_PORT}`, `http://127.0.0.1:${VITE_PORT}`];
const env = {
  ...process.env,
  TRUSTED_ORIGINS: [process.env.TRUSTED_ORIGINS, ...viteOrigins].filter(Boolean).join(','),
};

const api = spawn(
  process.execPath,
  ['--import', 'tsx', '--watch', '--watch-preserve-output', 'server/index.ts'],
  {
    cwd: root,
    env,
    stdio: 'inherit',
  },
);

const vite = await createServer({
  configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
  server: { port: VITE_PORT, strictPort: true },
});
await vite.listen();
vite.printUrls();

let stopping = false;
const stop = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  api.kill('SIGTERM');
  await vite.close();
  process.exit(code);
};
api.on('exit', (code) => {
  if (!stopping) {
    console.error(`API server exited (${code ?? 'signal'}); stopping.`);
    void stop(code ?? 1);
  }
});
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
