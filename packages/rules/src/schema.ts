/**
 * The rule model, shared by the API (validation, preview) and the matcher worker (index).
 * A subscription holds rules; a rule is a conjunction of conditions, every condition present must hold.
 * The conditions follow rekor-monitor's model (certSubject + issuers, fingerprints, subjects, OID
 * extensions), plus artifact digest, entry kind and log, with explicit value types and whole-value
 * anchoring (see value-matcher.ts).
 */
import { z } from 'zod';
import { FULCIO_EXTENSION_BY_NAME, FULCIO_EXTENSIONS } from './fulcio-extensions.js';
import { RuleError, type RuleErrorCode } from './rule-error.js';
import { ValueMatcherSchema } from './value-matcher.js';

const DOTTED_OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;

export const ExtensionConditionSchema = z
  .object({
    /** A Fulcio extension by rekor-monitor's YAML name (`source-repository-uri`, …; all of .1.1–.1.24). */
    name: z.string().optional(),
    /** Any extension by dotted OID (`1.3.6.1.4.1.57264.1.12`, or a non-Fulcio OID). */
    oid: z.string().regex(DOTTED_OID, 'a dotted object identifier like 1.3.6.1.4.1.57264.1.12').optional(),
    value: ValueMatcherSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.name === undefined) === (c.oid === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give exactly one of "name" or "oid"' });
    }
    if (c.name !== undefined && !FULCIO_EXTENSION_BY_NAME.has(c.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: `unknown Fulcio extension "${c.name}"; known names: ${FULCIO_EXTENSIONS.map((e) => e.name).join(', ')}`,
        params: { ruleCode: 'UNKNOWN_EXTENSION' },
      });
    }
  });
export type ExtensionCondition = z.infer<typeof ExtensionConditionSchema>;

/** Log selectors: an origin (`rekor.sigstore.dev - 1193050959916656506`) or a log kind. */
export const LOG_KIND_SELECTORS = ['rekor-v1', 'rekor-v2', 'ct'] as const;

export const RuleSchema = z
  .object({
    /** A label for the user and the alert. */
    name: z.string().max(200).optional(),
    /** Disabled rules stay stored but are not matched. Default true. */
    enabled: z.boolean().optional(),
    /** Certificate identity: any SubjectAlternativeName (URI, e-mail, DNS, IP, OtherName username). */
    san: ValueMatcherSchema.optional(),
    /** OIDC issuer (.1.8, else .1.1); any one of these. Alone it matches every entry of that issuer. */
    issuers: z.array(ValueMatcherSchema).min(1).max(32).optional(),
    /** Certificate extensions; each one must be present and match. */
    extensions: z.array(ExtensionConditionSchema).min(1).max(32).optional(),
    /** SHA-256 (hex) of the certificate, of its public key, or of a non-certificate key. */
    fingerprint: ValueMatcherSchema.optional(),
    /** Identity of a non-certificate key: PGP user id, SSH comment, … */
    subject: ValueMatcherSchema.optional(),
    /** Artifact / payload digest value (hex), any algorithm. */
    digest: ValueMatcherSchema.optional(),
    /** Entry kinds (`hashedrekord`, `dsse`, `intoto`, `x509`, `precert`, …); any one of these. */
    kinds: z.array(z.string().min(1).max(64)).min(1).max(32).optional(),
    /** Log origins or log kinds (`rekor-v1`, `rekor-v2`, `ct`); any one of these. Default: every log. */
    logs: z.array(z.string().min(1).max(200)).min(1).max(32).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const identity = [r.san, r.issuers, r.extensions, r.fingerprint, r.subject, r.digest];
    if (identity.every((c) => c === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message:
          'a rule needs at least one identity condition (san, issuers, extensions, fingerprint, subject or digest); kinds and logs alone would match whole logs',
        params: { ruleCode: 'NO_IDENTITY_CONDITION' },
      });
    }
  });
export type Rule = z.infer<typeof RuleSchema>;
export type RuleInput = z.input<typeof RuleSchema>;

/** A rule as stored for a subscription: what the index and the matcher take. */
export interface RuleRecord {
  readonly subscriptionId: string;
  readonly ruleId: string;
  readonly rule: Rule;
}

/** Sigwatch's rules file (CLI, export/import): `{ subscriptions: [{ name, rules: [...] }] }`. */
export const RulesFileSchema = z
  .object({
    subscriptions: z
      .array(
        z
          .object({
            name: z.string().min(1).max(200),
            rules: z.array(RuleSchema).min(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type RulesFile = z.infer<typeof RulesFileSchema>;

/** Resolve an extension condition to its dotted OID. Precondition: the condition passed the schema. */
export function extensionOid(c: ExtensionCondition): string {
  if (c.oid !== undefined) return c.oid;
  const info = FULCIO_EXTENSION_BY_NAME.get(c.name ?? '');
  if (info === undefined) throw new RuleError('UNKNOWN_EXTENSION', `unknown Fulcio extension "${c.name ?? ''}"`, 'name');
  return info.oid;
}

/** Turn the first zod issue into a RuleError (code from the issue's params, field = dotted path). */
export function ruleErrorFromZod(error: z.ZodError, basePath = ''): RuleError {
  const issue = error.issues[0];
  if (issue === undefined) return new RuleError('INVALID_RULE', 'invalid rule', basePath);
  const path = [basePath, ...issue.path.map(String)].filter((p) => p !== '').join('.');
  const params = (issue as { params?: { ruleCode?: RuleErrorCode } }).params;
  const code = params?.ruleCode ?? 'INVALID_RULE';
  return new RuleError(code, path === '' ? issue.message : `${path}: ${issue.message}`, path, { cause: error });
}

/** Validate an untrusted rule; throws RuleError naming the field. */
export function parseRule(input: unknown): Rule {
  const result = RuleSchema.safeParse(input);
  if (!result.success) throw ruleErrorFromZod(result.error);
  return result.data;
}

/** Validate an untrusted rules file; throws RuleError naming the field. */
export function parseRulesFile(input: unknown): RulesFile {
  const result = RulesFileSchema.safeParse(input);
  if (!result.success) throw ruleErrorFromZod(result.error);
  return result.data;
}
