/**
 * Where a follower keeps its log's state (certspotter `StateProvider`, in PostgreSQL). Contracts:
 * - `load` returns `undefined` position for a log never followed.
 * - `advance` stores the new verified position AND the malformed entries of that range in one transaction;
 *   it is idempotent (a repeated range writes nothing new), and writes nothing (LogReconfiguredError) when
 *   the log's row no longer names the key the position was verified with.
 * - `openIncident` halts the log; while an incident is open a repeat of the same code adds no row.
 */
import type { Db } from '@sigwatch/db';
import { CompactRange, toHex, fromHex, type CompactRangeState } from '@sigwatch/tlog';
import type { LogConfig } from '../logs/log-list.js';

export interface VerifiedPosition {
  treeSize: bigint;
  rootHash: Uint8Array;
  checkpoint: string;
  range: CompactRange;
  /** Rekor v1 shard being followed and the global index of its leaf 0. */
  treeId?: string;
  globalOffset: bigint;
  /** A step verified and being enqueued when the last run stopped: repeat exactly up to here. */
  pendingSize?: bigint;
}

export interface LogState {
  position?: VerifiedPosition;
  halted: boolean;
  /** False once a worker whose list of logs no longer names this log marked it inactive. */
  active: boolean;
  /** The key (base64 DER SPKI) the stored position belongs to; another worker may have changed it. */
  publicKey: string;
  openIncident?: { id: string; code: string };
}

export interface MalformedRecord {
  index: bigint;
  leaf: Uint8Array;
  code: string;
  reason: string;
}

function malformedRows(logId: string, malformed: readonly MalformedRecord[]) {
  return malformed.map((m) => ({ logId, logIndex: m.index, leaf: Buffer.from(m.leaf), code: m.code, reason: dbText(m.reason) }));
}

/** Text for a PostgreSQL column: log data may put NUL and control bytes into error messages. */
export function dbText(s: string, max = 2000): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd').slice(0, max);
}

/**
 * The log's row names another key than the one a follower verified with: another worker's list of logs
 * moved this origin to another tree (ensureLog dropped the position). The follower's loop is stale.
 */
export class LogReconfiguredError extends Error {
  override readonly name = 'LogReconfiguredError';
}

const KIND = { 'rekor-v1': 'rekor_v1', 'rekor-v2': 'rekor_v2', ct: 'ct' } as const;

export class LogStateStore {
  constructor(private readonly db: Db) {}

  /**
   * Create or update the Log row. If the configured key differs from the stored one, the stored position
   * belongs to another tree (the operator's trusted root now names a different log under this origin):
   * it is dropped and the log is followed afresh from its head. Returns whether that happened.
   */
  async ensureLog(config: LogConfig): Promise<{ keyChanged: boolean }> {
    const data = {
      origin: config.origin,
      kind: KIND[config.kind],
      url: config.url,
      publicKey: Buffer.from(config.publicKeyDer).toString('base64'),
      keyId: config.keyId,
      active: true,
    };
    const existing = await this.db.log.findUnique({ where: { id: config.id }, select: { publicKey: true } });
    const keyChanged = existing !== null && existing.publicKey !== data.publicKey;
    await this.db.$transaction([
      ...(keyChanged
        ? [
            this.db.logPosition.deleteMany({ where: { logId: config.id } }),
            this.db.incident.updateMany({ where: { logId: config.id, resolvedAt: null }, data: { resolvedAt: new Date() } }),
          ]
        : []),
      this.db.log.upsert({ where: { id: config.id }, create: { id: config.id, ...data }, update: { ...data, ...(keyChanged ? { status: 'ok' as const, treeId: null } : {}) } }),
    ]);
    return { keyChanged };
  }

  async load(logId: string): Promise<LogState> {
    const log = await this.db.log.findUniqueOrThrow({
      where: { id: logId },
      include: { position: true, incidents: { where: { resolvedAt: null }, orderBy: { openedAt: 'desc' }, take: 1 } },
    });
    const p = log.position;
    const incident = log.incidents[0];
    return {
      halted: log.status === 'halted',
      active: log.active,
      publicKey: log.publicKey,
      ...(incident !== undefined ? { openIncident: { id: incident.id, code: incident.code } } : {}),
      ...(p !== null && p.checkpoint !== ''
        ? {
            position: {
              treeSize: p.treeSize,
              rootHash: fromHex(p.rootHash),
              checkpoint: p.checkpoint,
              range: CompactRange.fromState(p.compactRange as unknown as CompactRangeState),
              globalOffset: p.globalOffset,
              ...(log.treeId !== null ? { treeId: log.treeId } : {}),
              ...(p.pendingSize !== null ? { pendingSize: p.pendingSize } : {}),
            },
          }
        : {}),
    };
  }

  /**
   * Persist a new verified position (and the range's malformed entries) in one transaction, if the log's
   * row still names `publicKey`, the key the position was verified with; else LogReconfiguredError. The row
   * is locked first, so a concurrent `ensureLog` that changes the key either waits for this write (and then
   * drops the position) or has already changed the key (and this writes nothing).
   */
  async advance(logId: string, publicKey: string, pos: VerifiedPosition, malformed: readonly MalformedRecord[], latestSize: bigint): Promise<void> {
    const data = {
      treeSize: pos.treeSize,
      rootHash: toHex(pos.rootHash),
      checkpoint: pos.checkpoint,
      compactRange: pos.range.toJSON() as unknown as object,
      globalOffset: pos.globalOffset,
      latestSize,
      latestSeenAt: new Date(),
      lastSuccessAt: new Date(),
      lastError: null,
      pendingSize: null,
    };
    await this.db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<Array<{ publicKey: string }>>`SELECT "publicKey" FROM "Log" WHERE id = ${logId} FOR UPDATE`;
      if (rows[0]?.publicKey !== publicKey) throw new LogReconfiguredError(`log ${logId} now names another key: its position is not written`);
      await tx.logPosition.upsert({ where: { logId }, create: { logId, ...data }, update: data });
      await tx.log.update({ where: { id: logId }, data: { treeId: pos.treeId ?? null } });
      if (malformed.length > 0) await tx.malformedEntry.createMany({ data: malformedRows(logId, malformed), skipDuplicates: true });
    });
  }

  /** Store malformed entries found outside a step (backfill); a repeat is a no-op. */
  async recordMalformed(logId: string, malformed: readonly MalformedRecord[]): Promise<void> {
    if (malformed.length === 0) return;
    await this.db.malformedEntry.createMany({ data: malformedRows(logId, malformed), skipDuplicates: true });
  }

  /** Write-ahead for a step: its leaves are verified and its jobs are about to be enqueued. */
  async markPending(logId: string, pendingSize: bigint): Promise<void> {
    await this.db.logPosition.update({ where: { logId }, data: { pendingSize } });
  }

  async recordHead(logId: string, latestSize: bigint): Promise<void> {
    await this.db.logPosition.updateMany({ where: { logId }, data: { latestSize, latestSeenAt: new Date() } });
  }

  async recordError(logId: string, message: string): Promise<void> {
    await this.db.logPosition.updateMany({ where: { logId }, data: { lastError: dbText(message), lastErrorAt: new Date() } });
  }

  async setStatus(logId: string, status: 'ok' | 'behind'): Promise<void> {
    await this.db.log.updateMany({ where: { id: logId, status: { not: 'halted' } }, data: { status } });
  }

  /** Halt the log and keep the evidence. Returns the incident id and whether it is new. */
  async openIncident(logId: string, code: string, message: string, evidence: Record<string, unknown>): Promise<{ id: string; created: boolean }> {
    return this.db.$transaction(async (tx) => {
      const open = await tx.incident.findFirst({ where: { logId, resolvedAt: null, code } });
      await tx.log.update({ where: { id: logId }, data: { status: 'halted' } });
      if (open !== null) return { id: open.id, created: false };
      const row = await tx.incident.create({ data: { logId, code, message: dbText(message), evidence: JSON.parse(JSON.stringify(evidence).replaceAll('\\u0000', '\\ufffd')) as object } });
      return { id: row.id, created: true };
    });
  }

  /** The log verified again after a halt: close its incidents (the evidence stays) and un-halt it. */
  async resolveIncidents(logId: string): Promise<number> {
    const [res] = await this.db.$transaction([
      this.db.incident.updateMany({ where: { logId, resolvedAt: null }, data: { resolvedAt: new Date() } }),
      this.db.log.update({ where: { id: logId }, data: { status: 'ok' } }),
    ]);
    return res.count;
  }
}
