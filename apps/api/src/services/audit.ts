/** Security-relevant account actions, kept as AuditEvent rows for the account's history. */
import type { Db } from '@sigwatch/db';

export async function audit(db: Db, userId: string | null, action: string, ip: string | null, detail: Record<string, string> = {}): Promise<void> {
  await db.auditEvent.create({ data: { userId, action, ip, detail } });
}
