/**
 * Certificates per second: the fast DER walk (apps/worker/src/parse/certificate-fast.ts) vs @peculiar/x509
 * (certificate-full.ts), on the real certificates in ../shared/testdata and on generated Fulcio-shaped ones.
 * Run: pnpm exec tsx bench/parse.bench.ts
 */
import { parseCertificateFast } from '../apps/worker/src/parse/certificate-fast.js';
import { parseCertificateFull } from '../apps/worker/src/parse/certificate-full.js';
import { generateCerts } from '../apps/worker/src/parse/testing/generated-certs.js';
import { realCertificates } from '../apps/worker/src/parse/testing/real-certs.js';

function rate(ders: Uint8Array[], fn: (d: Uint8Array) => unknown, minMs: number): number {
  for (const d of ders) fn(d); // warm-up
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    for (const d of ders) fn(d);
    n += ders.length;
  }
  return (n * 1000) / (performance.now() - t0);
}

const sets: [string, Uint8Array[]][] = [
  ['real (testdata)', realCertificates().map((c) => c.der)],
  ['generated', (await generateCerts(500, 3)).ders],
];
for (const [name, ders] of sets) {
  const fast = rate(ders, parseCertificateFast, 2000);
  const full = rate(ders, parseCertificateFull, 3000);
  console.log(
    `${name.padEnd(16)} ${ders.length} certs  fast ${Math.round(fast).toLocaleString('en')}/s (${(1e6 / fast).toFixed(1)} µs)  ` +
      `@peculiar/x509 ${Math.round(full).toLocaleString('en')}/s (${(1e6 / full).toFixed(0)} µs)  speed-up ${(fast / full).toFixed(0)}×`,
  );
}
