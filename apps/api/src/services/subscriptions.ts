/**
 * Subscriptions and their rules and channels, for pages and REST alike. Rules arrive validated by
 * @sigwatch/rules' schema (or built by its templates); lint warnings come back with the result. Channels
 * must be the user's own, and e-mail channels verified addresses only. Every change notifies the matcher.
 */
import { lintRule, rulesFromTemplate, type Rule } from '@sigwatch/rules';
import { Prisma } from '@sigwatch/db';
import type { ApiDeps } from '../deps.js';
import { AppError, invalid, notFound } from '../errors.js';
import type { SubscriptionCreate, SubscriptionUpdate, TemplateBody } from '../schemas/subscription.js';
import { decodeCursor, toPage } from './pagination.js';
import { publishRuleChange } from './rule-changes.js';

type Deps = Pick<ApiDeps, 'db' | 'redis' | 'config'>;

export interface LintView {
  rule: number;
  code: string;
  severity: string;
  field: string;
  message: string;
}

const include = { rules: { orderBy: { position: 'asc' as const } }, channels: true } as const;

type Row = {
  id: string;
  name: string;
  enabled: boolean;
  digest: 'none' | 'hourly' | 'daily';
  mutedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  rules: { id: string; definition: unknown }[];
  channels: { emailAddressId: string | null; webhookEndpointId: string | null }[];
};

export function subscriptionView(s: Row) {
  return {
    id: s.id,
    name: s.name,
    enabled: s.enabled,
    digest: s.digest,
    muted: s.mutedAt !== null,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    rules: s.rules.map((r) => ({ id: r.id, definition: r.definition })),
    channels: {
      emailAddressIds: s.channels.flatMap((c) => (c.emailAddressId === null ? [] : [c.emailAddressId])),
      webhookIds: s.channels.flatMap((c) => (c.webhookEndpointId === null ? [] : [c.webhookEndpointId])),
    },
  };
}
export type SubscriptionView = ReturnType<typeof subscriptionView>;

export function lintRules(rules: readonly Rule[]): LintView[] {
  return rules.flatMap((r, i) => lintRule(r).map((w) => ({ rule: i, code: w.code, severity: w.severity, field: w.field, message: w.message })));
}

/** Rules from a template; template input errors name `template.<field>`. */
export function templateRules(t: TemplateBody): Rule[] {
  try {
    return rulesFromTemplate(t as Parameters<typeof rulesFromTemplate>[0]);
  } catch (err) {
    if (err instanceof Error && err.name === 'RuleError') {
      const field = (err as Error & { field?: string }).field ?? '';
      throw new AppError('VALIDATION', err.message, { field: field === '' ? 'template' : `template.${field}`, cause: err });
    }
    throw err;
  }
}

async function channelRows(deps: Deps, userId: string, ch: { emailAddressIds: string[]; webhookIds: string[] }) {
  const emails = [...new Set(ch.emailAddressIds)];
  const hooks = [...new Set(ch.webhookIds)];
  const okEmails = emails.length === 0 ? 0 : await deps.db.emailAddress.count({ where: { id: { in: emails }, userId, verifiedAt: { not: null } } });
  if (okEmails !== emails.length) throw invalid('channels.emailAddressIds', 'channels.emailAddressIds: use your own verified e-mail addresses');
  const okHooks = hooks.length === 0 ? 0 : await deps.db.webhookEndpoint.count({ where: { id: { in: hooks }, userId } });
  if (okHooks !== hooks.length) throw invalid('channels.webhookIds', 'channels.webhookIds: use your own webhook endpoints');
  return [
    ...emails.map((id) => ({ type: 'email' as const, emailAddressId: id })),
    ...hooks.map((id) => ({ type: 'webhook' as const, webhookEndpointId: id })),
  ];
}

export async function createSubscription(deps: Deps, userId: string, body: SubscriptionCreate): Promise<SubscriptionView & { warnings: LintView[] }> {
  const rules = body.rules ?? templateRules(body.template!);
  const channels = await channelRows(deps, userId, body.channels ?? { emailAddressIds: [], webhookIds: [] });
  const sub = await deps.db.subscription.create({
    data: {
      userId,
      name: body.name,
      enabled: body.enabled,
      digest: body.digest,
      rules: { create: rules.map((definition, position) => ({ definition: definition as object, position })) },
      channels: { create: channels },
    },
    include,
  });
  await publishRuleChange(deps.redis, deps.config.REDIS_PREFIX, sub.id);
  return { ...subscriptionView(sub), warnings: lintRules(rules) };
}

export async function getSubscription(deps: Deps, userId: string, id: string): Promise<SubscriptionView> {
  const sub = await deps.db.subscription.findFirst({ where: { id, userId }, include });
  if (sub === null) throw notFound('Subscription');
  return subscriptionView(sub);
}

/**
 * One SQL statement for a page of subscriptions with their rules and channels (the API's hottest list):
 * the ORM would run three queries and compile each (~7 ms apiece on this stack).
 */
export async function listSubscriptions(deps: Deps, userId: string, q: { cursor?: string | undefined; limit: number }) {
  const c = decodeCursor(q.cursor);
  const after = c === undefined ? Prisma.empty : Prisma.sql`AND (s."createdAt" < ${c.createdAt} OR (s."createdAt" = ${c.createdAt} AND s.id < ${c.id}::uuid))`;
  const rows = await deps.db.$queryRaw<Row[]>`
    SELECT s.id::text AS id, s.name, s.enabled, s.digest::text AS digest, s."mutedAt", s."createdAt", s."updatedAt",
      COALESCE((SELECT json_agg(json_build_object('id', r.id, 'definition', r.definition) ORDER BY r.position)
                FROM "Rule" r WHERE r."subscriptionId" = s.id), '[]'::json) AS rules,
      COALESCE((SELECT json_agg(json_build_object('emailAddressId', ch."emailAddressId", 'webhookEndpointId', ch."webhookEndpointId"))
                FROM "SubscriptionChannel" ch WHERE ch."subscriptionId" = s.id), '[]'::json) AS channels
    FROM "Subscription" s
    WHERE s."userId" = ${userId}::uuid ${after}
    ORDER BY s."createdAt" DESC, s.id DESC
    LIMIT ${q.limit + 1}`;
  const page = toPage(rows, q.limit);
  return { items: page.items.map(subscriptionView), nextCursor: page.nextCursor };
}

export async function updateSubscription(deps: Deps, userId: string, id: string, body: SubscriptionUpdate): Promise<SubscriptionView & { warnings: LintView[] }> {
  const existing = await deps.db.subscription.findFirst({ where: { id, userId }, select: { id: true } });
  if (existing === null) throw notFound('Subscription');
  const channels = body.channels === undefined ? undefined : await channelRows(deps, userId, body.channels);
  const sub = await deps.db.$transaction(async (tx) => {
    if (body.rules !== undefined) {
      await tx.rule.deleteMany({ where: { subscriptionId: id } });
      await tx.rule.createMany({ data: body.rules.map((definition, position) => ({ subscriptionId: id, definition: definition as object, position })) });
    }
    if (channels !== undefined) {
      await tx.subscriptionChannel.deleteMany({ where: { subscriptionId: id } });
      await tx.subscriptionChannel.createMany({ data: channels.map((c) => ({ subscriptionId: id, ...c })) });
    }
    return tx.subscription.update({
      where: { id },
      data: {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        ...(body.digest !== undefined ? { digest: body.digest } : {}),
        ...(body.muted !== undefined ? { mutedAt: body.muted ? new Date() : null } : {}),
      },
      include,
    });
  });
  await publishRuleChange(deps.redis, deps.config.REDIS_PREFIX, id);
  return { ...subscriptionView(sub), warnings: lintRules(sub.rules.map((r) => r.definition as Rule)) };
}

export async function deleteSubscription(deps: Deps, userId: string, id: string): Promise<void> {
  const res = await deps.db.subscription.deleteMany({ where: { id, userId } });
  if (res.count === 0) throw notFound('Subscription');
  await publishRuleChange(deps.redis, deps.config.REDIS_PREFIX, id);
}
