/**
 * One follower per log across processes (leader-lock.ts), against the real PostgreSQL: a second session
 * cannot take a held lock, gets it once the holder lets go, and when the server kills the holder's
 * connection the holder notices, closes that connection and competes again as any other worker.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { LeaderLock, lockSessionName } from '../../../apps/worker/src/follow/leader-lock.js';
import { testDatabaseUrl } from '../../harness/env.js';
import { waitFor } from './follow-role.js';

let admin: pg.Client;
const locks: LeaderLock[] = [];
const lockFor = (logId: string) => {
  const l = new LeaderLock(testDatabaseUrl(), logId);
  locks.push(l);
  return l;
};

async function sessions(logId: string): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [lockSessionName(logId)]);
  return rows.map((r) => r.pid);
}

beforeAll(async () => {
  admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
});

afterAll(async () => {
  for (const l of locks) await l.release();
  await admin?.end();
});

describe('leader lock', () => {
  it('is held by one session at a time and passes on when released', async () => {
    const logId = `lock-test-${randomBytes(4).toString('hex')}`;
    const a = lockFor(logId);
    const b = lockFor(logId);
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    expect(a.held).toBe(true);
    expect(b.held).toBe(false);
    expect(await sessions(logId)).toHaveLength(1);
    await a.release();
    expect(await sessions(logId)).toHaveLength(0);
    expect(await b.tryAcquire()).toBe(true);
    expect(await a.tryAcquire()).toBe(false);
  });

  it('a holder whose connection the server killed notices, closes it, and competes again', async () => {
    const logId = `lock-test-${randomBytes(4).toString('hex')}`;
    const a = lockFor(logId);
    const b = lockFor(logId);
    expect(await a.tryAcquire()).toBe(true);
    const [pid] = await sessions(logId);
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await waitFor('the holder to notice its connection broke', async () => !a.held, 5_000);
    // The lock died with the session: another worker takes it over …
    expect(await b.tryAcquire()).toBe(true);
    // … and the old holder, asking again, stands by without keeping a second session open.
    expect(await a.tryAcquire()).toBe(false);
    expect(await sessions(logId)).toHaveLength(1);
    await b.release();
    expect(await a.tryAcquire()).toBe(true);
    expect(a.held).toBe(true);
  });
});
