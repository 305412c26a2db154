/**
 * Fulcio certificate extensions, OID arc 1.3.6.1.4.1.57264.1.*
 * (sigstore/fulcio docs/oid-info.md; names as rekor-monitor's `pkg/fulcio/extensions` YAML names).
 * .1.1–.1.6 hold raw (non-DER) strings; .1.8 and later hold DER UTF8String values.
 */
export const FULCIO_OID_PREFIX = '1.3.6.1.4.1.57264.1.';

export interface FulcioExtensionInfo {
  /** Full dotted OID. */
  readonly oid: string;
  /** rekor-monitor YAML name, or our name for the two it lacks (.23, .24). */
  readonly name: string;
  /** true for .1.1–.1.6: the value is the raw extension bytes as UTF-8, not DER. */
  readonly raw: boolean;
  readonly deprecated: boolean;
}

const table: ReadonlyArray<[number, string, boolean?]> = [
  [1, 'issuer-v1', true],
  [2, 'github-workflow-trigger', true],
  [3, 'github-workflow-sha', true],
  [4, 'github-workflow-name', true],
  [5, 'github-workflow-repository', true],
  [6, 'github-workflow-ref', true],
  [8, 'issuer'],
  [9, 'build-signer-uri'],
  [10, 'build-signer-digest'],
  [11, 'runner-environment'],
  [12, 'source-repository-uri'],
  [13, 'source-repository-digest'],
  [14, 'source-repository-ref'],
  [15, 'source-repository-identifier'],
  [16, 'source-repository-owner-uri'],
  [17, 'source-repository-owner-identifier'],
  [18, 'build-config-uri'],
  [19, 'build-config-digest'],
  [20, 'build-trigger'],
  [21, 'run-invocation-uri'],
  [22, 'source-repository-visibility-at-signing'],
  [23, 'deployment-environment'],
  [24, 'token-subject'],
];

export const FULCIO_EXTENSIONS: readonly FulcioExtensionInfo[] = table.map(([n, name, raw]) => ({
  oid: `${FULCIO_OID_PREFIX}${n}`,
  name,
  raw: raw === true,
  deprecated: n <= 6,
}));

export const FULCIO_EXTENSION_BY_OID: ReadonlyMap<string, FulcioExtensionInfo> = new Map(
  FULCIO_EXTENSIONS.map((e) => [e.oid, e]),
);
export const FULCIO_EXTENSION_BY_NAME: ReadonlyMap<string, FulcioExtensionInfo> = new Map(
  FULCIO_EXTENSIONS.map((e) => [e.name, e]),
);

/** OID of the v2 issuer extension (.1.8, DER) and the deprecated v1 one (.1.1, raw). */
export const OID_ISSUER_V2 = `${FULCIO_OID_PREFIX}8`;
export const OID_ISSUER_V1 = `${FULCIO_OID_PREFIX}1`;
