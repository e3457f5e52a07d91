import { existsSync } from 'node:fs';

/** Debian's Chromium, where `apt-get install chromium` puts it. */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/**
 * Which Chromium the browser tests drive: `CHROMIUM_PATH` when set, else Debian's, else the
 * build shipped inside the `@sparticuz/chromium` npm package (unpacked once into the temp
 * folder), so `npm install && npm test` needs nothing else. Never a browser downloaded at run time.
 */
export async function resolveChromium(): Promise<{ path: string; source: string }> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return { path: configured, source: 'CHROMIUM_PATH' };
  }
  if (existsSync(SYSTEM_CHROMIUM)) return { path: SYSTEM_CHROMIUM, source: 'Debian chromium' };
  const { default: packaged } = await import('@sparticuz/chromium');
  return { path: await packaged.executablePath(), source: '@sparticuz/chromium (npm)' };
}
