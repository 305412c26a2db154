/**
 * zod helpers for environment variables, shared by both apps' `config.ts`.
 * Doctrine: blank means unset; booleans accept true/false/1/0/yes/no; numbers are coerced with bounds;
 * every issue is reported at once, naming the variable.
 */
import { z } from 'zod';

/** Treat '' (and whitespace) as unset so that `FOO=` in a .env file means "use the default". */
export function blankAsUndefined(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}

export const envBool = (fallback: boolean) =>
  z.preprocess(
    blankAsUndefined,
    z
      .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no', 'TRUE', 'FALSE'])], {
        error: 'must be true or false (or 1/0, yes/no)',
      })
      .transform((v) => v === true || v === 'true' || v === 'TRUE' || v === '1' || v === 'yes')
      .default(fallback),
  );

export const envInt = (fallback: number, min: number, max: number) =>
  z.preprocess(
    blankAsUndefined,
    z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`)
      .default(fallback),
  );

export const envUrl = (protocols: readonly string[], fallback?: string) => {
  const base = z
    .string()
    .refine((v) => URL.canParse(v), 'must be a URL')
    .refine((v) => !URL.canParse(v) || protocols.includes(new URL(v).protocol.replace(/:$/, '')), {
      message: `must use ${protocols.join(' or ')}`,
    });
  return z.preprocess(blankAsUndefined, fallback === undefined ? base : base.default(fallback));
};

export const envString = (fallback?: string) =>
  z.preprocess(blankAsUndefined, fallback === undefined ? z.string() : z.string().default(fallback));

/** An optional string: unset and blank both mean "not given". */
export const envOptionalString = () => z.preprocess(blankAsUndefined, z.string().optional());

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'INVALID_CONFIG' as const;
  constructor(readonly issues: readonly { variable: string; message: string }[]) {
    super(
      `Invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n'),
    );
  }
}

/** Parse `source` with `schema`, throwing one ConfigError that lists every bad variable. */
export function parseEnv<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>): z.output<S> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    // Name the variable itself, not a path into its parsed value (e.g. WORKER_ROLES, not WORKER_ROLES.0).
    variable: issue.path.length > 0 ? String(issue.path[0]) : '(environment)',
    message: issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message,
  }));
  throw new ConfigError(issues);
}

const SECRET_NAMES = /SECRET|PASSWORD|TOKEN|KEY/i;

/** A copy of a config object for printing: secrets replaced, passwords removed from URLs. */
export function redact(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    // A *_FILE variable names where a secret is, not the secret: shown, so an operator can check the path.
    if (typeof value === 'string' && SECRET_NAMES.test(key) && !key.endsWith('_FILE')) out[key] = '(redacted)';
    else if (typeof value === 'string' && URL.canParse(value) && new URL(value).password !== '') {
      const u = new URL(value);
      u.password = 'redacted';
      out[key] = u.toString();
    } else out[key] = value;
  }
  return out;
}
