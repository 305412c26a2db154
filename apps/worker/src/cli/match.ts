/**
 * `sigwatch match --rules <file> [--anchoring strict|preserve] <entry files…>` — a dry run of matching.
 *
 * Rules: Sigwatch JSON `{ "subscriptions": [{ "name", "rules": [...] }] }`, or a rekor-monitor config
 * (YAML, `monitoredValues`), imported with anchoring made explicit (what changed goes to stderr).
 * Entries: SigningEvent JSON (one object, an array, or JSON lines), or anything `sigwatch entry inspect`
 * reads — Rekor v1 API responses, Sigstore bundles, cosign bundles — parsed by the worker's leaf parser.
 * Prints one JSON line per match. Exit 0 done (matches or not), 1 invalid rules or entries, 2 bad usage.
 */
import { basename } from 'node:path';
import {
  importRekorMonitorYaml,
  isRuleError,
  parseRulesFile,
  RuleIndex,
  SigningEventSchema,
  type RuleRecord,
  type SigningEvent,
} from '@sigwatch/rules';
import { embeddedTrustedRoot, findTransparencyLog, isTlogError, normalizeTlogEntries, toHex, type TlogEntry } from '@sigwatch/tlog';
import { parseLeaf } from '../parse/parse-leaf.js';
import { EntryParseError } from '../parse/entry-parse-error.js';
import { parseArgs, printJson, single, UsageError, withUsage } from './args.js';
import { readInput } from './checkpoint.js';

const USAGE = 'sigwatch match --rules <file> [--anchoring strict|preserve] <entry files…>';

class InvalidInput extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface LoadedRules {
  readonly records: RuleRecord[];
  /** ruleId → what to print. */
  readonly labels: Map<string, { subscription: string; rule: string }>;
}

/** Sigwatch JSON, or a rekor-monitor YAML/JSON config. */
export function loadRules(text: string, file: string, anchoring: 'strict' | 'preserve'): LoadedRules {
  const records: RuleRecord[] = [];
  const labels = new Map<string, { subscription: string; rule: string }>();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (typeof json === 'object' && json !== null && 'subscriptions' in json) {
    const parsed = parseRulesFile(json);
    parsed.subscriptions.forEach((s, si) => {
      s.rules.forEach((rule, ri) => {
        const ruleId = `${si}/${ri}`;
        records.push({ subscriptionId: String(si), ruleId, rule });
        labels.set(ruleId, { subscription: s.name, rule: rule.name ?? `rule ${ri + 1}` });
      });
    });
    return { records, labels };
  }
  const imported = importRekorMonitorYaml(text, { anchoring });
  for (const n of imported.notes) {
    process.stderr.write(`sigwatch: ${file}: ${n.source}: ${n.kind}: ${n.message}\n`);
  }
  const subscription = basename(file);
  for (const r of imported.rules) {
    records.push({ subscriptionId: '0', ruleId: r.id, rule: r.rule });
    labels.set(r.id, { subscription, rule: r.id });
  }
  if (records.length === 0) throw new InvalidInput('NO_RULES', `${file}: no rule could be imported`);
  return { records, labels };
}

/** JSON (object or array) or JSON lines. */
function jsonValues(text: string, file: string): unknown[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v : [v];
  } catch {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    return lines.map((l, i) => {
      try {
        return JSON.parse(l) as unknown;
      } catch {
        throw new InvalidInput('BAD_ENTRY_FILE', `${file}: line ${i + 1} is not JSON (expected SigningEvent JSON, JSON lines, or a log entry / bundle)`);
      }
    });
  }
}

/** The checkpoint origin line when the entry carries one, else the host of the trusted log with that ID. */
function originOf(e: TlogEntry): string {
  const first = e.inclusionProof?.checkpoint?.split('\n')[0]?.trim();
  if (first !== undefined && first !== '') return first;
  try {
    return findTransparencyLog(embeddedTrustedRoot(), e.logId).hostname;
  } catch {
    return `log ${toHex(e.logId).slice(0, 16)}`;
  }
}

function eventsFromEntry(value: unknown, file: string): SigningEvent[] {
  const direct = SigningEventSchema.safeParse(value);
  if (direct.success) return [direct.data];
  let entries: TlogEntry[];
  try {
    entries = normalizeTlogEntries(value);
  } catch (err) {
    if (isTlogError(err)) throw new InvalidInput(err.code, `${file}: neither a SigningEvent nor a log entry: ${err.message}`);
    throw err;
  }
  return entries.map((e) => {
    const v2 = e.integratedTime === undefined || e.integratedTime === 0n;
    try {
      return parseLeaf({
        log: { origin: originOf(e), kind: v2 ? 'rekor-v2' : 'rekor-v1' },
        index: e.inclusionProof?.logIndex ?? e.logIndex,
        globalIndex: e.logIndex,
        leafBytes: e.body,
        ...(e.uuid === undefined ? {} : { uuid: e.uuid }),
        ...(v2 ? {} : { integratedTime: Number(e.integratedTime) }),
      });
    } catch (err) {
      if (err instanceof EntryParseError) throw new InvalidInput(err.code, `${file}: entry ${e.position}: ${err.message}`);
      throw err;
    }
  });
}

export async function run(args: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const p = parseArgs(args, { options: ['rules', 'anchoring'] });
    const rulesFile = single(p, 'rules', true);
    const anchoring = single(p, 'anchoring') ?? 'strict';
    if (anchoring !== 'strict' && anchoring !== 'preserve') throw new UsageError('--anchoring must be strict or preserve');
    if (p.positionals.length === 0) throw new UsageError('give at least one entry file');
    const rulesText = readInput(rulesFile, 'rules file');
    const entryTexts = p.positionals.map((f) => [f, readInput(f, 'entry file')] as const);
    try {
      const { records, labels } = loadRules(rulesText, rulesFile, anchoring);
      const index = RuleIndex.build(records);
      for (const [file, text] of entryTexts) {
        for (const value of jsonValues(text, file)) {
          for (const event of eventsFromEntry(value, file)) {
            for (const m of index.match(event)) {
              const label = labels.get(m.ruleId);
              printJson({
                subscription: label?.subscription ?? m.subscriptionId,
                rule: label?.rule ?? m.ruleId,
                log: event.log.origin,
                index: event.index,
                globalIndex: event.globalIndex,
                kind: event.kind,
                field: m.field,
                value: m.value,
                matched: m.matched,
                file,
              });
            }
          }
        }
      }
      return 0;
    } catch (err) {
      if (isRuleError(err)) {
        printJson({ ok: false, code: err.code, field: err.field, message: `${rulesFile}: ${err.message}` });
        return 1;
      }
      if (err instanceof InvalidInput) {
        printJson({ ok: false, code: err.code, message: err.message });
        return 1;
      }
      throw err;
    }
  });
}
