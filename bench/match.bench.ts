/**
 * `pnpm bench:match` — cost of matching one SigningEvent against 10 … 100,000 subscriptions with the
 * compiled RuleIndex (packages/rules/src/rule-index.ts).
 *
 * Subscription mix (issue 6): 60 % exact identities (SAN + issuer, source-repository URI, e-mail),
 * 30 % prefix or literal-bearing regex, 10 % other (fingerprint, digest, glob, key subject, trigger+repo).
 * The mix holds at every size, 10 included (6 exact, 3 prefix/regex, 1 other).
 * Events look like the public log: GitHub Actions certificates with ~20 Fulcio extensions, e-mail
 * certificates, keys; about 2 % of them belong to a subscribed identity.
 * Fresh `node --import tsx --expose-gc` children (gc only to read a settled RSS); rules added in pages
 * of 5,000 like the worker; events re-parsed from JSON before each timed batch, so their strings are
 * fresh as the worker's are. Timing: one child holds all four indexes and times them batch by batch in
 * turn (same load for every size). Memory: one child per size. Cost is CPU time of the process per event
 * (user + system, the "per core" figure; under a shared machine's load wall time mostly measures
 * waiting) and wall time.
 * Goals: cost(100k) / cost(10) ≤ 1.5; ≥ 50,000 events/s per core at 100k; RSS < 256 MB at 100k;
 * every ReDoS-corpus pattern on a 100,000-character value < 50 ms.
 * Knobs: BENCH_MATCH_MS (CPU ms per size, default 2000), BENCH_MATCH_SPACES=1 (V8 heap spaces of each
 * child on stderr), BENCH_MATCH_IDLE=<ms> (idle that long before the GC, letting V8's memory reducer run).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import {
  matchRules,
  parseRule,
  RuleIndex,
  type RuleRecord,
  type SigningEvent,
} from '../packages/rules/src/index.js';
import { REDOS_CORPUS } from '../packages/rules/src/testing/redos-corpus.js';

const GHA = 'https://token.actions.githubusercontent.com';
const SIZES = [10, 1_000, 10_000, 100_000];
/** Key of the diagnostic timing: 100,000 subscriptions naming the same fields as the 10 do. */
const SAME_FIELDS = -100_000;
/** Key of the other diagnostic: the 10 plus one rule of each other "other" kind, naming every field the 100,000 name. */
const ALL_FIELDS_SMALL = -14;

/** Deterministic PRNG (mulberry32) so runs compare. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const hex = (r: () => number, n: number): string => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');

const org = (i: number): string => `org${i}`;
const repo = (i: number): string => `repo-${i}`;
const wfSan = (o: string, rp: string, wf: string, ref: string): string => `https://github.com/${o}/${rp}/.github/workflows/${wf}@${ref}`;

/**
 * Subscription i's rule, following the mix at every size (10 included): slot i % 10 picks the class —
 * 0–5 exact (workflow SAN + issuer, source-repository URI + issuer, e-mail SAN + issuer: two slots each),
 * 6–8 prefix or literal-bearing regex (org prefix, workflow regex, e-mail domain regex), 9 other
 * (fingerprint, digest, glob, key subject, trigger + owner, in turn).
 */
function ruleFor(i: number, r: () => number, otherAsAt10 = false): unknown {
  const slot = i % 10;
  if (slot < 6) {
    switch (slot % 3) {
      case 0:
        return { san: { type: 'exact', value: wfSan(org(i), repo(i), 'release.yml', 'refs/heads/main') }, issuers: [{ type: 'exact', value: GHA }] };
      case 1:
        return { issuers: [{ type: 'exact', value: GHA }], extensions: [{ name: 'source-repository-uri', value: { type: 'exact', value: `https://github.com/${org(i)}/${repo(i)}` } }] };
      default:
        return { san: { type: 'exact', value: `dev${i}@mail${i % 997}.example.com` }, issuers: [{ type: 'exact', value: 'https://accounts.google.com' }] };
    }
  }
  if (slot === 6) return { san: { type: 'prefix', value: `https://github.com/${org(i)}/` }, issuers: [{ type: 'exact', value: GHA }] };
  if (slot === 7) return { san: { type: 'regex', value: `https://github\\.com/${org(i)}/[^/]+/\\.github/workflows/release\\.ya?ml@refs/(heads|tags)/.*` } };
  if (slot === 8) return { san: { type: 'regex', value: `[a-z0-9.]+@team${i}\\.example\\.org` } };
  switch (otherAsAt10 ? 0 : Math.floor(i / 10) % 5) {
    case 0:
      return { fingerprint: { type: 'exact', value: hex(r, 64) } };
    case 1:
      return { digest: { type: 'exact', value: hex(r, 64) } };
    case 2:
      return { san: { type: 'glob', value: `https://gitlab.com/group${i}/**` } };
    case 3:
      return { subject: { type: 'exact', value: `Key Owner ${i} <owner${i}@example.net>` } };
    default:
      return {
        extensions: [
          { name: 'build-trigger', value: { type: 'exact', value: 'release' } },
          { name: 'source-repository-owner-uri', value: { type: 'exact', value: `https://github.com/${org(i)}` } },
        ],
      };
  }
}

/**
 * Subscriptions from..to-1 (each one's rule depends only on its number). `otherAsAt10`: the 10 % "other"
 * are all fingerprint rules, as they are at 10 subscriptions, so the index names the same fields at any
 * size (the diagnostic "same fields" row).
 */
function records(to: number, from = 0, otherAsAt10 = false): RuleRecord[] {
  const out: RuleRecord[] = [];
  for (let i = from; i < to; i++) out.push({ subscriptionId: `sub-${i}`, ruleId: 'r0', rule: parseRule(ruleFor(i, rng(i + 1), otherAsAt10)) });
  return out;
}

function ghaEvent(r: () => number, o: string, rp: string, idx: number): SigningEvent {
  const sha = hex(r, 40);
  const ref = r() < 0.7 ? 'refs/heads/main' : `refs/tags/v${Math.floor(r() * 9)}.${Math.floor(r() * 9)}.0`;
  const wf = r() < 0.5 ? 'release.yml' : 'ci.yml';
  const san = wfSan(o, rp, wf, ref);
  const p = '1.3.6.1.4.1.57264.1.';
  const trigger = r() < 0.5 ? 'push' : 'release';
  return {
    log: { origin: 'rekor.sigstore.dev - 1193050959916656506', kind: 'rekor-v1' },
    index: String(idx),
    globalIndex: String(idx + 121904262),
    leafHash: hex(r, 64),
    integratedTime: 1_760_000_000 + idx,
    kind: r() < 0.6 ? 'dsse' : 'hashedrekord',
    apiVersion: '0.0.1',
    digests: [{ algorithm: 'sha256', value: hex(r, 64) }],
    certificate: {
      sans: [{ type: 'uri', value: san }],
      issuer: GHA,
      extensions: {
        [`${p}1`]: GHA, [`${p}2`]: trigger, [`${p}3`]: sha, [`${p}4`]: 'Release', [`${p}5`]: `${o}/${rp}`, [`${p}6`]: ref,
        [`${p}8`]: GHA, [`${p}9`]: san, [`${p}10`]: sha, [`${p}11`]: 'github-hosted', [`${p}12`]: `https://github.com/${o}/${rp}`,
        [`${p}13`]: sha, [`${p}14`]: ref, [`${p}15`]: String(Math.floor(r() * 1e9)), [`${p}16`]: `https://github.com/${o}`,
        [`${p}17`]: String(Math.floor(r() * 1e8)), [`${p}18`]: san, [`${p}19`]: sha, [`${p}20`]: trigger,
        [`${p}21`]: `https://github.com/${o}/${rp}/actions/runs/${Math.floor(r() * 1e10)}/attempts/1`, [`${p}22`]: 'public',
      },
      serial: hex(r, 40),
      notBefore: '2026-11-01T00:00:00Z',
      notAfter: '2026-11-01T00:10:00Z',
      fingerprintSha256: hex(r, 64),
      publicKeySha256: hex(r, 64),
      chain: 'valid',
    },
  };
}

function emailEvent(r: () => number, email: string, idx: number): SigningEvent {
  const e = ghaEvent(r, 'x', 'y', idx);
  const issuer = 'https://accounts.google.com';
  return { ...e, certificate: { ...e.certificate!, sans: [{ type: 'email', value: email }], issuer, extensions: { '1.3.6.1.4.1.57264.1.1': issuer, '1.3.6.1.4.1.57264.1.8': issuer } } };
}

/** 4,000 events over a population of identities 50× larger than the largest subscription count is… not: ~2 % are subscribed at 100k. */
function events(count: number): SigningEvent[] {
  const r = rng(42);
  const out: SigningEvent[] = [];
  for (let i = 0; i < count; i++) {
    const x = r();
    // identities are drawn from 0..5,000,000, so ~2 % of events hit one of 100,000 subscriptions
    const id = Math.floor(r() * 5_000_000);
    if (x < 0.75) out.push(ghaEvent(r, org(id), repo(id), i));
    else if (x < 0.95) out.push(emailEvent(r, r() < 0.5 ? `dev${id}@mail${id % 997}.example.com` : `someone${id}@team${id}.example.org`, i));
    else {
      const e = ghaEvent(r, org(id), repo(id), i);
      const { certificate: _c, ...rest } = e;
      out.push({ ...rest, publicKey: { fingerprintSha256: hex(r, 64), subjects: [`Key Owner ${id} <owner${id}@example.net>`], keyType: 'pgp' } });
    }
  }
  return out;
}

const fmt = (x: number, d = 2): string => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const mb = (b: number): string => `${fmt(b / 1048576, 1)} MB`;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const signed = (b: number): string => `${b < 0 ? '−' : '+'}${fmt(Math.abs(b) / 1048576, 0)}`;
const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');

interface MemoryResult {
  n: number;
  buildMs: number;
  stats: string;
  rssBefore: number;
  rssAfter: number;
  rssAfterNoGc: number;
  peakRss: number;
  heapDelta: number;
  replaceUs: number | undefined;
}

interface TimingResult {
  n: number;
  /** CPU time of the process per event (user + system): the "per core" cost. */
  cpuUs: number;
  wallUs: number;
  matchesPer1k: number;
}

function eventBatches(): string[] {
  const batches: string[] = [];
  const evs = events(4000);
  for (let i = 0; i < evs.length; i += 500) batches.push(JSON.stringify(evs.slice(i, i + 500)));
  return batches;
}

/** The 10 subscriptions and subscriptions 19, 29, 39 and 49: a digest, a glob, a key-subject and a trigger + owner rule. */
function allFieldsSmallIndex(): RuleIndex {
  const extra = [19, 29, 39, 49].map((i) => ({ subscriptionId: `sub-${i}`, ruleId: 'r0', rule: parseRule(ruleFor(i, rng(i + 1))) }));
  return RuleIndex.build([...records(10), ...extra]);
}

function buildIndex(n: number, otherAsAt10 = false): RuleIndex {
  // like the worker: rules arrive in pages, each added to the live index
  const index = new RuleIndex();
  for (let from = 0; from < n; from += 5000) index.add(records(Math.min(n, from + 5000), from, otherAsAt10));
  return index;
}

/**
 * Memory of one size, alone in a fresh process: RSS before the index, after building it (pages of
 * 5,000) and matching every event once, after a full GC once V8's background thread has handed the
 * freed pages back.
 */
async function memoryChild(n: number): Promise<void> {
  const batches = eventBatches();
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const index = buildIndex(n);
  const buildMs = performance.now() - t0;
  for (let round = 0; round < 2; round++) for (const b of batches) for (const e of JSON.parse(b) as SigningEvent[]) index.match(e);
  const rssAfterNoGc = process.memoryUsage().rss;
  if (process.env.BENCH_MATCH_IDLE !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, Number(process.env.BENCH_MATCH_IDLE)));
    console.error(`after ${process.env.BENCH_MATCH_IDLE} ms idle: rss ${mb(process.memoryUsage().rss)}`);
  }
  gc();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const m = process.memoryUsage();
  if (process.env.BENCH_MATCH_SPACES !== undefined) {
    for (const sp of v8.getHeapSpaceStatistics()) console.error(`${sp.space_name}: size ${mb(sp.space_size)}, used ${mb(sp.space_used_size)}, physical ${mb(sp.physical_space_size)}`);
  }
  let replaceUs: number | undefined;
  if (n >= 100_000) {
    const recs = records(1000);
    const t1 = performance.now();
    for (const r of recs) index.replace(r.subscriptionId, [r]);
    replaceUs = ((performance.now() - t1) * 1000) / recs.length;
  }
  const s = index.stats();
  const result: MemoryResult = {
    n,
    buildMs,
    stats: `${s.exact}/${s.prefix}/${s.token}/${s.gram}/${s.scan}`,
    rssBefore,
    rssAfter: m.rss,
    rssAfterNoGc,
    peakRss: process.resourceUsage().maxRSS * 1024,
    heapDelta: m.heapUsed - heapBefore,
    replaceUs,
  };
  console.log(JSON.stringify(result));
}

/**
 * Cost of every size in one fresh process, interleaved batch by batch (each batch of 500 events is
 * JSON-parsed, untimed, then matched against one size's index, then the next size's…), so that all
 * sizes are timed under the same load of this shared machine and the ratio compares like with like.
 */
function timingChild(minCpuMs: number): void {
  const batches = eventBatches();
  const indexes = [
    ...SIZES.map((n) => ({ n, index: buildIndex(n) })),
    { n: SAME_FIELDS, index: buildIndex(100_000, true) },
    { n: ALL_FIELDS_SMALL, index: allFieldsSmallIndex() },
  ].map((x) => ({ ...x, cpu: 0, wall: 0, count: 0, matches: 0 }));
  for (const x of indexes) for (const b of batches) for (const e of JSON.parse(b) as SigningEvent[]) x.index.match(e); // warm-up
  while (indexes.some((x) => x.cpu < minCpuMs * 1000)) {
    for (const b of batches) {
      for (const x of indexes) {
        const batch = JSON.parse(b) as SigningEvent[];
        const c0 = process.cpuUsage();
        const w0 = performance.now();
        for (const e of batch) x.matches += x.index.match(e).length;
        x.wall += (performance.now() - w0) * 1000;
        const c = process.cpuUsage(c0);
        x.cpu += c.user + c.system;
        x.count += batch.length;
      }
    }
  }
  const out: TimingResult[] = indexes.map((x) => ({ n: x.n, cpuUs: x.cpu / x.count, wallUs: x.wall / x.count, matchesPer1k: (x.matches / x.count) * 1000 }));
  console.log(JSON.stringify(out));
}

function runChild<T>(args: string[]): T {
  const script = process.argv[1]!;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', script, ...args], { encoding: 'utf8', cwd: process.cwd() });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`child ${args.join(' ')} failed: ${r.stderr}`);
  }
}

function main(): void {
  const minMs = Number(process.env.BENCH_MATCH_MS ?? 2000);
  console.log('sigwatch match benchmark — RuleIndex, one core, fresh `node --import tsx` processes');
  console.log(`node ${process.version}; 4,000 distinct events, re-parsed from JSON per batch of 500; load average at start ${load()}\n`);
  const timing = new Map(runChild<TimingResult[]>(['--timing', String(minMs)]).map((t) => [t.n, t]));
  const loadAfterTiming = load();
  const memory = new Map(SIZES.map((n) => [n, runChild<MemoryResult>(['--memory', String(n)])]));
  console.log('subscriptions |  build ms | CPU µs/event | wall µs/event | events/s (CPU) | matches/1k ev |  RSS (index +) | exact/prefix/word/gram/scan');
  console.log('--------------|-----------|--------------|---------------|----------------|---------------|----------------|-----------------------------');
  for (const n of SIZES) {
    const t = timing.get(n)!;
    const m = memory.get(n)!;
    console.log(
      `${n.toLocaleString('en-US').padStart(13)} | ${fmt(m.buildMs, 0).padStart(9)} | ${fmt(t.cpuUs, 3).padStart(12)} | ${fmt(t.wallUs, 3).padStart(13)} | ${fmt(1e6 / t.cpuUs, 0).padStart(14)} | ${fmt(t.matchesPer1k, 1).padStart(13)} | ${`${fmt(m.rssAfter / 1048576, 0)} (${signed(m.rssAfter - m.rssBefore)}) MB`.padStart(14)} | ${m.stats}`,
    );
  }
  const big = timing.get(100_000)!;
  const small = timing.get(10)!;
  const mem = memory.get(100_000)!;
  const ratio = big.cpuUs / small.cpuUs;
  const eps = 1e6 / big.cpuUs;
  console.log(`\nload average after timing: ${loadAfterTiming}; after the memory runs: ${load()}`);
  console.log(`incremental replace of one subscription at 100k: ${fmt(mem.replaceUs ?? Number.NaN, 1)} µs`);
  console.log(`ratio cost(100,000) / cost(10), CPU:  ${fmt(ratio, 2)}   (goal ≤ 1.5)  ${ratio <= 1.5 ? 'OK' : 'MISSED'}   (wall: ${fmt(big.wallUs / small.wallUs, 2)})`);
  const same = timing.get(SAME_FIELDS)!;
  console.log(
    `  diagnostic: 100,000 subscriptions whose 10 % "other" are all fingerprint rules, so that they name the same fields as the 10 do: ${fmt(same.cpuUs, 3)} µs/event, ratio to 10 ${fmt(same.cpuUs / small.cpuUs, 2)} (the rest of the ratio above is the digest, subject and owner-URI fields the full mix adds: more values per event to look up)`,
  );
  const small14 = timing.get(ALL_FIELDS_SMALL)!;
  console.log(
    `  diagnostic: 14 subscriptions (the 10 plus a digest, a glob, a key-subject and a trigger + owner rule) naming every field the 100,000 name: ${fmt(small14.cpuUs, 3)} µs/event, ratio of the 100,000 to it ${fmt(big.cpuUs / small14.cpuUs, 2)} (the growth from the number of rules alone, fields held equal)`,
  );
  console.log(`events/s per core at 100,000 (CPU):   ${fmt(eps, 0)}   (goal ≥ 50,000)  ${eps >= 50_000 ? 'OK' : 'MISSED'}   (wall: ${fmt(1e6 / big.wallUs, 0)})`);
  const ok = mem.rssAfter < 256 * 1048576;
  console.log(`matcher RSS at 100,000:                ${mb(mem.rssAfter)}   (goal < 256 MB)  ${ok ? 'OK' : 'MISSED'}`);
  console.log(`  = ${mb(mem.rssBefore)} before the index (node, tsx, modules, the events as JSON) + ${mb(mem.rssAfter - mem.rssBefore)} for the index; heap +${mb(mem.heapDelta)}`);
  console.log(`  before that GC (after build + matching): ${mb(mem.rssAfterNoGc)}; peak during build: ${mb(mem.peakRss)}`);

  // naive baseline, to show what the index saves
  const naiveRecs = records(10_000);
  const sample = events(100);
  const tn = performance.now();
  for (const e of sample) matchRules(e, naiveRecs);
  console.log(`naive matcher at 10,000 (no index): ${fmt(((performance.now() - tn) * 1000) / sample.length, 0)} µs/event`);

  console.log('\nReDoS corpus (100,000-character values, goal < 50 ms each):');
  let worst = 0;
  for (const [pattern, value, expected] of REDOS_CORPUS) {
    const rule = parseRule({ san: { type: 'regex', value: pattern } });
    const e = emailEvent(rng(1), value, 0);
    const t = performance.now();
    const got = matchRules(e, [{ subscriptionId: 's', ruleId: 'r', rule }]).length > 0;
    const ms = performance.now() - t;
    worst = Math.max(worst, ms);
    console.log(`  ${pattern.padEnd(40).slice(0, 60)} ${fmt(ms, 1).padStart(7)} ms ${got === expected ? '' : 'WRONG ANSWER'}`);
  }
  console.log(`  worst: ${fmt(worst, 1)} ms  ${worst < 50 ? 'OK' : 'MISSED'}`);
}

const memoryAt = process.argv.indexOf('--memory');
const timingAt = process.argv.indexOf('--timing');
if (memoryAt >= 0) await memoryChild(Number(process.argv[memoryAt + 1]));
else if (timingAt >= 0) timingChild(Number(process.argv[timingAt + 1]));
else main();
