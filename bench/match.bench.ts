/**
 * `pnpm bench:match` — cost of matching one SigningEvent against 10 … 100,000 subscriptions with the
 * compiled RuleIndex (packages/rules/src/rule-index.ts).
 *
 * Subscription mix (issue 6): 60 % exact identities (SAN + issuer, source-repository URI, e-mail),
 * 30 % prefix or literal-bearing regex, 10 % other (fingerprint, digest, glob, key subject, trigger+repo).
 * Events look like the public log: GitHub Actions certificates with ~20 Fulcio extensions, e-mail
 * certificates, keys; about 2 % of them belong to a subscribed identity.
 * Goals: cost(100k) / cost(10) ≤ 1.5; ≥ 50,000 events/s per core at 100k; RSS < 256 MB at 100k;
 * every ReDoS-corpus pattern on a 100,000-character value < 50 ms.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
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

/** Subscription i's rule, following the mix. */
function ruleFor(i: number, r: () => number): unknown {
  const k = i % 20; // 12/20 exact, 6/20 prefix-or-regex, 2/20 other
  if (k < 6) return { san: { type: 'exact', value: wfSan(org(i), repo(i), 'release.yml', 'refs/heads/main') }, issuers: [{ type: 'exact', value: GHA }] };
  if (k < 9) return { issuers: [{ type: 'exact', value: GHA }], extensions: [{ name: 'source-repository-uri', value: { type: 'exact', value: `https://github.com/${org(i)}/${repo(i)}` } }] };
  if (k < 12) return { san: { type: 'exact', value: `dev${i}@mail${i % 997}.example.com` }, issuers: [{ type: 'exact', value: 'https://accounts.google.com' }] };
  if (k < 14) return { san: { type: 'prefix', value: `https://github.com/${org(i)}/` }, issuers: [{ type: 'exact', value: GHA }] };
  if (k < 16) return { san: { type: 'regex', value: `https://github\\.com/${org(i)}/[^/]+/\\.github/workflows/release\\.ya?ml@refs/(heads|tags)/.*` } };
  if (k < 18) return { san: { type: 'regex', value: `[a-z0-9.]+@team${i}\\.example\\.org` } };
  if (k === 18) return { fingerprint: { type: 'exact', value: hex(r, 64) } };
  switch (Math.floor(i / 20) % 4) {
    case 0:
      return { digest: { type: 'exact', value: hex(r, 64) } };
    case 1:
      return { san: { type: 'glob', value: `https://gitlab.com/group${i}/**` } };
    case 2:
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

/** Subscriptions from..to-1 (each one's rule depends only on its number). */
function records(to: number, from = 0): RuleRecord[] {
  const out: RuleRecord[] = [];
  for (let i = from; i < to; i++) out.push({ subscriptionId: `sub-${i}`, ruleId: 'r0', rule: parseRule(ruleFor(i, rng(i + 1))) });
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

function timeMatch(index: RuleIndex, evs: SigningEvent[], minMs: number): { usPerEvent: number; matches: number } {
  for (let i = 0; i < Math.min(evs.length, 2000); i++) index.match(evs[i]!); // warm-up (JIT, lazy regex compiles)
  let n = 0;
  let matches = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    for (const e of evs) matches += index.match(e).length;
    n += evs.length;
    t = performance.now();
  }
  return { usPerEvent: ((t - t0) * 1000) / n, matches: (matches * evs.length) / n };
}

const fmt = (x: number, d = 2): string => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const mb = (b: number): string => `${fmt(b / 1048576, 1)} MB`;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

function main(): void {
  gc();
  const rssBaseline = process.memoryUsage().rss;
  const evs = events(4000);
  console.log('sigwatch match benchmark — RuleIndex, one core');
  console.log(`node ${process.version}, ${evs.length} distinct events cycled; gc ${typeof (globalThis as { gc?: unknown }).gc === 'function' ? 'exposed' : 'not exposed (RSS includes garbage)'}\n`);
  console.log('subscriptions |   build ms |  µs/event |     events/s | matches/1k ev | exact/prefix/word/gram/scan');
  console.log('--------------|------------|-----------|--------------|---------------|-----------------------------');
  const results = new Map<number, number>();
  let rss100k = 0;
  let heap100k = 0;
  for (const n of SIZES) {
    const recs = records(n);
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const index = RuleIndex.build(recs);
    const buildMs = performance.now() - t0;
    const { usPerEvent, matches } = timeMatch(index, evs, 1500);
    results.set(n, usPerEvent);
    const s = index.stats();
    console.log(
      `${n.toLocaleString('en-US').padStart(13)} | ${fmt(buildMs, 1).padStart(10)} | ${fmt(usPerEvent, 3).padStart(9)} | ${fmt(1e6 / usPerEvent, 0).padStart(12)} | ${fmt((matches / evs.length) * 1000, 1).padStart(13)} | ${s.exact}/${s.prefix}/${s.token}/${s.gram}/${s.scan}`,
    );
    if (n === 100_000) {
      gc();
      heap100k = process.memoryUsage().heapUsed - heapBefore;
      // incremental update cost: replace one subscription's rules
      const t1 = performance.now();
      for (let i = 0; i < 1000; i++) index.replace(`sub-${i}`, [{ ...recs[i]!, subscriptionId: `sub-${i}` }]);
      console.log(`\nincremental replace of one subscription at 100k: ${fmt(((performance.now() - t1) * 1000) / 1000, 1)} µs`);
    }
  }
  rss100k = rssInFreshProcess();
  const ratio = results.get(100_000)! / results.get(10)!;
  const eps = 1e6 / results.get(100_000)!;
  console.log(`ratio cost(100,000) / cost(10):    ${fmt(ratio, 2)}   (goal ≤ 1.5)  ${ratio <= 1.5 ? 'OK' : 'MISSED'}`);
  console.log(`events/s per core at 100,000:      ${fmt(eps, 0)}   (goal ≥ 50,000)  ${eps >= 50_000 ? 'OK' : 'MISSED'}`);
  console.log(`matcher RSS at 100,000:            ${mb(rss100k)}   (goal < 256 MB)  ${rss100k < 256 * 1048576 ? 'OK' : 'MISSED'}  (a fresh process that built only that index and matched 4,000 events; index heap ≈ ${mb(heap100k)}; this process before any index: ${mb(rssBaseline)})`);

  // naive baseline, to show what the index saves
  const naiveRecs = records(10_000);
  const sample = evs.slice(0, 100);
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

/** RSS of a fresh process holding only the 100,000-subscription index (after matching, after GC). */
function rssInFreshProcess(): number {
  const script = process.argv[1]!;
  const r = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', script, '--rss-child'], { encoding: 'utf8' });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return (JSON.parse(line) as { rss: number }).rss;
  } catch {
    console.error(`RSS child failed: ${r.stderr}`);
    return Number.NaN;
  }
}

function rssChild(): void {
  // like the worker: rules arrive in pages (from the database), each page added to the live index
  const index = new RuleIndex();
  for (let from = 0; from < 100_000; from += 5000) index.add(records(from + 5000, from));
  for (const e of events(4000)) index.match(e);
  gc();
  const m = process.memoryUsage();
  console.error(JSON.stringify({ heapUsed: mb(m.heapUsed), heapTotal: mb(m.heapTotal), external: mb(m.external), rss: mb(m.rss) }));
  console.log(JSON.stringify({ rss: m.rss, rules: index.stats().rules }));
}

if (process.argv.includes('--rss-child')) rssChild();
else main();
