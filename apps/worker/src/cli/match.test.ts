import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { testdata } from '../../../../test/harness/paths.js';
import { run } from './match.js';

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

const dir = mkdtempSync(join(tmpdir(), 'sigwatch-match-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
const lines = (): Array<Record<string, unknown>> => out.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

const RULES = JSON.stringify({
  subscriptions: [
    { name: 'tob', rules: [{ name: 'repo', extensions: [{ name: 'source-repository-uri', value: { type: 'exact', value: 'https://github.com/trailofbits/rfc8785.py' } }] }] },
    { name: 'brian', rules: [{ san: { type: 'regex', value: 'brian@dehamer\\.com' }, issuers: [{ type: 'exact', value: 'https://github.com/login/oauth' }] }] },
  ],
});

describe('sigwatch match', () => {
  it('matches real Sigstore bundles and prints one line per match', async () => {
    const code = await run([
      '--rules',
      file('rules.json', RULES),
      testdata('rekor-v1/bundles/gha-hashedrekord-rfc8785py-v0.1.2.sigstore.json'),
      testdata('rekor-v1/bundles/email-dsse-v0.3.sigstore.json'),
      testdata('rekor-v1/bundles/email-hashedrekord-tny-town.sigstore.json'),
    ]);
    expect(code).toBe(0);
    expect(lines().map((l) => [l['subscription'], l['rule'], l['log'], l['index'], l['field'], l['value']])).toEqual([
      ['tob', 'repo', 'rekor.sigstore.dev - 2605736670972794746', '75441652', 'extension:1.3.6.1.4.1.57264.1.12', 'https://github.com/trailofbits/rfc8785.py'],
      ['brian', 'rule 1', 'rekor.sigstore.dev - 2605736670972794746', '23082683', 'san', 'brian@dehamer.com'],
    ]);
  });

  it('reads SigningEvent JSON lines and a rekor-monitor YAML, reporting anchoring on stderr', async () => {
    const ev = (san: string): string =>
      JSON.stringify({
        log: { origin: 'sim', kind: 'rekor-v2' },
        index: '7',
        globalIndex: '7',
        leafHash: 'ab',
        kind: 'hashedrekord',
        apiVersion: '0.0.2',
        digests: [],
        certificate: { sans: [{ type: 'email', value: san }], issuer: 'https://accounts.google.com', extensions: {}, serial: '01', notBefore: 'x', notAfter: 'y', fingerprintSha256: 'aa', publicKeySha256: 'bb', chain: 'unknown' },
      });
    const events = file('events.jsonl', [ev('user@x.com'), ev('evil-user@x.com')].join('\n'));
    const yaml = file('rm.yaml', 'monitoredValues:\n  certIdentities:\n    - certSubject: user@x\\.com\n');
    expect(await run(['--rules', yaml, events])).toBe(0);
    expect(lines().map((l) => l['value'])).toEqual(['user@x.com']);
    expect(err.join('')).toMatch(/anchoring-changed.*evil-user@x\.com/);
    out.length = 0;
    expect(await run(['--rules', yaml, '--anchoring', 'preserve', events])).toBe(0);
    expect(lines().map((l) => l['value'])).toEqual(['user@x.com', 'evil-user@x.com']);
  });

  it('exit 1 on invalid rules or entries, 2 on bad usage', async () => {
    const bad = file('bad.json', JSON.stringify({ subscriptions: [{ name: 'x', rules: [{ san: { type: 'regex', value: '(a' } }] }] }));
    expect(await run(['--rules', bad, bad])).toBe(1);
    expect(lines()[0]).toMatchObject({ ok: false, code: 'INVALID_PATTERN', field: 'subscriptions.0.rules.0.san.value' });
    out.length = 0;
    expect(await run(['--rules', file('ok.json', RULES), file('junk.txt', 'not json\n')])).toBe(1);
    expect(lines()[0]).toMatchObject({ ok: false, code: 'BAD_ENTRY_FILE' });
    expect(await run(['--rules', file('ok2.json', RULES)])).toBe(2);
    expect(await run([file('e.json', '{}')])).toBe(2);
    expect(await run(['--rules', join(dir, 'missing.json'), file('e2.json', '{}')])).toBe(2);
  });
});
