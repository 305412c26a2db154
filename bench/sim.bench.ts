/**
 * `pnpm bench:sim`: the log simulator's own budgets (issue 4) —
 * - time to append 100,000 real entries to each log kind (Rekor v1 hashedrekord/dsse/intoto mix, Rekor v2
 *   hashedrekord 0.0.2, CT precert + x509 leaves), target < 60 s each;
 * - latency of serving a full Rekor v2 tile (hash tile and entry bundle) and a 10-entry Rekor v1 retrieve,
 *   p50/p99 over many sequential HTTP requests on 127.0.0.1, target < 5 ms.
 * SIM_BENCH_ENTRIES (default 100000) and SIM_BENCH_REQUESTS (default 500) scale it down for a quick look.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../test/sim/server.js';

const ENTRIES = Number(process.env['SIM_BENCH_ENTRIES'] ?? 100_000);
const REQUESTS = Number(process.env['SIM_BENCH_REQUESTS'] ?? 500);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function latency(sim: Simulator, name: string, request: (i: number) => Promise<Response>): Promise<void> {
  for (let i = 0; i < 20; i++) await (await request(i)).arrayBuffer(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = process.hrtime.bigint();
    const r = await request(i);
    await r.arrayBuffer();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 200) throw new Error(`${name}: HTTP ${r.status}`);
  }
  times.sort((a, b) => a - b);
  const line = `${name.padEnd(42)} p50 ${pct(times, 50).toFixed(2).padStart(6)} ms   p99 ${pct(times, 99).toFixed(2).padStart(6)} ms   (${REQUESTS} requests)`;
  console.log(`${line}   ${pct(times, 50) < 5 ? 'OK (< 5 ms)' : 'OVER 5 ms'}`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sim-bench-'));
  const sim = await startSimulator({ dir, seed: 'bench' });
  try {
    console.log(`sim bench: appending ${ENTRIES.toLocaleString('en')} entries per log (node ${process.version})`);
    for (const log of ['rekor-v1', 'rekor-v2', 'ct'] as const) {
      const t = process.hrtime.bigint();
      // CT: each certificate is logged twice (precert + x509), so half as many certificates.
      const count = log === 'ct' ? ENTRIES / 2 : ENTRIES;
      const idx = await sim.append(log, { count });
      const s = Number(process.hrtime.bigint() - t) / 1e9;
      const rate = Math.round(idx.length / s);
      console.log(`append ${log.padEnd(9)} ${idx.length.toLocaleString('en').padStart(8)} leaves in ${s.toFixed(1).padStart(5)} s  (${rate.toLocaleString('en')} entries/s)  ${s < 60 ? 'OK (< 60 s)' : 'OVER 60 s'}`);
    }
    const tiles = Math.floor(ENTRIES / 256);
    await latency(sim, 'rekor-v2 full hash tile tile/0/<N>', (i) => fetch(`${sim.url}/rekor-v2/tile/0/${String(i % tiles).padStart(3, '0').replace(/^(\d+)(\d{3})$/, 'x$1/$2')}`));
    await latency(sim, 'rekor-v2 full entry bundle tile/entries/<N>', (i) => fetch(`${sim.url}/rekor-v2/tile/entries/${String(i % tiles).padStart(3, '0').replace(/^(\d+)(\d{3})$/, 'x$1/$2')}`));
    await latency(sim, 'rekor-v1 retrieve 10 entries (logIndexes)', (i) => {
      const start = (i * 7919) % (ENTRIES - 10);
      return fetch(`${sim.url}/rekor-v1/api/v1/log/entries/retrieve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ logIndexes: Array.from({ length: 10 }, (_, k) => start + k) }),
      });
    });
    await latency(sim, 'ct get-entries (256)', (i) => {
      const start = ((i * 256) % (ENTRIES - 256));
      return fetch(`${sim.url}/ct/ct/v1/get-entries?start=${start}&end=${start + 255}`);
    });
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
