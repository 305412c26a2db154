/**
 * Alert e-mail addresses: added unverified, confirmed through a mailed single-use link, removed at will.
 * Only verified addresses can be subscription channels (services/subscriptions.ts).
 */
import type { ApiDeps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { accountMails } from './account-mailer.js';
import { normalizeEmail } from './accounts.js';
import { audit } from './audit.js';

type Deps = Pick<ApiDeps, 'db' | 'config' | 'mailer' | 'tokens' | 'limiter'>;

export function emailView(e: { id: string; address: string; verifiedAt: Date | null; unsubscribedAt: Date | null; bouncedAt: Date | null; bounceReason: string | null; createdAt: Date }) {
  return {
    id: e.id,
    address: e.address,
    verified: e.verifiedAt !== null,
    unsubscribed: e.unsubscribedAt !== null,
    /** Mail to it bounced permanently (the worker's inbound role): when, and the receiving server's words. */
    bounce: e.bouncedAt === null ? null : { at: e.bouncedAt.toISOString(), reason: e.bounceReason ?? '' },
    createdAt: e.createdAt.toISOString(),
  };
}
export type EmailView = ReturnType<typeof emailView>;

export async function listEmails(deps: Deps, userId: string): Promise<EmailView[]> {
  return (await deps.db.emailAddress.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } })).map(emailView);
}

export async function addEmail(deps: Deps, userId: string, addressIn: string): Promise<EmailView> {
  const address = normalizeEmail(addressIn);
  await deps.limiter.hit('address:user', userId);
  const existing = await deps.db.emailAddress.findUnique({ where: { userId_address: { userId, address } } });
  if (existing !== null) throw new AppError('CONFLICT', 'address: you have already added this address', { field: 'address' });
  const row = await deps.db.emailAddress.create({ data: { userId, address } });
  await sendAddressVerification(deps, row);
  return emailView(row);
}

export async function sendAddressVerification(deps: Deps, row: { id: string; address: string }): Promise<void> {
  const token = await deps.tokens.issue('address', row.id);
  deps.mailer.send(accountMails.address(row.address, new URL(`/emails/verify?token=${encodeURIComponent(token)}`, deps.config.PUBLIC_URL).toString()));
}

export async function resendEmailVerification(deps: Deps, userId: string, id: string): Promise<void> {
  const row = await deps.db.emailAddress.findFirst({ where: { id, userId } });
  if (row === null) throw notFound('E-mail address');
  if (row.verifiedAt !== null) return;
  await deps.limiter.hit('address:user', userId);
  await sendAddressVerification(deps, row);
}

export async function verifyEmail(deps: Deps, token: string): Promise<boolean> {
  const id = await deps.tokens.consume('address', token);
  if (id === null) return false;
  const res = await deps.db.emailAddress.updateMany({ where: { id, verifiedAt: null }, data: { verifiedAt: new Date() } });
  return res.count > 0 || (await deps.db.emailAddress.count({ where: { id } })) > 0;
}

/**
 * Alert mail goes to the address again after a bounce or an unsubscribe (by link, by mail or by a spam
 * complaint): its owner says the mailbox works and wants the alerts. Audited.
 */
export async function resumeEmail(deps: Deps, userId: string, id: string, ip: string | null): Promise<EmailView> {
  const row = await deps.db.emailAddress.findFirst({ where: { id, userId } });
  if (row === null) throw notFound('E-mail address');
  if (row.bouncedAt === null && row.unsubscribedAt === null) return emailView(row);
  const updated = await deps.db.emailAddress.update({ where: { id }, data: { bouncedAt: null, bounceReason: null, unsubscribedAt: null } });
  await audit(deps.db, userId, 'email.resumed', ip, { address: row.address, ...(row.bouncedAt === null ? {} : { bounced: row.bouncedAt.toISOString() }) });
  return emailView(updated);
}

export async function removeEmail(deps: Deps, userId: string, id: string): Promise<void> {
  const res = await deps.db.emailAddress.deleteMany({ where: { id, userId } });
  if (res.count === 0) throw notFound('E-mail address');
}
