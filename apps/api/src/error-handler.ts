/**
 * The one error handler: client faults become `{code, message, field?}` with their 4xx (pages get the
 * same as a small HTML page); anything else is logged with the request id and answered with a generic
 * 500. No stack trace or internal message ever reaches a response.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type AppErrorCode } from './errors.js';
import { html } from './views/html.js';

interface ErrorBody {
  code: string;
  message: string;
  field?: string;
}

const FASTIFY_CODES: Record<string, AppErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
};

function classify(err: unknown): { status: number; body: ErrorBody; retryAfter?: number } | undefined {
  if (err instanceof AppError) {
    const body: ErrorBody = { code: err.code, message: err.message };
    if (err.field !== undefined) body.field = err.field;
    return err.retryAfter === undefined ? { status: err.statusCode, body } : { status: err.statusCode, body, retryAfter: err.retryAfter };
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const first = err.validation[0];
    const path = (first?.instancePath ?? '').split('/').filter(Boolean).join('.');
    const field = path === '' ? (err.validationContext ?? 'body') : path;
    return { status: 400, body: { code: 'VALIDATION', message: `${field}: ${first?.message ?? 'invalid value'}`, field } };
  }
  if (err instanceof Error && err.name === 'RuleError') {
    const r = err as Error & { field?: string };
    return { status: 400, body: { code: 'VALIDATION', message: err.message, field: r.field === undefined || r.field === '' ? 'rules' : r.field } };
  }
  const e = err as Partial<FastifyError>;
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code = (e.code !== undefined ? FASTIFY_CODES[e.code] : undefined) ?? (e.statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST');
    return { status: e.statusCode, body: { code, message: typeof e.message === 'string' ? e.message.slice(0, 300) : 'Bad request' } };
  }
  return undefined;
}

export function wantsHtml(req: FastifyRequest): boolean {
  const path = req.url.split('?')[0] ?? '';
  if (path.startsWith('/api/') || path.startsWith('/docs/json')) return false;
  return (req.headers.accept ?? '').includes('text/html');
}

export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const known = classify(err);
  if (known === undefined) {
    req.log.error({ err, method: req.method, url: req.url }, 'request failed');
    return sendError(req, reply, 500, { code: 'INTERNAL', message: `Internal Server Error (request ${req.id})` });
  }
  if (known.retryAfter !== undefined) void reply.header('retry-after', String(known.retryAfter));
  return sendError(req, reply, known.status, known.body);
}

export function sendError(req: FastifyRequest, reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  if (wantsHtml(req)) {
    const page = html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error · Sigwatch</title>
<link rel="stylesheet" href="/assets/style.css"></head><body><main><h1>${status === 404 ? 'Not found' : 'Something went wrong'}</h1>
<p class="error" role="alert">${body.message}</p><p><a href="/">Home</a></p></main></body></html>`;
    return reply.code(status).type('text/html; charset=utf-8').send(page.toString());
  }
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}
