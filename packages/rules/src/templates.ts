/**
 * Rules from what a user knows ("my repository", "my workflow file", "my e-mail address"), so they do
 * not have to know Fulcio's extensions. Each template validates its input and returns one or more rules
 * (a subscription matches when any of its rules does).
 */
import { RuleError } from './rule-error.js';
import { parseRule, type Rule } from './schema.js';

export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
export const GITLAB_ISSUER = 'https://gitlab.com';

/** OIDC issuers Fulcio accepts for e-mail identities, for pickers in the UI. */
export const KNOWN_EMAIL_ISSUERS = {
  google: 'https://accounts.google.com',
  github: 'https://github.com/login/oauth',
  microsoft: 'https://login.microsoftonline.com',
} as const;

const GH_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/; // GitHub owner (user or org)
const GH_REPO = /^[A-Za-z0-9._-]{1,100}$/;
const NUMERIC_ID = /^[1-9][0-9]{0,19}$/;
const GITLAB_PATH = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)+$/;

function bad(field: string, message: string): RuleError {
  return new RuleError('INVALID_TEMPLATE_INPUT', `${field}: ${message}`, field);
}

function splitRepo(repository: string): { owner: string; repo: string } {
  const m = /^(?:https:\/\/github\.com\/)?([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(repository.trim());
  if (m === null || !GH_NAME.test(m[1]!) || !GH_REPO.test(m[2]!) || m[2] === '.' || m[2] === '..') {
    throw bad('repository', `"${repository}" is not a GitHub repository like "owner/repo"`);
  }
  return { owner: m[1]!, repo: m[2]! };
}

export interface GithubRepositoryInput {
  /** `owner/repo` or `https://github.com/owner/repo`. */
  readonly repository: string;
  /** Immutable repository id (.1.15), survives renames: `gh api repos/OWNER/REPO --jq .id`. */
  readonly repositoryId?: string;
  /** Immutable owner id (.1.17): `gh api users/OWNER --jq .id`. */
  readonly ownerId?: string;
}

/**
 * Any GitHub Actions signing for a repository. One rule on the source repository URI (.1.12) catches
 * everything signed under that name, including by a repository re-created under the name after a rename
 * or deletion; when the ids are given, a second rule on the immutable ids (.1.15 + .1.17) catches the
 * same repository after it is renamed or transferred.
 */
export function githubRepositoryRules(input: GithubRepositoryInput): Rule[] {
  const { owner, repo } = splitRepo(input.repository);
  const issuers = [{ type: 'exact' as const, value: GITHUB_ACTIONS_ISSUER }];
  const rules: Rule[] = [
    parseRule({
      name: `GitHub repository ${owner}/${repo}`,
      issuers,
      extensions: [{ name: 'source-repository-uri', value: { type: 'exact', value: `https://github.com/${owner}/${repo}` } }],
    }),
  ];
  if (input.repositoryId !== undefined || input.ownerId !== undefined) {
    if (input.repositoryId === undefined || !NUMERIC_ID.test(input.repositoryId)) {
      throw bad('repositoryId', 'give the numeric repository id together with the owner id');
    }
    if (input.ownerId === undefined || !NUMERIC_ID.test(input.ownerId)) {
      throw bad('ownerId', 'give the numeric owner id together with the repository id');
    }
    rules.push(
      parseRule({
        name: `GitHub repository id ${input.repositoryId} (owner id ${input.ownerId})`,
        issuers,
        extensions: [
          { name: 'source-repository-identifier', value: { type: 'exact', value: input.repositoryId } },
          { name: 'source-repository-owner-identifier', value: { type: 'exact', value: input.ownerId } },
        ],
      }),
    );
  }
  return rules;
}

export interface GithubWorkflowInput {
  readonly repository: string;
  /** `release.yml` or `.github/workflows/release.yml`. */
  readonly workflow: string;
  /** `refs/tags/v1.2.3`, `refs/heads/main`; omitted = any ref. */
  readonly ref?: string;
}

/** Signing by one workflow file of a repository: the certificate's SAN is `…/<workflow>@<ref>`. */
export function githubWorkflowRules(input: GithubWorkflowInput): Rule[] {
  const { owner, repo } = splitRepo(input.repository);
  const wf = input.workflow.trim().replace(/^\/+/, '');
  const path = wf.includes('/') ? wf : `.github/workflows/${wf}`;
  if (!/^\.github\/workflows\/[^/@]+\.ya?ml$/.test(path)) {
    throw bad('workflow', `"${input.workflow}" is not a workflow file like ".github/workflows/release.yml"`);
  }
  const base = `https://github.com/${owner}/${repo}/${path}@`;
  if (input.ref !== undefined && !/^refs\/[^\s]+$/.test(input.ref)) {
    throw bad('ref', `"${input.ref}" is not a full git ref like "refs/heads/main" or "refs/tags/v1.0.0"`);
  }
  return [
    parseRule({
      name: `GitHub workflow ${owner}/${repo}/${path}${input.ref === undefined ? '' : `@${input.ref}`}`,
      san: input.ref === undefined ? { type: 'prefix', value: base } : { type: 'exact', value: base + input.ref },
      issuers: [{ type: 'exact', value: GITHUB_ACTIONS_ISSUER }],
    }),
  ];
}

export interface EmailInput {
  readonly email: string;
  /** The OIDC issuer that vouches for the address (see KNOWN_EMAIL_ISSUERS). */
  readonly issuer: string;
}

/** An e-mail identity with its OIDC issuer. */
export function emailRules(input: EmailInput): Rule[] {
  const email = input.email.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw bad('email', `"${input.email}" is not an e-mail address`);
  if (!/^https:\/\/[^\s/]+(\/\S*)?$/.test(input.issuer)) throw bad('issuer', `"${input.issuer}" is not an https issuer URL`);
  return [
    parseRule({
      name: `${email} via ${input.issuer}`,
      san: { type: 'exact', value: email },
      issuers: [{ type: 'exact', value: input.issuer }],
    }),
  ];
}

export interface GitlabProjectInput {
  /** `group/subgroup/project`. */
  readonly project: string;
  /** Self-managed GitLab base URL; default https://gitlab.com (also the OIDC issuer). */
  readonly host?: string;
}

/** Any GitLab CI signing for a project: source repository URI (.1.12) plus the GitLab issuer. */
export function gitlabProjectRules(input: GitlabProjectInput): Rule[] {
  const host = (input.host ?? GITLAB_ISSUER).replace(/\/+$/, '');
  if (!/^https:\/\/[^\s/]+$/.test(host)) throw bad('host', `"${input.host ?? ''}" is not an https base URL like https://gitlab.example.com`);
  const project = input.project.trim().replace(/^\/+|\/+$/g, '');
  if (!GITLAB_PATH.test(project)) throw bad('project', `"${input.project}" is not a GitLab project path like "group/project"`);
  return [
    parseRule({
      name: `GitLab project ${project}`,
      issuers: [{ type: 'exact', value: host }],
      extensions: [{ name: 'source-repository-uri', value: { type: 'exact', value: `${host}/${project}` } }],
    }),
  ];
}

export interface KeyFingerprintInput {
  /**
   * SHA-256 of the DER public key or certificate (hex, any case, colons or `sha256:` prefix allowed); an
   * OpenPGP fingerprint as `gpg --fingerprint` prints it (40 or 64 hex digits, spaces allowed); or an SSH
   * key's `SHA256:…` fingerprint as `ssh-keygen -l` prints it.
   */
  readonly fingerprint: string;
}

/** A key (or certificate) by its fingerprint. */
export function keyFingerprintRules(input: KeyFingerprintInput): Rule[] {
  const given = input.fingerprint.trim();
  // OpenSSH: base64 is case-sensitive, so this spelling is kept as it is (minus any padding).
  const ssh = /^SHA256:([A-Za-z0-9+/]{43})=?$/.exec(given);
  if (ssh) return [parseRule({ name: `SSH key ${ssh[1]!.slice(0, 12)}…`, fingerprint: { type: 'exact', value: `SHA256:${ssh[1]!}` } })];
  const hex = given.replace(/^sha256:/i, '').replace(/[:\s]/g, '').toLowerCase();
  if (/^[0-9a-f]{40}$/.test(hex)) return [parseRule({ name: `PGP key ${hex.slice(-16)}`, fingerprint: { type: 'exact', value: hex } })];
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw bad(
      'fingerprint',
      'give the SHA-256 of the DER public key or certificate as 64 hex digits (e.g. `openssl pkey -pubin -outform DER | sha256sum`), an OpenPGP fingerprint (`gpg --fingerprint`, 40 or 64 hex digits) or an SSH fingerprint (`ssh-keygen -l`, SHA256:…)',
    );
  }
  return [parseRule({ name: `key ${hex.slice(0, 16)}…`, fingerprint: { type: 'exact', value: hex } })];
}

export type TemplateInput =
  | ({ readonly template: 'github-repository' } & GithubRepositoryInput)
  | ({ readonly template: 'github-workflow' } & GithubWorkflowInput)
  | ({ readonly template: 'email' } & EmailInput)
  | ({ readonly template: 'gitlab-project' } & GitlabProjectInput)
  | ({ readonly template: 'key-fingerprint' } & KeyFingerprintInput);

/** Dispatch on `template`. */
export function rulesFromTemplate(input: TemplateInput): Rule[] {
  switch (input.template) {
    case 'github-repository':
      return githubRepositoryRules(input);
    case 'github-workflow':
      return githubWorkflowRules(input);
    case 'email':
      return emailRules(input);
    case 'gitlab-project':
      return gitlabProjectRules(input);
    case 'key-fingerprint':
      return keyFingerprintRules(input);
  }
}
