/**
 * Accounts: sign-up with e-mail verification, password and e-mailed-link login, password reset and
 * account deletion. Every answer that concerns an address is the same whether an account exists or
 * not, and takes the same work (an argon2 hash or verify on every path): no enumeration.
 */
import type { ApiDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { accountMails } from './account-mailer.js';
import { audit } from './audit.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { publishRuleChange } from './rule-changes.js';
import { randomToken } from './secrets.js';

export type AccountDeps = Pick<ApiDeps, 'db' | 'redis' | 'config' | 'mailer' | 'tokens' | 'limiter' | 'background'>;

export interface SessionUser {
  id: string;
  email: string;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function link(deps: AccountDeps, path: string, token: string): string {
  return new URL(`${path}?token=${encodeURIComponent(token)}`, deps.config.PUBLIC_URL).toString();
}

export async function signUp(deps: AccountDeps, emailIn: string, password: string, ip: string): Promise<void> {
  const email = normalizeEmail(emailIn);
  await deps.limiter.hit('signup:ip', ip);
  await deps.limiter.hit('signup:address', email);
  const passwordHash = await hashPassword(password);
  // Everything after the hash differs between a new and a known address: finish it after answering.
  deps.background.run('sign-up', () => completeSignUp(deps, email, passwordHash, ip));
}

async function completeSignUp(deps: AccountDeps, email: string, passwordHash: string, ip: string): Promise<void> {
  const base = deps.config.PUBLIC_URL.replace(/\/$/, '');
  const existing = await deps.db.user.findUnique({ where: { email } });
  if (existing !== null) {
    // Never change an existing account's password here: the caller has not proven the mailbox.
    if (existing.verifiedAt === null) await sendVerification(deps, existing);
    else deps.mailer.send(accountMails.existing(email, `${base}/login`, `${base}/forgot-password`));
    return;
  }
  try {
    const user = await deps.db.user.create({ data: { email, passwordHash, emailAddresses: { create: { address: email } } } });
    await audit(deps.db, user.id, 'signup', ip);
    await sendVerification(deps, user);
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') return; // a concurrent sign-up won; same answer
    throw err;
  }
}

async function sendVerification(deps: AccountDeps, user: { id: string; email: string }): Promise<void> {
  const token = await deps.tokens.issue('verify', user.id);
  deps.mailer.send(accountMails.verify(user.email, link(deps, '/verify-email', token)));
}

/** Marks the account and its primary address verified; false when the link is unknown, used or expired. */
export async function verifySignup(deps: AccountDeps, token: string): Promise<boolean> {
  const userId = await deps.tokens.consume('verify', token);
  if (userId === null) return false;
  return markVerified(deps, userId);
}

async function markVerified(deps: AccountDeps, userId: string): Promise<boolean> {
  const user = await deps.db.user.findUnique({ where: { id: userId } });
  if (user === null) return false;
  const now = new Date();
  if (user.verifiedAt === null) await deps.db.user.update({ where: { id: userId }, data: { verifiedAt: now } });
  await deps.db.emailAddress.updateMany({ where: { userId, address: user.email, verifiedAt: null }, data: { verifiedAt: now } });
  return true;
}

export type LoginResult = { ok: true; user: SessionUser } | { ok: false; reason: 'invalid' | 'unverified' };

export async function logInWithPassword(deps: AccountDeps, emailIn: string, password: string, ip: string): Promise<LoginResult> {
  const email = normalizeEmail(emailIn);
  await deps.limiter.hit('login:ip', ip);
  await deps.limiter.hit('login:address', email);
  const user = await deps.db.user.findUnique({ where: { email } });
  const ok = await verifyPassword(user?.passwordHash, password);
  if (!ok || user === null) return { ok: false, reason: 'invalid' };
  if (user.verifiedAt === null) {
    await sendVerification(deps, user);
    return { ok: false, reason: 'unverified' };
  }
  await audit(deps.db, user.id, 'login.password', ip);
  return { ok: true, user: { id: user.id, email: user.email } };
}

export async function requestLoginLink(deps: AccountDeps, emailIn: string, ip: string): Promise<void> {
  const email = normalizeEmail(emailIn);
  await deps.limiter.hit('link:ip', ip);
  await deps.limiter.hit('link:address', email);
  const user = await deps.db.user.findUnique({ where: { email } });
  if (user === null) return void (await deps.tokens.peek('login', randomToken())); // same Redis round trip
  const token = await deps.tokens.issue('login', user.id);
  deps.mailer.send(accountMails.loginLink(email, link(deps, '/login/link', token)));
}

/** Redeems a login link once; opening it proves the mailbox, so it also verifies the account. */
export async function logInWithLink(deps: AccountDeps, token: string, ip: string): Promise<SessionUser | null> {
  const userId = await deps.tokens.consume('login', token);
  if (userId === null || !(await markVerified(deps, userId))) return null;
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: userId } });
  await audit(deps.db, user.id, 'login.link', ip);
  return { id: user.id, email: user.email };
}

export async function requestPasswordReset(deps: AccountDeps, emailIn: string, ip: string): Promise<void> {
  const email = normalizeEmail(emailIn);
  await deps.limiter.hit('reset:ip', ip);
  await deps.limiter.hit('reset:address', email);
  const user = await deps.db.user.findUnique({ where: { email } });
  if (user === null) return void (await deps.tokens.peek('reset', randomToken())); // same Redis round trip
  const token = await deps.tokens.issue('reset', user.id);
  deps.mailer.send(accountMails.reset(email, link(deps, '/reset-password', token)));
}

export async function resetPassword(deps: AccountDeps, token: string, password: string, ip: string): Promise<SessionUser> {
  const passwordHash = await hashPassword(password);
  const userId = await deps.tokens.consume('reset', token);
  if (userId === null || !(await markVerified(deps, userId))) {
    throw new AppError('VALIDATION', 'This reset link is invalid, used or expired; ask for a new one.', { field: 'token' });
  }
  // Every session started before the reset ends (a stolen session must not outlive the new password);
  // the caller logs the resetting browser in afresh.
  const user = await deps.db.user.update({ where: { id: userId }, data: { passwordHash, sessionsValidFrom: new Date() } });
  await audit(deps.db, user.id, 'password.reset', ip);
  return { id: user.id, email: user.email };
}

/** Ends every session of the user started before now (the caller logs its own browser in afresh). */
export async function endSessions(deps: AccountDeps, userId: string, ip: string): Promise<void> {
  await deps.db.user.update({ where: { id: userId }, data: { sessionsValidFrom: new Date() } });
  await audit(deps.db, userId, 'sessions.end', ip);
}

/** Removes the user and, by cascade, every subscription, channel, token, match and delivery. */
export async function deleteAccount(deps: AccountDeps, userId: string): Promise<void> {
  const subs = await deps.db.subscription.findMany({ where: { userId }, select: { id: true } });
  await deps.db.user.delete({ where: { id: userId } });
  for (const s of subs) await publishRuleChange(deps.redis, deps.config.REDIS_PREFIX, s.id);
}
