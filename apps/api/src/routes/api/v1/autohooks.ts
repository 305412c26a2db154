/**
 * Bearer-token authentication for every /api/v1 route registered under it (fastify/demo autohooks):
 * `Authorization: Bearer sgw_…`, a per-token rate limit, and `req.apiUserId` for the handlers.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../../../deps.js';
import { AppError } from '../../../errors.js';
import { authenticateToken } from '../../../services/api-tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiUserId: string;
  }
}

export function registerTokenAuth(app: FastifyInstance, deps: ApiDeps): void {
  app.decorateRequest('apiUserId', '');
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (m?.[1] === undefined) throw new AppError('UNAUTHORIZED', 'Send an API token: Authorization: Bearer sgw_…');
    const who = await authenticateToken(deps.db, m[1]);
    if (who === null) throw new AppError('UNAUTHORIZED', 'This API token is unknown or revoked.');
    await deps.limiter.hit('api:token', who.tokenId);
    req.apiUserId = who.userId;
  });
}

/** The authenticated user's id (set by the hook above). */
export function userOf(req: FastifyRequest): string {
  return req.apiUserId;
}
