// The example's many-instances mode, run the way the README tells a newcomer to run it:
// `npm run example:many-instances -- --check` builds the examples, starts its own redis-server and
// three instances of the example sharing one SQLite file, walks through an origin added and removed
// on the first instance, and exits 0 only when the other two followed each change within 200 ms.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { findRedis } from './servers.js';

const ROOT = join(__dirname, '..', '..');

it('npm run example:many-instances -- --check: every instance follows the admin changes', async () => {
  const redis = findRedis();
  if (redis === undefined) throw new Error('no redis-server (apt-get install -y redis-server)');
  const child = spawn('npm', ['run', '-s', 'example:many-instances', '--', '--check'], {
    cwd: ROOT,
    // A port range of its own, away from the demo's and the example's defaults.
    env: { ...process.env, REDIS_SERVER: redis, BASE_PORT: '14101', NODE_DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => {
    child.once('exit', resolve);
  });
  expect({ code, output }).toEqual({ code: 0, output: expect.any(String) as string });
  const lines = output.split('\n').filter((line) => /^\s+(ok|FAIL)\s/.test(line));
  // 3 refusals, the POST, 2 followers, the DELETE, 2 followers.
  expect(lines).toHaveLength(9);
  expect(lines.filter((line) => line.includes('FAIL'))).toEqual([]);
  expect(output).toContain('3 instances sharing');
}, 120_000);
