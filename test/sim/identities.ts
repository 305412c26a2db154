/**
 * Who signs in the simulator: identities (GitHub workflows, GitLab pipelines, e-mails, bare keys), the
 * default OIDC issuer of each, and a realistic random mix for steady traffic. Seeded: the same seed gives
 * the same sequence.
 */
import { FULCIO_OID_PREFIX } from '@sigwatch/rules';

export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
export const GITHUB_OAUTH_ISSUER = 'https://github.com/login/oauth';
export const GOOGLE_ISSUER = 'https://accounts.google.com';
export const GITLAB_ISSUER = 'https://gitlab.com';

export type EntryKind = 'hashedrekord' | 'dsse' | 'intoto';

export interface IdentitySpec {
  /** SAN: URI or e-mail. Absent with keyOnly. */
  identity?: string;
  issuer?: string;
  /** Fulcio extension overrides by OID (`1.3.6.1.4.1.57264.1.12`, `.1.12` or `12`). */
  extensions?: Record<string, string>;
  keyOnly?: boolean;
  kind?: EntryKind;
}

/** The issuer Fulcio would put in a certificate for this identity when none is given. */
export function defaultIssuer(identity: string): string {
  if (identity.startsWith('https://github.com/')) return GITHUB_ACTIONS_ISSUER;
  if (identity.startsWith('https://gitlab.com/')) return GITLAB_ISSUER;
  if (identity.includes('@') && !identity.includes('://')) return identity.endsWith('@gmail.com') ? GOOGLE_ISSUER : GITHUB_OAUTH_ISSUER;
  return GOOGLE_ISSUER;
}

export function isEmailIdentity(identity: string): boolean {
  return identity.includes('@') && !identity.includes('://');
}

/** Normalises extension keys to full dotted OIDs. */
export function normalizeExtensions(ext: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(ext ?? {})) {
    let oid = k;
    if (/^[0-9]+$/.test(k)) oid = `${FULCIO_OID_PREFIX}${k}`;
    else if (k.startsWith('.1.')) oid = `${FULCIO_OID_PREFIX}${k.slice(3)}`;
    out[oid] = v;
  }
  return out;
}

/** mulberry32: a small seeded PRNG (uniform in [0, 1)). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REPOS = [
  'acme/widget', 'acme/gizmo', 'sigstore/sigstore-js', 'octo-org/octo-repo', 'example/cli', 'kubernetes-sigs/release-utils',
  'npm/cli', 'pypa/gh-action-pypi-publish', 'trailofbits/rfc8785.py', 'homebrew/brew', 'rust-lang/crates-io', 'golang/go',
];
const WORKFLOWS = ['release.yml', 'ci.yml', 'publish.yml', 'build.yaml', 'slsa.yml'];
const REFS = ['refs/heads/main', 'refs/tags/v1.0.0', 'refs/tags/v2.3.4', 'refs/heads/release', 'refs/tags/v0.9.1-rc.1'];
const EMAIL_USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'maintainer', 'release-bot', 'security'];
const EMAIL_DOMAINS = ['example.com', 'gmail.com', 'acme.dev', 'python.org'];
const GITLAB = ['gitlab-org/gitlab-runner', 'acme/infra', 'fdroid/fdroidserver'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

/** A random identity in roughly public-log proportions: workflows, e-mails, GitLab, bare keys. */
export function randomIdentity(r: () => number, log: 'rekor-v1' | 'rekor-v2' | 'ct'): IdentitySpec {
  const x = r();
  const keyOk = log !== 'ct';
  let spec: IdentitySpec;
  if (x < 0.55) {
    spec = { identity: `https://github.com/${pick(r, REPOS)}/.github/workflows/${pick(r, WORKFLOWS)}@${pick(r, REFS)}` };
  } else if (x < 0.77) {
    spec = { identity: `${pick(r, EMAIL_USERS)}@${pick(r, EMAIL_DOMAINS)}` };
  } else if (x < 0.87 || !keyOk) {
    spec = { identity: `https://gitlab.com/${pick(r, GITLAB)}//.gitlab-ci.yml@refs/heads/main` };
  } else {
    spec = { keyOnly: true };
  }
  if (log === 'rekor-v1') {
    const k = r();
    spec.kind = k < 0.7 ? 'hashedrekord' : k < 0.9 ? 'dsse' : 'intoto';
  }
  return spec;
}
