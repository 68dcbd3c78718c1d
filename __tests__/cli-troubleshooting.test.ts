// The "Troubleshooting by browser message" table (docs/diagnostics.md) is rendered from
// lib/cli/messages.ts, the source `corsguard check` prints its messages from: the guide must hold
// exactly that rendering.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { entryFor, fill, troubleshootingTable, TROUBLESHOOTING } from '../lib/cli/messages.js';

/** The table lines of one section of the diagnostics guide. */
function readmeTable(section: string): string {
  const readme = readFileSync(join(__dirname, '..', 'docs', 'diagnostics.md'), 'utf8');
  const start = readme.indexOf(`\n${section}\n`);
  const body = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return `${body
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .join('\n')}\n`;
}

describe('the troubleshooting table', () => {
  it("is the guide's table, cell for cell", () => {
    expect(readmeTable('## Troubleshooting by browser message')).toBe(troubleshootingTable());
  });

  it('has one row per cause', () => {
    expect(new Set(TROUBLESHOOTING.map((e) => e.cause)).size).toBe(TROUBLESHOOTING.length);
  });

  it('fills the value and the origin into a text', () => {
    expect(fill('{value} from {origin}', { value: 'PUT', origin: 'https://a.example' })).toBe(
      'PUT from https://a.example',
    );
    expect(entryFor('method-not-allowed').cause).toBe('method-not-allowed');
    expect(entryFor('allow-headers-invalid').cause).toBe('allow-headers-invalid');
  });
});
