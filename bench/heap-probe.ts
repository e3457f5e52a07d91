/**
 * Preloaded into the server by `bench:soak` (`--import`): writes the process's V8 heap figures to
 * `BENCH_HEAP_FILE` every 2 s, so the bench can sample the heap of another process without an
 * inspector. The timer is unref'd: it never keeps the server alive.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_HEAP_FILE;
if (file) {
  setInterval(() => {
    const { heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    writeFileSync(file, JSON.stringify({ heapUsed, heapTotal, external, arrayBuffers }));
  }, 2_000).unref();
}
