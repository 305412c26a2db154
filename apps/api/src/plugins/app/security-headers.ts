/**
 * Response headers that make the pages harder to abuse: no sniffing, no framing, a strict CSP (pages use
 * no script and only our stylesheet), and no Referer — reset and login-link pages carry tokens in their URL.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

async function securityHeaders(app: FastifyInstance): Promise<void> {
  app.addHook('onSend', async (_req, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('x-frame-options', 'DENY');
    void reply.header('referrer-policy', 'no-referrer');
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) void reply.header('content-security-policy', CSP);
    return payload;
  });
}

export default fp(securityHeaders, { name: 'security-headers' });
