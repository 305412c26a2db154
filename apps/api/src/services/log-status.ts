/** The public status of every followed log: verified size and root, freshness, backlog, open incident. */
import type { Db } from '@sigwatch/db';

export interface LogStatusView {
  id: string;
  origin: string;
  kind: string;
  status: string;
  verifiedSize: string | null;
  verifiedRoot: string | null;
  lastCheckpointAt: string | null;
  backlog: string | null;
  openIncident: { id: string; code: string; message: string; openedAt: string } | null;
}

export async function logStatuses(db: Db): Promise<LogStatusView[]> {
  const logs = await db.log.findMany({
    where: { active: true },
    orderBy: { origin: 'asc' },
    include: { position: true, incidents: { where: { resolvedAt: null }, orderBy: { openedAt: 'desc' }, take: 1 } },
  });
  return logs.map((l) => {
    const p = l.position;
    const inc = l.incidents[0];
    const backlog = p === null ? null : p.latestSize > p.treeSize ? p.latestSize - p.treeSize : 0n;
    return {
      id: l.id,
      origin: l.origin,
      kind: l.kind.replace('_', '-'),
      status: l.status,
      verifiedSize: p === null ? null : p.treeSize.toString(),
      verifiedRoot: p?.rootHash ?? null,
      lastCheckpointAt: p?.lastSuccessAt?.toISOString() ?? null,
      backlog: backlog === null ? null : backlog.toString(),
      openIncident: inc === undefined ? null : { id: inc.id, code: inc.code, message: inc.message, openedAt: inc.openedAt.toISOString() },
    };
  });
}
