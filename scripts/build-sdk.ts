/**
 * Builds the SDK that other repositories install as `taskmanager/client` (package.json `exports`):
 * `dist/sdk/api-client.js` (ESM, only `@trpc/client` and `zod` imported at run time) and one bundled
 * `dist/sdk/api-client.d.ts` carrying every procedure's input and output types. Server modules appear
 * in the declarations only, as types; none is imported at run time.
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';
import { dts } from 'rolldown-plugin-dts';

const root = fileURLToPath(new URL('..', import.meta.url));
export const SDK_OUT_DIR = fileURLToPath(new URL('../dist/sdk', import.meta.url));

/** Packages the SDK leaves to the installer (the consumer's copy is used). */
const EXTERNAL = /^(@trpc\/|zod(\/|$)|eventsource(\/|$))/;

export async function buildSdk(outDir = SDK_OUT_DIR): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await build({
    cwd: root,
    input: ['server/sdk/api-client.ts'],
    // Node modules that only types refer to (drizzle-orm, jose, …) stay imports in the .d.ts.
    external: (id) =>
      EXTERNAL.test(id) || (!id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0')),
    platform: 'neutral',
    plugins: [dts({ tsconfig: 'tsconfig.json', compilerOptions: { noEmit: false } })],
    output: { dir: outDir, format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    // The declaration build (a TypeScript program) is slow by nature; no need to say so each run.
    checks: { bundlerTimings: false },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildSdk();
  console.log(`SDK built in ${SDK_OUT_DIR}`);
}
