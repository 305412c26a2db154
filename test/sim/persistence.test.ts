/** State survives a restart: same keys, same trees, appends continue consistently; torn writes are dropped. */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromBase64, fromHex, inspectTlogEntries, verifyConsistency } from '@sigwatch/tlog';
import { startSimulator } from './server.js';
import { clientTrust, ctSth, getJson, v1Checkpoint, v2Checkpoint } from './test-client.js';

const dir = mkdtempSync(join(tmpdir(), 'sim-persist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('persistence', () => {
  it('restarts with the same keys and trees and keeps appending consistently', async () => {
    const first = await startSimulator({ dir, seed: 'persist-1' });
    await first.append('rekor-v1', { count: 30 });
    await first.append('rekor-v2', { count: 260 });
    await first.append('ct', { count: 4 });
    const t1 = clientTrust(first);
    const a1 = await v1Checkpoint(first, t1);
    const a2 = await v2Checkpoint(first, t1);
    const a3 = await ctSth(first, t1);
    const keys = readFileSync(first.trustedRootPath, 'utf8').match(/"rawBytes": "[^"]+"/g);
    await first.close();
    // A torn append: bytes after the last indexed record are discarded on open.
    appendFileSync(join(dir, 'rekor-v2.data'), Buffer.from([0, 0, 1, 0, 42]));

    const second = await startSimulator({ dir, seed: 'ignored-for-an-existing-dir' });
    try {
      expect(readFileSync(second.trustedRootPath, 'utf8').match(/"rawBytes": "[^"]+"/g)).toEqual(keys);
      const t2 = clientTrust(second);
      const b1 = await v1Checkpoint(second, t2);
      const b2 = await v2Checkpoint(second, t2);
      expect(b1.checkpoint.note.text).toBe(a1.checkpoint.note.text);
      expect(b2.checkpoint.note.text).toBe(a2.checkpoint.note.text);
      expect((await ctSth(second, t2)).sha256_root_hash).toBe(a3.sha256_root_hash);
      expect(await second.append('rekor-v1', { count: 5 })).toEqual([30, 31, 32, 33, 34]);
      await second.append('rekor-v2', { count: 3 });
      await second.append('ct', { count: 1 });
      const c1 = await v1Checkpoint(second, t2);
      const p = await getJson(second, `/rekor-v1/api/v1/log/proof?firstSize=30&lastSize=35`);
      verifyConsistency(30, 35, p.hashes.map((h: string) => fromHex(h)), a1.checkpoint.rootHash, c1.checkpoint.rootHash);
      const c3 = await ctSth(second, t2);
      const q = await getJson(second, `/ct/ct/v1/get-sth-consistency?first=${a3.tree_size}&second=${c3.tree_size}`);
      verifyConsistency(a3.tree_size, c3.tree_size, q.consistency.map((h: string) => fromBase64(h)), fromBase64(a3.sha256_root_hash), fromBase64(c3.sha256_root_hash));
      expect(Number((await v2Checkpoint(second, t2)).checkpoint.size)).toBe(263);
      const e = await getJson(second, '/rekor-v1/api/v1/log/entries?logIndex=7');
      expect(inspectTlogEntries(e, { trustedRoot: t2.root })[0]!.verified).toBe(true);
    } finally {
      await second.close();
    }
  });
});
