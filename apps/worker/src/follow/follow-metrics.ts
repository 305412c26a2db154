/** Per-log Prometheus metrics of the followers. */
import { Counter, Gauge } from 'prom-client';
import { registry } from '../metrics.js';

const labelNames = ['log'] as const;
export const followMetrics = {
  verifiedSize: new Gauge({ name: 'sigwatch_log_verified_size', help: 'Tree size of the last verified checkpoint', labelNames, registers: [registry] }),
  logSize: new Gauge({ name: 'sigwatch_log_size', help: 'Tree size the log last announced (signature verified)', labelNames, registers: [registry] }),
  backlog: new Gauge({ name: 'sigwatch_log_backlog', help: 'Entries announced but not yet verified and enqueued', labelNames, registers: [registry] }),
  entries: new Counter({ name: 'sigwatch_log_entries_total', help: 'Entries verified and enqueued for matching', labelNames, registers: [registry] }),
  malformed: new Counter({ name: 'sigwatch_log_malformed_entries_total', help: 'Verified entries that could not be parsed', labelNames, registers: [registry] }),
  errors: new Counter({ name: 'sigwatch_log_errors_total', help: 'Failed polls, by kind (transport or verification)', labelNames: ['log', 'kind'] as const, registers: [registry] }),
  lastSuccess: new Gauge({ name: 'sigwatch_log_last_success_timestamp_seconds', help: 'Unix time of the last successful poll', labelNames, registers: [registry] }),
  halted: new Gauge({ name: 'sigwatch_log_halted', help: '1 while the log is halted by an incident', labelNames, registers: [registry] }),
  behind: new Gauge({ name: 'sigwatch_log_behind', help: '1 while the backlog has grown for 5 minutes', labelNames, registers: [registry] }),
};
