import { describe, it } from 'vitest';
import { expectFastEqualsFull } from './testing/fast-equals-full.js';

// 10,000 generated certificates in all, split over two files so the unit project's two forks share the work.
describe('certificate fast path equals @peculiar/x509 on generated certificates (part 2 of 2)', () => {
  it('5,000 varied certificates', async () => {
    await expectFastEqualsFull(5000, 2 * 7919);
  });
});
