// One folder for every server instance of this run; the test workers inherit its path.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function globalSetup(): void {
  process.env.CORSGUARD_SERVERS_DIR = mkdtempSync(join(tmpdir(), 'corsguard-servers-'));
}
