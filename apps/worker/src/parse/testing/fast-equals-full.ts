/**
 * The check both generated-certificate test files run (10,000 certificates split over two files so the
 * unit project's two forks share the work; @peculiar/x509 costs ~2 ms a certificate here).
 */
import { expect } from 'vitest';
import { parseCertificateFast } from '../certificate-fast.js';
import { parseCertificateFull } from '../certificate-full.js';
import { generateCerts } from './generated-certs.js';

export async function expectFastEqualsFull(count: number, seed: number): Promise<void> {
  const { ders } = await generateCerts(count, seed);
  let mismatches = 0;
  let firstMismatch: unknown;
  for (const der of ders) {
    const fast = parseCertificateFast(der);
    const full = parseCertificateFull(der);
    if (JSON.stringify(fast) !== JSON.stringify(full)) {
      mismatches++;
      firstMismatch ??= { fast, full };
    }
  }
  expect(firstMismatch).toBeUndefined();
  expect(mismatches).toBe(0);
  // The generator really produced variety: SAN kinds, GeneralizedTime, several key types.
  const all = ders.map((d) => parseCertificateFast(d));
  const sanTypes = new Set(all.flatMap((c) => c.sans.map((s) => s.type)));
  expect([...sanTypes].sort()).toEqual(['dns', 'email', 'ip', 'other', 'uri']);
  expect(all.some((c) => c.notBefore >= '2050')).toBe(true);
  expect(new Set(all.map((c) => c.publicKeySha256)).size).toBe(4);
}
