/**
 * rekor-monitor `monitoredValues` YAML → one Sigwatch subscription holding one rule per monitored value,
 * with the import's notes (anchoring changed, skipped values …) returned for the user to read.
 */
import { importRekorMonitorYaml, type AnchoringMode } from '@sigwatch/rules';
import type { ApiDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { createSubscription, lintRules } from './subscriptions.js';

type Deps = Pick<ApiDeps, 'db' | 'redis' | 'config'>;

export const MAX_IMPORT_BYTES = 128 * 1024;

export function parseImport(yaml: string, anchoring: AnchoringMode) {
  if (Buffer.byteLength(yaml) > MAX_IMPORT_BYTES) throw new AppError('VALIDATION', `yaml: at most ${MAX_IMPORT_BYTES / 1024} KiB`, { field: 'yaml' });
  try {
    return importRekorMonitorYaml(yaml, { anchoring });
  } catch (err) {
    if (err instanceof Error && err.name === 'RuleError') throw new AppError('VALIDATION', `yaml: ${err.message}`, { field: 'yaml', cause: err });
    throw err;
  }
}

export async function importSubscription(deps: Deps, userId: string, body: { name: string; yaml: string; anchoring: AnchoringMode; dryRun: boolean; channels?: { emailAddressIds: string[]; webhookIds: string[] } | undefined }) {
  const imported = parseImport(body.yaml, body.anchoring);
  const rules = imported.rules.map((r) => r.rule);
  const notes = imported.notes.map((n) => ({ kind: n.kind, source: n.source, message: n.message }));
  if (rules.length === 0) throw new AppError('VALIDATION', 'yaml: no monitored value could be imported', { field: 'yaml' });
  if (rules.length > 50) throw new AppError('VALIDATION', `yaml: ${rules.length} values; split the file into parts of at most 50`, { field: 'yaml' });
  if (body.dryRun) return { subscription: null, rules, notes, warnings: lintRules(rules) };
  const sub = await createSubscription(deps, userId, { name: body.name, enabled: true, digest: 'none', rules, channels: body.channels ?? { emailAddressIds: [], webhookIds: [] } });
  return { subscription: sub, rules, notes, warnings: sub.warnings };
}
