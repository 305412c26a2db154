/** Prometheus metrics of the deliver role (on the worker's /metrics). */
import { Counter, Histogram } from 'prom-client';
import { registry } from '../metrics.js';

export const attemptsTotal = new Counter({
  name: 'sigwatch_delivery_attempts_total',
  help: 'Delivery attempts, by channel and outcome (sent, retrying, failed) and error code',
  labelNames: ['channel', 'outcome', 'code'] as const,
  registers: [registry],
});

export const attemptSeconds = new Histogram({
  name: 'sigwatch_delivery_attempt_seconds',
  help: 'Time of one delivery attempt (SMTP or webhook request), by channel',
  labelNames: ['channel'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
  registers: [registry],
});

export const settledTotal = new Counter({
  name: 'sigwatch_deliveries_settled_without_attempt_total',
  help: 'Deliveries that did not go out on their own: disabled (recipient not allowed) or digested',
  labelNames: ['channel', 'status'] as const,
  registers: [registry],
});

export const endpointBusyTotal = new Counter({
  name: 'sigwatch_delivery_endpoint_busy_total',
  help: 'Webhook jobs put back because their endpoint had its maximum in flight',
  registers: [registry],
});
