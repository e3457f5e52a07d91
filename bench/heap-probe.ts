/**
 * Preloaded into the server by `bench:soak` (`--import`): writes the process's V8 heap figures and
 * the longest event-loop delay of the last 2 s to `BENCH_HEAP_FILE` every 2 s, so the bench can sample the heap of another process without an
 * inspector. The timer is unref'd: it never keeps the server alive.
 */
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.BENCH_HEAP_FILE;
if (file) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  setInterval(() => {
    const { heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    const loopDelayMaxMs = delay.max / 1e6;
    delay.reset();
    writeFileSync(file, JSON.stringify({ heapUsed, heapTotal, external, arrayBuffers, loopDelayMaxMs }));
  }, 2_000).unref();
}
