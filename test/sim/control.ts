/**
 * The control API, loopback only (also when the server listens elsewhere):
 *
 *   POST /control/append      {log, count?, identity?, issuer?, extensions?, kind?, keyOnly?, ctEntryType?} → {indexes}
 *   POST /control/misbehave   {log, mode | null, fraction?, retryAfter?, delayMs?, index?, count?}       → {log, mode}
 *   POST /control/rate-limit  {perMinute | null}                                                         → {perMinute}
 *   POST /control/rollover    {log: "rekor-v1"}                                                          → {treeId}
 *   GET  /control/state       sizes, shards, active modes
 *
 * Bodies are validated with zod; a bad body is a 400 naming the field.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { LOG_KINDS } from './append.js';
import { MISBEHAVE_MODES, misbehaveOptionsSchema } from './misbehave.js';
import { MisbehaveError } from './sim-log.js';
import type { Simulator } from './server.js';

const misbehaveSchema = misbehaveOptionsSchema.extend({ log: z.enum(LOG_KINDS), mode: z.enum(MISBEHAVE_MODES).nullable() }).strict();
const rateLimitSchema = z.object({ perMinute: z.number().int().min(1).max(1_000_000).nullable() }).strict();
const rolloverSchema = z.object({ log: z.literal('rekor-v1') }).strict();

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function invalid(reply: FastifyReply, err: z.ZodError): FastifyReply {
  return reply.code(400).send({ ok: false, code: 'BAD_REQUEST', message: err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
}

/** `getSim` is called per request: the simulator object is completed only after the server listens. */
export function registerControl(app: FastifyInstance, getSim: () => Simulator): void {
  app.addHook('onRequest', async (req, reply) => {
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) return reply.code(403).send({ ok: false, code: 'FORBIDDEN', message: 'control API is loopback only' });
  });

  app.post('/append', async (req, reply) => {
    try {
      return { ok: true, indexes: await getSim().append(req.body as never) };
    } catch (e) {
      if (e instanceof z.ZodError) return invalid(reply, e);
      throw e;
    }
  });

  app.post('/misbehave', async (req, reply) => {
    const p = misbehaveSchema.safeParse(req.body);
    if (!p.success) return invalid(reply, p.error);
    const { log, mode, ...options } = p.data;
    try {
      getSim().misbehave(log, mode, options);
    } catch (e) {
      if (e instanceof MisbehaveError) return reply.code(409).send({ ok: false, code: 'CONFLICT', message: e.message });
      throw e;
    }
    return { ok: true, log, mode };
  });

  app.post('/rate-limit', async (req, reply) => {
    const p = rateLimitSchema.safeParse(req.body);
    if (!p.success) return invalid(reply, p.error);
    getSim().setRateLimit(p.data.perMinute);
    return { ok: true, perMinute: p.data.perMinute };
  });

  app.post('/rollover', async (req, reply) => {
    const p = rolloverSchema.safeParse(req.body);
    if (!p.success) return invalid(reply, p.error);
    return { ok: true, treeId: getSim().rollover() };
  });

  app.get('/state', async () => getSim().state());
}
