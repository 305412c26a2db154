/** Subscription pages: list, new (template or raw rules, with preview), detail/edit, enable/disable, delete. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { RuleSchema, type Rule } from '@sigwatch/rules';
import type { ApiDeps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { TemplateSchema } from '../../schemas/subscription.js';
import { previewRules } from '../../services/preview.js';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  lintRules,
  listSubscriptions,
  templateRules,
  updateSubscription,
} from '../../services/subscriptions.js';
import type { FieldErrors } from '../../views/forms.js';
import { html } from '../../views/html.js';
import { redirectWith, sendPage } from '../../views/page.js';
import {
  subscriptionDetail,
  subscriptionForm,
  subscriptionList,
  TEMPLATE_FIELDS,
  type ChannelChoices,
  type SubscriptionFormValues,
} from '../../views/subscription-pages.js';
import { buttonForm } from '../../views/forms.js';

type Body = Record<string, string | string[] | undefined>;
type IdReq = FastifyRequest<{ Params: { id: string } }>;

const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
const many = (v: string | string[] | undefined): string[] => (Array.isArray(v) ? v : v === undefined || v === '' ? [] : [v]);

function formValues(b: Body): SubscriptionFormValues {
  const fields: Record<string, string> = {};
  for (const k of [...TEMPLATE_FIELDS, 'github-repository.repository', 'github-workflow.repository']) fields[k] = one(b[k]);
  return {
    name: one(b['name']),
    mode: one(b['mode']) === 'rules' ? 'rules' : 'template',
    template: one(b['template']),
    fields,
    rules: one(b['rules']),
    emailAddressIds: many(b['emailAddressIds']),
    webhookIds: many(b['webhookIds']),
  };
}

/** Rules from the form, or the errors to show next to the fields. */
function rulesFromForm(v: SubscriptionFormValues): { rules: Rule[] } | { errors: FieldErrors } {
  if (v.mode === 'rules') {
    let json: unknown;
    try {
      json = JSON.parse(v.rules ?? '');
    } catch {
      return { errors: { rules: 'The rules are not valid JSON: give an array of rule objects.' } };
    }
    const r = z.array(RuleSchema).min(1, 'give at least one rule').max(50).safeParse(Array.isArray(json) ? json : [json]);
    if (!r.success) {
      const issue = r.error.issues[0];
      const path = issue?.path.map(String).join('.') ?? '';
      return { errors: { rules: `${path === '' ? '' : `rule ${Number(path.split('.')[0]) + 1}, ${path.split('.').slice(1).join('.') || 'rule'}: `}${issue?.message ?? 'invalid'}` } };
    }
    return { rules: r.data };
  }
  const f = v.fields ?? {};
  const opt = (k: string) => (f[k] ? f[k] : undefined);
  const raw = {
    template: v.template,
    repository: f[`${v.template ?? ''}.repository`],
    workflow: opt('workflow'),
    ref: opt('ref'),
    email: opt('email'),
    issuer: opt('issuer'),
    project: opt('project'),
    host: opt('host'),
    fingerprint: opt('fingerprint'),
  };
  const parsed = TemplateSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, x]) => x !== undefined)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { errors: { [templateField(v.template ?? '', String(issue?.path[0] ?? 'template'))]: issue?.message ?? 'invalid' } };
  }
  try {
    return { rules: templateRules(parsed.data) };
  } catch (err) {
    if (err instanceof AppError && err.field !== undefined) {
      return { errors: { [templateField(v.template ?? '', err.field.replace(/^template\.?/, '') || 'template')]: err.message } };
    }
    throw err;
  }
}

function templateField(template: string, name: string): string {
  return name === 'repository' ? `${template}.repository` : name;
}

export async function subscriptionPages(app: FastifyInstance, { deps }: { deps: ApiDeps }): Promise<void> {
  async function choices(userId: string): Promise<ChannelChoices> {
    const [emails, webhooks] = await Promise.all([
      deps.db.emailAddress.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } }),
      deps.db.webhookEndpoint.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } }),
    ]);
    return { emails: emails.map((e) => ({ id: e.id, address: e.address, verified: e.verifiedAt !== null })), webhooks: webhooks.map((w) => ({ id: w.id, url: w.url })) };
  }

  app.get('/subscriptions', async (req, reply) => {
    const { items } = await listSubscriptions(deps, req.user!.id, { limit: 100 });
    return sendPage(req, reply, 'Subscriptions', (csrf) => subscriptionList(csrf, items));
  });

  app.get('/subscriptions/new', async (req, reply) => {
    const c = await choices(req.user!.id);
    const verified = c.emails.filter((e) => e.verified).map((e) => e.id);
    return sendPage(req, reply, 'New subscription', (csrf) => subscriptionForm(csrf, '/subscriptions/new', { emailAddressIds: verified }, c));
  });

  async function submit(req: FastifyRequest, reply: FastifyReply, id: string | undefined) {
    const userId = req.user!.id;
    const v = formValues((req.body ?? {}) as Body);
    const c = await choices(userId);
    const action = id === undefined ? '/subscriptions/new' : `/subscriptions/${id}`;
    const title = id === undefined ? 'New subscription' : 'Edit subscription';
    const extra = id === undefined ? {} : { submitLabel: 'Save changes' };
    const show = (errors: FieldErrors, more: Parameters<typeof subscriptionForm>[5] = {}, status = 400) =>
      sendPage(req, reply, title, (csrf) => subscriptionForm(csrf, action, v, c, errors, { ...extra, ...more }), status);
    const got = rulesFromForm(v);
    if ('errors' in got) return show(got.errors);
    const warnings = lintRules(got.rules);
    if (one((req.body as Body)['action']) === 'preview') {
      return show({}, { warnings, preview: await previewRules(deps.redis, deps.config.REDIS_PREFIX, got.rules) }, 200);
    }
    if ((v.name ?? '').trim() === '') return show({ name: 'Give the subscription a name.' }, { warnings });
    const channels = { emailAddressIds: v.emailAddressIds ?? [], webhookIds: v.webhookIds ?? [] };
    try {
      const sub =
        id === undefined
          ? await createSubscription(deps, userId, { name: v.name!.trim().slice(0, 200), enabled: true, digest: 'none', rules: got.rules, channels })
          : await updateSubscription(deps, userId, id, { name: v.name!.trim().slice(0, 200), rules: got.rules, channels });
      const note = sub.warnings.length > 0 ? ` with ${sub.warnings.length} warning(s): see below.` : '.';
      return redirectWith(req, reply, `/subscriptions/${sub.id}`, `Subscription saved${note}`);
    } catch (err) {
      if (err instanceof AppError && err.code === 'VALIDATION') return show({ [err.field?.startsWith('channels') ? 'channels' : (err.field ?? '_form')]: err.message }, { warnings });
      throw err;
    }
  }

  app.post('/subscriptions/new', async (req, reply) => submit(req, reply, undefined));

  app.get('/subscriptions/:id', async (req: IdReq, reply) => {
    const s = await getSubscription(deps, req.user!.id, uuidOr404(req.params.id));
    const c = await choices(req.user!.id);
    const rules = s.rules.map((r) => r.definition as Rule);
    const v: SubscriptionFormValues = { name: s.name, mode: 'rules', rules: JSON.stringify(rules, null, 2), emailAddressIds: s.channels.emailAddressIds, webhookIds: s.channels.webhookIds };
    return sendPage(req, reply, s.name, (csrf) =>
      html`${subscriptionDetail(csrf, s)}<h2>Edit</h2>${subscriptionForm(csrf, `/subscriptions/${s.id}`, v, c, {}, { warnings: lintRules(rules), submitLabel: 'Save changes' })}
<h2>Delete</h2>${buttonForm(`/subscriptions/${s.id}/delete`, 'Delete this subscription', csrf, { danger: true })}`,
    );
  });
  app.post('/subscriptions/:id', async (req: IdReq, reply) => {
    await getSubscription(deps, req.user!.id, uuidOr404(req.params.id));
    return submit(req, reply, req.params.id);
  });
  app.post('/subscriptions/:id/toggle', async (req: IdReq, reply) => {
    const s = await getSubscription(deps, req.user!.id, uuidOr404(req.params.id));
    await updateSubscription(deps, req.user!.id, s.id, { enabled: !s.enabled });
    return redirectWith(req, reply, `/subscriptions/${s.id}`, s.enabled ? 'Subscription disabled.' : 'Subscription enabled.');
  });
  app.post('/subscriptions/:id/unmute', async (req: IdReq, reply) => {
    const s = await updateSubscription(deps, req.user!.id, uuidOr404(req.params.id), { muted: false });
    return redirectWith(req, reply, `/subscriptions/${s.id}`, 'Subscription unmuted.');
  });
  app.post('/subscriptions/:id/delete', async (req: IdReq, reply) => {
    await deleteSubscription(deps, req.user!.id, uuidOr404(req.params.id));
    return redirectWith(req, reply, '/subscriptions', 'Subscription deleted.');
  });
}

/** Path ids that are not UUIDs are simply not found (and never reach PostgreSQL's uuid parser). */
export function uuidOr404(id: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new AppError('NOT_FOUND', 'Not found');
  return id;
}
