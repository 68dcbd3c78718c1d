// `npm run demo`: the playground on http://127.0.0.1:3000 and its API on http://localhost:4000
// (DEMO_PAGE_PORT and DEMO_API_PORT change the ports). Ctrl-C stops both.
import { startDemo } from './demo.js';

function port(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${name} must be a port number from 0 to 65535, got "${text}"`);
  }
  return value;
}

async function main(): Promise<void> {
  const demo = await startDemo({
    pagePort: port('DEMO_PAGE_PORT', 3000),
    apiPort: port('DEMO_API_PORT', 4000),
  });
  console.log(
    [
      'corsguard demo: two origins, one CORS policy',
      `  playground (open this): ${demo.pageUrl}`,
      `  API (behind corsguard): ${demo.apiUrl}`,
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
  const shutdown = (signal: NodeJS.Signals): void => {
    console.log(`\n${signal}: stopping the demo`);
    void demo.close().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  console.error(
    e.code === 'EADDRINUSE'
      ? `corsguard demo: a port is already in use (${e.message}); set DEMO_PAGE_PORT or DEMO_API_PORT.`
      : `corsguard demo: ${e.message}`,
  );
  process.exit(1);
});
