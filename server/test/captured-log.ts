import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../logger';

/** A real logger at `level` whose lines land in `output` (one JSON string each), for log assertions. */
export function captureLog(level: string): { log: Logger; output: string[] } {
  const output: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: createLogger(level, sink), output };
}
