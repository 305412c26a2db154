/**
 * `pnpm bench:ingest`: entries/s through the follower's whole path — fetch from the simulator over HTTP,
 * verify (hash into the compact range, root = signed root), parse into SigningEvents, enqueue to BullMQ,
 * persist the position — for each log kind; and the ceiling: hashing + parsing alone on the same leaves.
 * Needs PostgreSQL and Redis (DATABASE_URL / REDIS_URL, defaults as in .env.example).
 *
 * The simulator runs in a child process (`sigwatch sim`) so that serving tiles and entries does not count
 * against the follower's CPU; BENCH_SIM=inprocess runs it inside this process as before. Besides wall-clock
 * entries/s the table gives entries per CPU-second of this process (less sensitive to other load on a shared
 * machine), the load average before each log, and the CPU the simulator and Redis used meanwhile (all three
 * share the machine's cores), then the CPU of each thread of this process (Linux /proc). PARSE_THREADS sets the publish threads as for the worker (default 2);
 * BENCH_PROFILE=<dir> writes a CPU profile of each follower run.
 */
import 'reflect-metadata';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import pg from 'pg';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { loadavg } from 'node:os';
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';
import { hashLeaf } from '@sigwatch/tlog';
import { createDb } from '@sigwatch/db';
import { Producer, QueueName, createRedis } from '@sigwatch/queue';
import { startSimulator } from '../test/sim/server.js';
import type { LogKind } from '../test/sim/entry-factory.js';
import { loadLogList, loadTrustedRoot } from '../apps/worker/src/logs/log-list.js';
import { Follower } from '../apps/worker/src/follow/follower.js';
import { LogStateStore } from '../apps/worker/src/follow/log-state-store.js';
import { createPublisher, createSource } from '../apps/worker/src/follow/role.js';
import { parseLeaf } from '../apps/worker/src/parse/parse-leaf.js';

const N: Record<string, number> = { 'rekor-v1': Number(process.env['BENCH_V1'] ?? 5_000), 'rekor-v2': Number(process.env['BENCH_V2'] ?? 50_000), ct: Number(process.env['BENCH_CT'] ?? 20_000) };
const base = process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/sigwatch';
const dbName = `sigwatch_bench_${randomBytes(4).toString('hex')}`;
const dbUrl = (() => {
  const u = new URL(base);
  u.pathname = `/${dbName}`;
  return u.toString();
})();

interface BenchSim {
  readonly logsJsonPath: string;
  readonly trustedRootPath: string;
  append(log: LogKind, opts: { count: number }): Promise<number[]>;
  /** CPU seconds the simulator has used (NaN when it runs in this process or /proc is missing). */
  cpuSeconds(): Promise<number>;
  close(): Promise<void>;
}

/** `sigwatch sim` in its own process group; appends through its loopback control API. */
async function childSimulator(dir: string): Promise<BenchSim> {
  const child: ChildProcess = spawn('pnpm', ['--silent', 'sigwatch', 'sim', '--port', '0', '--dir', dir, '--seed', '1', '--max-get-entries', '1000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited (${code}) before it listened`)));
  });
  const info = JSON.parse(line) as { ok: boolean; pid: number; url: string; logs: string; trustedRoot: string };
  if (!info.ok) throw new Error(`simulator: ${line}`);
  return {
    logsJsonPath: info.logs,
    trustedRootPath: info.trustedRoot,
    async append(log, opts) {
      const res = await fetch(`${info.url}/control/append`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ log, count: opts.count }) });
      if (!res.ok) throw new Error(`append ${log}: HTTP ${res.status} ${await res.text()}`);
      return ((await res.json()) as { indexes: number[] }).indexes;
    },
    cpuSeconds: () => procCpuSeconds(info.pid),
    async close() {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    },
  };
}

const cpuSeconds = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;

/** utime + stime from a /proc stat file (Linux), in seconds; NaN where there is none. */
async function statCpuSeconds(path: string): Promise<number> {
  const stat = await readFile(path, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields.length > 12 ? (Number(fields[11]) + Number(fields[12])) / 100 : Number.NaN;
}

const procCpuSeconds = (pid: number): Promise<number> => statCpuSeconds(`/proc/${pid}/stat`);

/** CPU seconds of each thread of this process (thread id → seconds); empty without /proc. */
async function threadCpuSeconds(): Promise<Map<number, number>> {
  const tids = await readdir('/proc/self/task').catch(() => [] as string[]);
  return new Map(await Promise.all(tids.map(async (t) => [Number(t), await statCpuSeconds(`/proc/self/task/${t}/stat`)] as const)));
}

/**
 * The CPU each thread used between two readings: the follower's (main) thread, then the others busiest
 * first — the publish threads, and V8's platform threads (garbage collection, compilation).
 */
function threadText(before: Map<number, number>, after: Map<number, number>): string {
  const used = [...after].map(([tid, s]) => [tid, s - (before.get(tid) ?? 0)] as const).filter(([, s]) => s > 0.005);
  if (used.length === 0) return 'per-thread CPU: not available';
  const main = used.find(([tid]) => tid === process.pid)?.[1] ?? 0;
  const others = used.filter(([tid]) => tid !== process.pid).map(([, s]) => s).sort((a, b) => b - a);
  return `per-thread CPU-s: main ${main.toFixed(2)}; other threads, busiest first: ${others.map((s) => s.toFixed(2)).join(', ')}`;
}

/** CPU seconds the Redis server has used (INFO cpu). */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const read = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? Number.NaN);
  return read('used_cpu_user') + read('used_cpu_sys');
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: base.replace(/\/[^/]*$/, '/postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  execFileSync('pnpm', ['exec', 'prisma', 'migrate', 'deploy'], { env: { ...process.env, DATABASE_URL: dbUrl }, stdio: 'ignore' });
  const dir = await mkdtemp(join(tmpdir(), 'sigwatch-bench-ingest-'));
  const inProcess = process.env['BENCH_SIM'] === 'inprocess';
  const sim: BenchSim = inProcess
    ? Object.assign(await startSimulator({ dir, port: 0, seed: 1, maxGetEntries: 1000 }), { cpuSeconds: async () => Number.NaN })
    : await childSimulator(dir);
  const db = createDb(dbUrl);
  const redis = createRedis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', 'producer');
  const prefix = `bench-ingest-${randomBytes(3).toString('hex')}`;
  const producer = new Producer(QueueName.EntriesToMatch, redis, prefix);
  // As the worker runs it (PARSE_THREADS, default 2), recent-events list included.
  const threads = Number(process.env['PARSE_THREADS'] ?? 2);
  const publisher = createPublisher(redis, { redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', prefix, threads, recordRecentEvents: process.env['BENCH_RECENT'] !== '0' });
  const logs = await loadLogList(sim.logsJsonPath, await loadTrustedRoot(sim.trustedRootPath));
  const store = new LogStateStore(db);
  console.log(`publish threads: ${threads}${threads === 0 ? ' (parse and queue on the follower thread)' : ''}`);
  console.log(`simulator: ${inProcess ? 'in this process (its CPU counts against the follower)' : 'child process (sigwatch sim); figures are Sigwatch alone'}; ${loadText()}`);
  console.log('log kind   entries   end-to-end entries/s (per CPU-s)   hash+parse ceiling entries/s (per CPU-s)   load avg');
  try {
    for (const l of logs) {
      await sim.append(l.kind, { count: 1 });
      await store.ensureLog(l);
      const source = createSource(l);
      const follower = new Follower({ source, store, publisher, log: pino({ level: 'silent' }) });
      if ((await follower.poll()) !== 'started') throw new Error(`${l.kind}: could not start`);
      const before = (await store.load(l.id)).position?.treeSize ?? 0n;
      const t0 = Date.now();
      let appended = 0;
      while (appended < (N[l.kind] ?? 1000)) appended += (await sim.append(l.kind, { count: Math.min(5_000, (N[l.kind] ?? 1000) - appended) })).length;
      const appendMs = Date.now() - t0;
      const load = loadavg()[0]!.toFixed(1);
      const simCpu0 = await sim.cpuSeconds();
      const redisCpu0 = await redisCpuSeconds(redis);
      const profiler = await startProfile();
      const threads0 = await threadCpuSeconds();
      const c1 = process.cpuUsage();
      const t1 = performance.now();
      let outcome = await follower.poll();
      while (outcome === 'advanced') outcome = await follower.poll();
      const seconds = (performance.now() - t1) / 1000;
      const cpu1 = cpuSeconds(process.cpuUsage(c1));
      const perThread = threadText(threads0, await threadCpuSeconds());
      await profiler?.(`${l.kind}.cpuprofile`);
      const others = `simulator ${((await sim.cpuSeconds()) - simCpu0).toFixed(2)} CPU-s, Redis ${((await redisCpuSeconds(redis)) - redisCpu0).toFixed(2)} CPU-s, Sigwatch ${cpu1.toFixed(2)} CPU-s`;
      const after = (await store.load(l.id)).position?.treeSize ?? 0n;
      const n = Number(after - before);
      // Ceiling: the same leaves, already in memory, hashed and parsed only (the follower hands its leaf
      // hash to the parser, so it is computed once here too).
      const leaves = await source.fetchLeaves(before, after, { offset: 0n });
      const c2 = process.cpuUsage();
      const t2 = performance.now();
      const log = { origin: l.origin, kind: l.kind };
      leaves.forEach((leaf, i) => {
        const leafHash = hashLeaf(leaf.leaf);
        const index = before + BigInt(i);
        parseLeaf({ log, index, globalIndex: index, leafBytes: leaf.leaf, leafHash, ...(leaf.uuid !== undefined ? { uuid: leaf.uuid } : {}), ...(leaf.integratedTime !== undefined ? { integratedTime: leaf.integratedTime } : {}) });
      });
      const ceilingSeconds = (performance.now() - t2) / 1000;
      const cpu2 = cpuSeconds(process.cpuUsage(c2));
      const rate = (secs: number) => (n / secs).toFixed(0);
      console.log(
        `${l.kind.padEnd(10)} ${String(n).padStart(7)}   ${rate(seconds).padStart(20)} (${rate(cpu1).padStart(6)})   ${rate(ceilingSeconds).padStart(28)} (${rate(cpu2).padStart(6)})   ${load.padStart(8)}   (append took ${appendMs} ms, last poll: ${outcome}; ${others})`,
      );
      console.log(`           ${perThread}`);
    }
  } finally {
    await producer.queue.obliterate({ force: true }).catch(() => {});
    await redis.del(`${prefix}:recent-events`);
    await publisher.close();
    await producer.close();
    redis.disconnect();
    await db.$disconnect();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
}

/** BENCH_PROFILE=<dir>: a V8 CPU profile of each log's follower run (the end-to-end phase only). */
async function startProfile(): Promise<((name: string) => Promise<void>) | undefined> {
  const dir = process.env['BENCH_PROFILE'];
  if (!dir) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async (name) => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(join(dir, name), JSON.stringify(profile));
    session.disconnect();
  };
}

function loadText(): string {
  return `load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`;
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
