/** The top self-time frames of the `.cpuprofile` files `--cpu-prof` wrote (BENCH_PROFILE=1). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function printTopFrames(dir: string, top = 20): void {
  // One file per thread (tsx's loader runs in a worker); the main thread's is the largest.
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const latest = files.sort((a, b) => statSync(join(dir, a)).size - statSync(join(dir, b)).size).at(-1);
  if (!latest) return console.log(`No profile in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, latest), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node || node.callFrame.functionName === '(idle)') return;
    total += dt;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url
      .replace(/^.*node_modules\//, '')
      .replace(/^file:\/\/.*?\/(server|bench|shared)\//, '$1/');
    const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    const pkg =
      /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
      (url.startsWith('node:') ? 'node:*' : url ? 'project' : functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt);
  });
  const print = (map: Map<string, number>, n: number) => {
    for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
      console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
    }
  };
  console.log(
    `\nBusy time (${Math.round(total / 1000)} ms, idle excluded) in ${join(dir, latest)}, by package:`,
  );
  print(byPackage, 12);
  console.log('Top self-time frames:');
  print(self, top);
}
