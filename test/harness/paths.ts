/** Where the repository and the shared real-data fixtures live (`../shared/testdata` beside the clone). */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The real public-log data (read-only). Override with SIGWATCH_TESTDATA. */
export const testdataDir = process.env['SIGWATCH_TESTDATA'] ?? resolve(repoRoot, '..', 'shared', 'testdata');

export function testdata(...parts: string[]): string {
  const p = resolve(testdataDir, ...parts);
  if (!existsSync(p)) throw new Error(`test data file missing: ${p} (is ../shared beside the clone?)`);
  return p;
}
