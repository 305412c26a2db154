import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExactMap, sampledHash } from './exact-map.js';
import { GramIndex } from './gram-index.js';
import { matchRules, type RuleMatch } from './match.js';
import { ProbeBatch } from './probe-batch.js';
import { ProbeFilter } from './probe-filter.js';
import { CompiledCache } from './compiled-cache.js';
import { PrefixIndex } from './prefix-index.js';
import { RuleIndex } from './rule-index.js';
import { parseRule, type RuleRecord } from './schema.js';
import { realEvent } from './testing/real-events.js';
import { EntryTable } from './entry-table.js';
import { decodeRule, encodeRule } from './rule-text.js';
import { TextArena } from './text-arena.js';
import { TokenIndex } from './token-index.js';

const sorted = (ms: RuleMatch[]): RuleMatch[] =>
  [...ms].sort((a, b) => (a.subscriptionId + '\0' + a.ruleId).localeCompare(b.subscriptionId + '\0' + b.ruleId));

describe('ProbeFilter', () => {
  it('never refuses a live key through growth, removals and rebuilds', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(5000)), { maxLength: 3000 }), (ops) => {
        const f = new ProbeFilter();
        const live = new Map<number, number>();
        const all = (): Iterable<number> => [...live.entries()].flatMap(([h, n]) => Array<number>(n).fill(h));
        for (const [add, h] of ops) {
          if (add) {
            live.set(h, (live.get(h) ?? 0) + 1);
            f.add(h, all);
          } else if ((live.get(h) ?? 0) > 0) {
            live.set(h, live.get(h)! - 1);
            if (live.get(h) === 0) live.delete(h);
            f.remove(all);
          }
          // (checked after each step so a rebuild in the middle is covered)
        }
        for (const h of live.keys()) expect(f.mayHave(h)).toBe(true);
        expect(f.size).toBe([...live.values()].reduce((a, b) => a + b, 0));
      }),
      { numRuns: 60 },
    );
  });

  it('refuses all but a few in a thousand absent keys (four bits per key in one block)', () => {
    const f = new ProbeFilter();
    const keys: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      keys.push(Math.imul(i, 0x9e3779b1) >>> 0);
      f.add(keys[i]!, () => keys);
    }
    let maybe = 0;
    for (let i = 10_000; i < 20_000; i++) if (f.mayHave(Math.imul(i, 0x9e3779b1) >>> 0)) maybe++;
    expect(maybe).toBeLessThan(100); // 1 %; four bits at 16 bits per key give ~0.3 %, one bit ~6 %
  });
});

describe('ProbeBatch', () => {
  it('queues the probes of several structures and values, and resolves exactly what each would find alone', () => {
    const exact = new ExactMap<number>();
    const prefixes = new PrefixIndex<number>();
    for (let i = 0; i < 3000; i++) {
      exact.add(`v${i}`, i);
      if (i % 3 === 0) prefixes.insert(`v${i}`, 10_000 + i);
    }
    const batch = new ProbeBatch<number>();
    const ids = { exact: exact.register(batch), prefixes: prefixes.register(batch) };
    // 400 values: more probes than the queue's first capacity
    const values = Array.from({ length: 400 }, (_, i) => `v${(i * 37) % 4000}${i % 5 === 0 ? '7' : ''}`);
    values.forEach((v, no) => {
      exact.plan(v, no, batch, ids.exact);
      prefixes.plan(v, no, batch, ids.prefixes);
    });
    const got: number[] = [];
    const passed = batch.test();
    for (let k = 0; k < passed; k++) batch.resolve(k, values, got);
    const want: number[] = [];
    for (const v of values) {
      const e = exact.get(v);
      if (e !== undefined) want.push(...(typeof e === 'number' ? [e] : e));
      prefixes.collect(v, want);
    }
    expect(got.sort((a, b) => a - b)).toEqual(want.sort((a, b) => a - b));
    expect(want.length).toBeGreaterThan(300);
    expect(batch.test()).toBe(0); // the queue was emptied
  });
});

describe('TokenIndex and GramIndex behind their filters', () => {
  it('find every filed item whose key occurs in the value, at any size (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-c]{1,4}$/), { minLength: 1, maxLength: 400 }), fc.stringMatching(/^[a-c ./]{0,30}$/), (words, value) => {
        const tokens = new TokenIndex<string>();
        const grams = new GramIndex<string>();
        const filed: Array<{ key: string; item: string }> = [];
        const gfiled: Array<{ key: number; lit: string; item: string }> = [];
        words.forEach((w, i) => {
          const lit = `/${w}/`;
          const t = tokens.insert([lit], `t${i}`);
          if (t !== undefined) filed.push({ key: t.key, item: `t${i}` });
          if (w.length >= 3) {
            const g = grams.insert([w], `g${i}`);
            gfiled.push({ key: g.key, lit: g.literal, item: `g${i}` });
          }
        });
        // remove every third one, so removals and rebuilds happen
        filed.forEach((f, i) => i % 3 === 0 && tokens.remove(f.key, f.item));
        gfiled.forEach((f, i) => i % 3 === 0 && grams.remove(f.key, f.item));
        const out: string[] = [];
        tokens.collect(value, out);
        const words2 = new Set(value.split(/[^a-c]+/));
        for (const [i, f] of filed.entries()) if (i % 3 !== 0 && words2.has(f.key)) expect(out).toContain(f.item);
        const gout: string[] = [];
        grams.collect(value, gout);
        for (const [i, f] of gfiled.entries()) if (i % 3 !== 0 && value.includes(f.lit)) expect(gout).toContain(f.item);
      }),
      { numRuns: 150 },
    );
  });
});

describe('TokenIndex length × first-character classes', () => {
  it('a class emptied by removals refuses its tokens, keeps serving the class of a key still filed, and comes back when re-filed', () => {
    const tokens = new TokenIndex<string>();
    const long1 = `x${'a'.repeat(70)}`;
    const long2 = `x${'b'.repeat(90)}`; // both over 63 characters: one shared class
    tokens.insert(['/team1/'], 'a');
    tokens.insert(['/team2/'], 'b'); // same class (5, 't')
    tokens.insert([`/${long1}/`], 'l1');
    tokens.insert([`/${long2}/`], 'l2');
    const found = (v: string) => {
      const out: string[] = [];
      tokens.collect(v, out);
      return out.sort();
    };
    expect(found(`a@team1.team2.${long1}.${long2}`)).toEqual(['a', 'b', 'l1', 'l2']);
    tokens.remove('team1', 'a');
    expect(found('a@team1.team2')).toEqual(['b']);
    tokens.remove('team2', 'b');
    expect(found('a@team1.team2')).toEqual([]);
    tokens.remove(long1, 'l1');
    expect(found(`${long1}/${long2}`)).toEqual(['l2']);
    tokens.insert(['/team1/'], 'c');
    expect(found('a@team1.team2')).toEqual(['c']);
  });
});

describe('PrefixIndex and ExactMap', () => {
  it('prefix index collects exactly the stored prefixes of a value, shortest first (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[ab/é]{1,6}$/), { maxLength: 60 }), fc.array(fc.nat(59)), fc.stringMatching(/^[ab/é]{0,8}$/), (prefixes, removals, s) => {
        const index = new PrefixIndex<{ p: string; i: number }>();
        const items = prefixes.map((p, i) => ({ p, i }));
        for (const it of items) index.insert(it.p, it);
        const gone = new Set(removals.filter((r) => r < items.length));
        for (const r of gone) expect(index.remove(items[r]!.p, items[r]!)).toBe(true);
        for (const r of gone) expect(index.remove(items[r]!.p, items[r]!)).toBe(false);
        const out: Array<{ p: string; i: number }> = [];
        index.collect(s, out);
        const want = items.filter((it, i) => !gone.has(i) && s.startsWith(it.p));
        expect(out.map((x) => x.i).sort((a, b) => a - b)).toEqual(want.map((x) => x.i));
        expect(out.map((x) => x.p.length)).toEqual(out.map((x) => x.p.length).sort((a, b) => a - b));
        expect(index.size).toBe(items.length - gone.size);
      }),
      { numRuns: 300 },
    );
  });

  it('prefix index: prefixes of one length with different last characters, and lengths that come and go', () => {
    const index = new PrefixIndex<string>();
    index.insert('https://github.com/acme/', 'acme');
    index.insert('https://github.com/acmf@', 'at'); // same length, another last character
    index.insert('https://github.com/', 'host');
    const got = (s: string): string[] => {
      const out: string[] = [];
      index.collect(s, out);
      return out;
    };
    expect(got('https://github.com/acme/widget')).toEqual(['host', 'acme']);
    expect(got('https://github.com/acmf@x')).toEqual(['host', 'at']);
    expect(got('https://github.com/acmex')).toEqual(['host']);
    expect(index.remove('https://github.com/', 'host')).toBe(true);
    expect(got('https://github.com/acme/widget')).toEqual(['acme']);
    expect(index.remove('https://github.com/acme/', 'acme')).toBe(true);
    expect(got('https://github.com/acme/widget')).toEqual([]);
    expect(got('https://github.com/acmf@x')).toEqual(['at']);
    expect(index.size).toBe(1);
  });

  it('prefix index at 20,000 prefixes sharing most of their text', () => {
    const index = new PrefixIndex<number>();
    for (let i = 0; i < 20_000; i++) index.insert(`https://github.com/org${i}/`, i);
    const out: number[] = [];
    for (const i of [0, 7, 19_999, 20_000, 123_456]) index.collect(`https://github.com/org${i}/repo/.github/workflows/x.yml@refs/heads/main`, out);
    expect(out).toEqual([0, 7, 19_999]);
  });

  it('exact map keeps single items and buckets apart', () => {
    const m = new ExactMap<{ id: number }>();
    const a = { id: 1 };
    const b = { id: 2 };
    m.add('x', a);
    expect(m.get('x')).toBe(a);
    m.add('x', b);
    expect(m.get('x')).toEqual([a, b]);
    expect(m.remove('x', a)).toBe(true);
    expect(m.get('x')).toBe(b);
    expect(m.remove('x', a)).toBe(false);
    expect(m.remove('x', b)).toBe(true);
    expect(m.get('x')).toBeUndefined();
    expect(m.size).toBe(0);
  });
});

describe('TextArena', () => {
  it('reads back what it stored, across chunks and compaction', () => {
    const arena = new TextArena();
    // ~3.5 MB: several 1 MiB chunks, texts up to 40 KB so that some end near a chunk's end
    const texts = Array.from({ length: 3000 }, (_, i) => `{"rule":${i},"value":"ünïcödé-${'x'.repeat((i * 7919) % 2400)}${i % 100 === 0 ? '€'.repeat(12_000) : ''}"}`);
    const refs = texts.map((t, i) => ({ at: arena.store(t), bytes: arena.lastBytes, i }));
    expect(arena.stats.capacity).toBeGreaterThan(2 << 20);
    for (const r of refs) expect(arena.read(r.at, r.bytes)).toBe(texts[r.i]);
    const kept = refs.filter((r) => r.i % 4 === 0);
    for (const r of refs) if (r.i % 4 !== 0) arena.free(r.bytes);
    expect(arena.fragmented).toBe(true);
    const capacity = arena.stats.capacity;
    arena.compact((relocate) => {
      for (const r of kept) r.at = relocate(r.at, r.bytes);
    });
    expect(arena.fragmented).toBe(false);
    expect(arena.stats.freed).toBe(0);
    expect(arena.stats.capacity).toBeLessThan(capacity);
    for (const r of kept) expect(arena.read(r.at, r.bytes)).toBe(texts[r.i]);
    const more = arena.store('after compaction');
    expect(arena.read(more, arena.lastBytes)).toBe('after compaction');
  });

  it('takes a text of up to a chunk, and refuses a longer one', () => {
    const arena = new TextArena();
    arena.store('x'.repeat(1000));
    const big = 'y'.repeat(400_000); // 3 × length exceeds a chunk, its UTF-8 does not
    const at = arena.store(big);
    expect(arena.read(at, arena.lastBytes)).toBe(big);
    expect(() => arena.store('€'.repeat(400_000))).toThrow(RangeError);
  });
});

describe('rule text', () => {
  it('decodes to the rule it encoded, whatever the values hold (property)', () => {
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 30 }), // control characters, quotes, backslashes, astral planes
      fc.constantFrom('https://github.com/acme/', 'https://token.actions.githubusercontent.com', '"},', '@refs/tags/v1', '\u0001'),
    );
    const matcher = fc.record({ type: fc.constantFrom('exact' as const, 'prefix' as const), value: value.filter((v) => v.length > 0) });
    fc.assert(
      fc.property(matcher, fc.array(matcher, { minLength: 1, maxLength: 3 }), fc.option(matcher, { nil: undefined }), (san, issuers, fingerprint) => {
        const rule = parseRule({ san, issuers, ...(fingerprint === undefined ? {} : { fingerprint }), extensions: [{ name: 'source-repository-uri', value: san }] });
        const text = encodeRule(rule);
        expect(decodeRule(text)).toEqual(JSON.parse(JSON.stringify(rule)));
      }),
      { numRuns: 300 },
    );
  });

  it('is much shorter than the JSON for the usual identities', () => {
    const rule = parseRule({
      san: { type: 'exact', value: 'https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3' },
      issuers: [{ type: 'exact', value: 'https://token.actions.githubusercontent.com' }],
    });
    expect(encodeRule(rule).length).toBeLessThan(JSON.stringify(rule).length / 3);
  });
});

describe('EntryTable', () => {
  it('reuses released ids, grows past its first capacity, and keeps each row', () => {
    const t = new EntryTable();
    const ids = Array.from({ length: 3000 }, (_, i) => t.alloc(`s${i}`, `r${i}`, i * 10, i, i % 7));
    expect(new Set(ids).size).toBe(3000);
    for (const id of ids.filter((_, i) => i % 2 === 0)) t.release(id);
    expect(t.size).toBe(1500);
    const again = Array.from({ length: 1500 }, (_, i) => t.alloc(`n${i}`, 'r', 1, 2, -1));
    expect(new Set([...again, ...ids.filter((_, i) => i % 2 === 1)]).size).toBe(3000); // every released id reused, no live one
    for (const [i, id] of ids.entries()) {
      if (i % 2 === 0) continue;
      expect([t.subscription[id], t.ruleId[id], t.at[id], t.bytes[id], t.field[id]]).toEqual([`s${i}`, `r${i}`, i * 10, i, i % 7]);
    }
    t.stamp[again[0]!] = 5;
    t.clearStamps();
    expect(t.stamp[again[0]!]).toBe(0);
  });
});

describe('RuleIndex at scale', () => {
  it('stays equal to the naive matcher after mass removal (arena compaction) and re-adding', () => {
    const rule = (i: number): RuleRecord => ({
      subscriptionId: `s${i}`,
      ruleId: 'r',
      rule: parseRule(
        i % 4 === 0
          ? { san: { type: 'exact', value: `user${i}@example.com` } }
          : i % 4 === 1
            ? { san: { type: 'prefix', value: `user${i}@` } }
            : i % 4 === 2
              ? { san: { type: 'regex', value: `[a-z]+${i}@example\\.com` } }
              : { san: { type: 'regex', value: `.*r${i}@exam.*` }, issuers: [{ type: 'exact', value: 'https://github.com/login/oauth' }] },
      ),
    });
    let live = Array.from({ length: 3000 }, (_, i) => rule(i));
    const index = RuleIndex.build(live);
    for (let i = 0; i < 3000; i++) if (i % 5 !== 0) index.remove(`s${i}`);
    live = live.filter((_, i) => i % 5 === 0);
    for (let i = 1; i < 3000; i += 10) {
      index.replace(`s${i}`, [rule(i)]);
      live.push(rule(i));
    }
    expect(index.stats().rules).toBe(live.length);
    const base = realEvent('email-a-tny-town');
    for (const n of [0, 1, 2, 3, 5, 10, 11, 15, 20, 21, 2990, 2995, 2991]) {
      const event = { ...base, certificate: { ...base.certificate!, sans: [{ type: 'email' as const, value: `user${n}@example.com` }] } };
      const got = sorted(index.match(event));
      expect(got).toEqual(sorted(matchRules(event, live)));
    }
  });
});

describe('RuleIndex compiled-rule cache', () => {
  it('answers the same when it keeps only 2 compiled rules of the 60 that are candidates', () => {
    const records: RuleRecord[] = Array.from({ length: 60 }, (_, i) => ({
      subscriptionId: `s${i}`,
      ruleId: 'r',
      rule: parseRule(i % 2 === 0 ? { san: { type: 'prefix', value: 'user' } } : { san: { type: 'regex', value: `user${i % 7}@.*` } }),
    }));
    const small = new RuleIndex(2);
    small.add(records);
    const base = realEvent('email-a-tny-town');
    for (let round = 0; round < 3; round++) {
      for (const n of [1, 3, 5]) {
        const event = { ...base, certificate: { ...base.certificate!, sans: [{ type: 'email' as const, value: `user${n}@example.com` }] } };
        expect(sorted(small.match(event))).toEqual(sorted(matchRules(event, records)));
      }
      small.remove(`s${round * 2 + 1}`);
      records.splice(records.findIndex((r) => r.subscriptionId === `s${round * 2 + 1}`), 1);
    }
  });
});

describe('CompiledCache (CLOCK)', () => {
  it('keeps at most its capacity, and a used entry survives the next eviction', () => {
    const c = new CompiledCache<string>(3);
    for (const id of [1, 2, 3]) c.set(id, `r${id}`);
    expect(c.get(1)).toBe('r1'); // 1 used: a second chance
    c.set(4, 'r4'); // evicts 2, the oldest not used
    expect([c.size, c.get(2), c.get(1), c.get(3), c.get(4)]).toEqual([3, undefined, 'r1', 'r3', 'r4']);
    // clock order is now 3, 1 (re-queued behind 3), 4 and all three are used: the sweep clears their
    // bits and evicts the first it meets again, 3
    c.set(5, 'r5');
    expect(c.size).toBe(3);
    expect([1, 3, 4, 5].filter((id) => c.get(id) !== undefined)).toEqual([1, 4, 5]);
  });

  it('replacing an entry does not evict, delete frees a place, and ids beyond the first page work', () => {
    const c = new CompiledCache<number>(2);
    c.set(7, 1);
    c.set(7, 2);
    c.set(5000, 3);
    expect([c.size, c.get(7), c.get(5000)]).toEqual([2, 2, 3]);
    c.delete(7);
    c.set(9, 4);
    expect([c.size, c.get(7), c.get(9), c.get(5000)]).toEqual([2, undefined, 4, 3]);
  });
});

describe('ExactMap filter', () => {
  it('finds every stored value, including values whose sampled hashes collide (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[ab]{0,40}$/), { maxLength: 2500 }), fc.array(fc.stringMatching(/^[ab]{0,40}$/), { maxLength: 50 }), (values, probes) => {
        const m = new ExactMap<{ v: string }>();
        const items = values.map((v) => ({ v }));
        for (const it of items) m.add(it.v, it);
        for (const it of items.filter((_, i) => i % 2 === 1)) m.remove(it.v, it);
        const live = items.filter((_, i) => i % 2 === 0);
        for (const p of [...probes, ...values]) {
          const got = m.get(p);
          const n = got === undefined ? 0 : Array.isArray(got) ? got.length : 1;
          expect(n).toBe(live.filter((it) => it.v === p).length);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('sampled hash: values differing outside the samples collide, values differing in length do not', () => {
    const a = 'x'.repeat(60);
    const b = a.slice(0, 1) + 'y' + a.slice(2); // position 1 is not sampled for length 60
    expect(sampledHash(a)).toBe(sampledHash(b));
    expect(sampledHash(a)).not.toBe(sampledHash(a + 'x'));
  });
});
