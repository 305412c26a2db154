/**
 * The first migration deploys on an empty database, and the migrations describe exactly schema.prisma
 * (no drift): `prisma migrate diff` from the migrations to the schema finds no difference.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createDb, expectedMigrations, pendingMigrations } from '@sigwatch/db';
import { testDatabaseUrl } from '../harness/env.js';
import { repoRoot } from '../harness/paths.js';

const run = promisify(execFile);

describe('database migrations', () => {
  it('were deployed on the empty test database: nothing pending, every model table exists', async () => {
    const db = createDb(testDatabaseUrl());
    try {
      expect(expectedMigrations().length).toBeGreaterThan(0);
      expect(await pendingMigrations(db)).toEqual([]);
      const client = new pg.Client({ connectionString: testDatabaseUrl() });
      await client.connect();
      const { rows } = await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
      );
      await client.end();
      const tables = rows.map((r) => r.table_name);
      for (const model of ['User', 'ApiToken', 'EmailAddress', 'WebhookEndpoint', 'Subscription', 'Rule', 'Match', 'Delivery',
        'DeliveryAttempt', 'Log', 'LogPosition', 'Incident', 'MalformedEntry', 'AuditEvent']) {
        expect(tables).toContain(model);
      }
    } finally {
      await db.$disconnect();
    }
  });

  it('have no drift from schema.prisma', async () => {
    const result = await run(
      'pnpm',
      ['exec', 'prisma', 'migrate', 'diff', '--from-migrations', 'prisma/migrations', '--to-schema-datamodel', 'prisma/schema.prisma', '--exit-code'],
      { cwd: repoRoot, env: { ...process.env, DATABASE_URL: testDatabaseUrl() } },
    ).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
    );
    expect(result.out).toContain('No difference detected');
    expect(result.code).toBe(0);
  });

  it('enforce the idempotency keys: a second Match for the same (subscription, log, index) is refused', async () => {
    const db = createDb(testDatabaseUrl());
    try {
      const user = await db.user.create({ data: { email: `m-${Date.now()}@example.test` } });
      const sub = await db.subscription.create({ data: { userId: user.id, name: 'idempotency' } });
      const log = await db.log.create({
        data: { id: `l${Date.now()}`, origin: `test.origin/${Date.now()}`, kind: 'rekor_v1', url: 'http://127.0.0.1', publicKey: '', keyId: '' },
      });
      const data = { subscriptionId: sub.id, logId: log.id, logIndex: 12345678901234n, field: 'san', value: 'x', event: {} };
      await db.match.create({ data });
      await expect(db.match.create({ data })).rejects.toMatchObject({ code: 'P2002' });
      const match = await db.match.findFirstOrThrow({ where: { subscriptionId: sub.id } });
      expect(match.logIndex).toBe(12345678901234n);
      const delivery = { kind: 'match' as const, matchId: match.id, userId: user.id, channel: 'webhook' as const, channelKey: 'webhook:x' };
      await db.delivery.create({ data: delivery });
      await expect(db.delivery.create({ data: delivery })).rejects.toMatchObject({ code: 'P2002' });
    } finally {
      await db.$disconnect();
    }
  });
});
