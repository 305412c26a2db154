/**
 * Test helper: a deterministic (seeded) stream of varied Fulcio-shaped certificates from test/sim/ca.ts —
 * SAN kinds (URI, e-mail, DNS, IPv4/IPv6, Fulcio .1.7 OtherName, several at once, none), GitHub Actions
 * and e-mail extension sets with unusual values (Unicode, empty, control characters, long), unknown
 * extensions with random bytes, critical flags, subject DNs with characters that need escaping and
 * several string types, serials of 1–20 bytes with and without the sign pad, UTCTime and
 * GeneralizedTime validity, and P-256 / P-384 / Ed25519 / RSA keys.
 */
import { createFulcioCa, deriveKeyPair, fulcioExtensionsFor, issueLeafFast, type FastSan, type FulcioCa, type SimKeyPair } from '../../../../../test/sim/ca.js';

/** mulberry32: a tiny seeded PRNG, good enough to vary test inputs reproducibly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['acme', 'widget', 'sigstore', 'rekor', 'ünïcødé', 'spa ce', 'comma,plus+', 'quote"back\\slash', 'tab\tnl\n', '日本語', '🚀rocket', '#hash', 'semi;<angle>', ''];

export interface GeneratedCerts {
  readonly ca: FulcioCa;
  readonly ders: Uint8Array[];
}

export async function generateCerts(n: number, seed = 1): Promise<GeneratedCerts> {
  const ca = await createFulcioCa({ seed: `gen-${seed}` });
  const keys: SimKeyPair[] = [
    await deriveKeyPair(`gen-${seed}`, 'p256'),
    await deriveKeyPair(`gen-${seed}`, 'p384', 'p384'),
    await deriveKeyPair(`gen-${seed}`, 'ed25519', 'ed25519'),
    await deriveKeyPair(`gen-${seed}`, 'rsa', 'rsa2048'),
  ];
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const word = (): string => pick(WORDS);
  const hexBytes = (len: number): string => Array.from({ length: len }, () => Math.floor(r() * 256).toString(16).padStart(2, '0')).join('');
  const ders: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const owner = `${word() || 'o'}${i}`;
    const repo = `${owner}/${word() || 'r'}`;
    const gha = r() < 0.5;
    const email = `${word().replace(/[^a-z]/g, '') || 'u'}${i}@example.com`;
    const identity = gha ? `https://github.com/${repo}/.github/workflows/${word()}.yml@refs/heads/${word()}` : email;
    const sans: FastSan[] = [];
    const sanKind = r();
    if (sanKind < 0.7) sans.push(gha ? { type: 'uri', value: identity } : { type: 'email', value: identity });
    else if (sanKind < 0.8) sans.push({ type: 'other', oid: '1.3.6.1.4.1.57264.1.7', value: `user-${word()}` });
    else if (sanKind < 0.9)
      sans.push({ type: 'dns', value: `h${i}.example.org` }, { type: 'ip', value: pick(['10.0.0.1', '2001:db8::1', '::', 'fe80:0:0:1::2', '1:2:3:4:5:6:7:8', '0:0:1:0:0:0:1:0']) });
    else if (sanKind < 0.95) sans.push({ type: 'email', value: email }, { type: 'uri', value: `spiffe://x/${i}` });
    const issuer = pick(['https://token.actions.githubusercontent.com', 'https://accounts.google.com', 'https://github.com/login/oauth', `https://issuer.${word()}.test`]);
    const fulcio: Record<string, string> = { ...fulcioExtensionsFor({ identity, issuer, workflow: word(), trigger: pick(['push', 'release', 'workflow_dispatch']) }) };
    if (r() < 0.1) delete fulcio['1.3.6.1.4.1.57264.1.8'];
    if (r() < 0.05) fulcio['1.3.6.1.4.1.57264.1.23'] = word();
    if (r() < 0.05) fulcio['1.3.6.1.4.1.57264.1.24'] = 'x'.repeat(200 + Math.floor(r() * 300));
    const extra: { oid: string; critical?: boolean; value: Uint8Array }[] = [];
    if (r() < 0.3) extra.push({ oid: `1.2.3.${Math.floor(r() * 100000)}.${i}`, critical: r() < 0.5, value: Buffer.from(hexBytes(Math.floor(r() * 40)), 'hex') });
    if (r() < 0.1) extra.push({ oid: `2.999.${2 ** 40 + i}`, value: Buffer.from([0x05, 0x00]) });
    const subject: [string, string, number?][] = [];
    if (r() < 0.3) {
      subject.push(['2.5.4.3', word()]);
      if (r() < 0.5) subject.push(['2.5.4.10', word(), 0x0c]);
      if (r() < 0.3) subject.push(['2.5.4.6', 'US', 0x13]);
      if (r() < 0.2) subject.push(['1.2.840.113549.1.9.1', email, 0x16]);
      if (r() < 0.2) subject.push(['2.5.4.97', 'VAT-123', 0x12]);
      if (r() < 0.2) subject.push(['0.9.2342.19200300.100.1.25', 'example', 0x16]);
    }
    const serialLen = 1 + Math.floor(r() * 20);
    let serial = hexBytes(serialLen).replace(/^00/, '01');
    if (parseInt(serial.slice(0, 2), 16) >= 0x80) serial = r() < 0.5 ? `00${serial}` : `7f${serial.slice(2)}`;
    const y = r() < 0.1 ? 2050 + Math.floor(r() * 50) : 2015 + Math.floor(r() * 30);
    const notBefore = new Date(Date.UTC(y, Math.floor(r() * 12), 1 + Math.floor(r() * 28), Math.floor(r() * 24), Math.floor(r() * 60), Math.floor(r() * 60)));
    const leaf = issueLeafFast(ca, {
      key: pick(keys),
      notBefore,
      sans,
      noSan: sans.length === 0,
      fulcio,
      extra,
      subject,
      serial,
      sanCritical: r() < 0.9,
    });
    ders.push(leaf.der);
  }
  return { ca, ders };
}
