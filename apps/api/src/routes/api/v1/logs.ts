/** GET /api/v1/logs: public status of every followed log (no token needed). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiDeps } from '../../../deps.js';
import { logStatuses } from '../../../services/log-status.js';

const LogStatusSchema = z.object({
  id: z.string(),
  origin: z.string(),
  kind: z.string(),
  status: z.string(),
  verifiedSize: z.string().nullable().describe('Tree size of the last verified checkpoint (decimal)'),
  verifiedRoot: z.string().nullable(),
  lastCheckpointAt: z.string().nullable(),
  backlog: z.string().nullable().describe('Entries announced by the log but not yet verified'),
  openIncident: z.object({ id: z.string(), code: z.string(), message: z.string(), openedAt: z.string() }).nullable(),
});

export async function logsRoutes(app: FastifyInstance, { deps }: { deps: ApiDeps }): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/logs',
    { schema: { tags: ['logs'], summary: 'Public status of every followed log', response: { 200: z.object({ items: z.array(LogStatusSchema) }) } } },
    async () => ({ items: await logStatuses(deps.db) }),
  );
}
