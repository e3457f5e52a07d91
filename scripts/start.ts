/** `npm start`: build the web client if it is missing or stale, then start the server. */
import { buildClient, clientBuildIsStale } from './client-build';

if (clientBuildIsStale()) {
  console.log('Building the web client…');
  const started = performance.now();
  await buildClient();
  console.log(`Web client built in ${Math.round(performance.now() - started)} ms.`);
}

await import('../server/index');
