/** The worker's Prometheus registry; every module registers its metrics here. */
import { Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'sigwatch_worker_' });
