/** `pnpm bench`: every benchmark in turn, each printing its own figures (see README "Benchmarks"). */
import { spawnSync } from 'node:child_process';

const benches = ['tlog', 'parse', 'sim', 'ingest', 'match', 'latency', 'api'];
let failed = 0;
for (const name of benches) {
  process.stdout.write(`\n=== bench:${name} ===\n`);
  const r = spawnSync('pnpm', ['--silent', `bench:${name}`], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`bench:${name} failed (exit ${r.status})\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
