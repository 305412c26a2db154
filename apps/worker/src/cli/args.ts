/**
 * Tiny argument parser shared by the `sigwatch` commands: positionals plus `--flag value` / `--flag=value`
 * options (repeatable) and boolean `--switch`es. Unknown options and missing values are usage errors (exit 2).
 */

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ArgSpec {
  /** Options that take a value (may repeat). */
  options?: readonly string[];
  /** Options without a value. */
  switches?: readonly string[];
}

export interface ParsedArgs {
  positionals: string[];
  /** All values of each option, in order. */
  options: Map<string, string[]>;
  switches: Set<string>;
}

export function parseArgs(args: readonly string[], spec: ArgSpec): ParsedArgs {
  const options = new Map<string, string[]>();
  const switches = new Set<string>();
  const positionals: string[] = [];
  const valued = new Set(spec.options ?? []);
  const bools = new Set(spec.switches ?? []);
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '--') {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (bools.has(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      switches.add(name);
    } else if (valued.has(name)) {
      const value = eq >= 0 ? a.slice(eq + 1) : args[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      options.set(name, [...(options.get(name) ?? []), value]);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positionals, options, switches };
}

/** The single value of an option; a usage error if it is repeated, or missing when `required`. */
export function single(p: ParsedArgs, name: string, required: true): string;
export function single(p: ParsedArgs, name: string, required?: false): string | undefined;
export function single(p: ParsedArgs, name: string, required = false): string | undefined {
  const v = p.options.get(name);
  if (v === undefined || v.length === 0) {
    if (required) throw new UsageError(`--${name} is required`);
    return undefined;
  }
  if (v.length > 1) throw new UsageError(`--${name} given more than once`);
  return v[0];
}

/** Writes one JSON result line to stdout (bigints as decimal strings). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) + '\n');
}

/** Runs a command body: usage errors → stderr + exit 2; anything else propagates. */
export async function withUsage(usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`sigwatch: ${err.message}\nusage: ${usage}\n`);
      return 2;
    }
    throw err;
  }
}
