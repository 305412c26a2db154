/** The API's Prometheus registry (default process metrics + HTTP request counters). */
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'sigwatch_api_' });

export const httpRequests = new Counter({
  name: 'sigwatch_api_http_requests_total',
  help: 'HTTP requests answered, by route and status code',
  labelNames: ['route', 'status'] as const,
  registers: [registry],
});
