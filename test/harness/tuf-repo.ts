/**
 * A real TUF repository (TUF specification 1.0: root, targets, snapshot and timestamp metadata, each signed
 * over its OLPC canonical JSON with Ed25519) served over HTTP on 127.0.0.1, with `trusted_root.json` as its
 * one target: what tuf-repo-cdn.sigstore.dev is to Sigstore's clients, for tests of the TUF client path.
 *
 *   const repo = await startTufRepo(trustedRootJson);   // versions 1
 *   repo.publish(otherTrustedRootJson);                   // new targets, snapshot and timestamp
 *   repo.tamper();                                        // the next timestamp carries a bad signature
 *   await repo.close();
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalize } from '@tufjs/canonical-json';

export interface TufRepo {
  readonly url: string;
  /** The first root.json, as a client is given it (SIGWATCH_TUF_ROOT). */
  readonly rootPath: string;
  /** Requests served, as "METHOD /path STATUS". */
  readonly served: string[];
  publish(trustedRootJson: string): void;
  /** From now on serve a timestamp whose signature does not verify (a mirror serving forged metadata). */
  tamper(): void;
  /** Stop answering (connections refused) until `resume()`. */
  goDown(): void;
  resume(): void;
  close(): Promise<void>;
}

const SPEC = '1.0.31';

export async function startTufRepo(trustedRootJson: string): Promise<TufRepo> {
  const dir = mkdtempSync(join(tmpdir(), 'sigwatch-tuf-repo-'));
  mkdirSync(join(dir, 'targets'));
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const forger = generateKeyPairSync('ed25519').privateKey;
  const raw = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(-32);
  const key = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: raw.toString('hex') } };
  const keyid = createHash('sha256').update(canonicalize(key)).digest('hex');
  const expires = new Date(Date.now() + 365 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const role = { keyids: [keyid], threshold: 1 };
  const signed = (body: object, by: KeyObject = privateKey) =>
    JSON.stringify({ signed: body, signatures: [{ keyid, sig: sign(null, Buffer.from(canonicalize(body)), by).toString('hex') }] });
  const root = { _type: 'root', spec_version: SPEC, version: 1, expires, consistent_snapshot: false, keys: { [keyid]: key }, roles: { root: role, targets: role, snapshot: role, timestamp: role } };
  const rootText = signed(root);
  writeFileSync(join(dir, '1.root.json'), rootText);
  const rootPath = join(dir, 'initial-root.json');
  writeFileSync(rootPath, rootText);

  let version = 0;
  let tampered = false;
  let down = false;
  const write = (target: string) => {
    version++;
    writeFileSync(join(dir, 'targets', 'trusted_root.json'), target);
    const t = Buffer.from(target);
    writeFileSync(
      join(dir, 'targets.json'),
      signed({ _type: 'targets', spec_version: SPEC, version, expires, targets: { 'trusted_root.json': { length: t.length, hashes: { sha256: createHash('sha256').update(t).digest('hex') } } } }),
    );
    writeFileSync(join(dir, 'snapshot.json'), signed({ _type: 'snapshot', spec_version: SPEC, version, expires, meta: { 'targets.json': { version } } }));
    writeTimestamp();
  };
  const writeTimestamp = () =>
    writeFileSync(join(dir, 'timestamp.json'), signed({ _type: 'timestamp', spec_version: SPEC, version: version + (tampered ? 1 : 0), expires, meta: { 'snapshot.json': { version } } }, tampered ? forger : privateKey));
  write(trustedRootJson);

  const served: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (down) {
      req.socket.destroy();
      return;
    }
    const file = path === '/' || path.includes('..') ? undefined : join(dir, path);
    void (file === undefined ? Promise.reject(new Error('no')) : readFile(file)).then(
      (body) => {
        served.push(`${req.method} ${path} 200`);
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      },
      () => {
        served.push(`${req.method} ${path} 404`);
        res.writeHead(404).end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    rootPath,
    served,
    publish: write,
    tamper() {
      tampered = true;
      writeTimestamp();
    },
    goDown() {
      down = true;
    },
    resume() {
      down = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
