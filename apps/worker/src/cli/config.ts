/**
 * `sigwatch config check`: validate the worker's and the API's environment, print the effective
 * configuration with secrets redacted (gopherwatch `checkconf`); the DKIM key file and the inbound role's
 * STARTTLS pair are read and checked as at start, and where the trusted root will come from is shown
 * (`trustedRootFrom`). Exit 0 valid, 1 invalid,
 * 2 bad usage.
 */
import { ConfigError, loadDkim, redact } from '@sigwatch/config';
import { loadConfig as loadWorkerConfig, type WorkerConfig } from '../config.js';
import { InboundTlsError, inboundTls } from '../inbound/role.js';
import { TrustedRootSourceError, trustedRootSource } from '../logs/trusted-root-source.js';

const quiet = { warn: () => {}, info: () => {} };

export async function run(args: string[]): Promise<number> {
  if (args[0] !== 'check' || args.length > 1) {
    process.stderr.write('usage: sigwatch config check\n');
    return 2;
  }
  const { loadConfig: loadApiConfig } = (await import('../../../api/src/config.js')) as typeof import('../../../api/src/config.js');
  const result: Record<string, unknown> = { ok: true };
  const problems: { app: string; variable: string; message: string }[] = [];
  for (const [app, load] of [
    ['worker', loadWorkerConfig],
    ['api', loadApiConfig],
  ] as const) {
    try {
      const config = load();
      // Checked as at start: the DKIM key file is read and parsed, not only named.
      loadDkim(config);
      result[app] = redact({ ...config });
      if (app === 'worker') {
        // Checked as at start (a mirror without its first root.json is refused); nothing is fetched.
        try {
          (result[app] as Record<string, unknown>)['trustedRootFrom'] = trustedRootSource(config as WorkerConfig, quiet).description;
        } catch (e) {
          if (!(e instanceof TrustedRootSourceError)) throw e;
          problems.push({ app, variable: 'SIGWATCH_TUF_ROOT', message: e.message });
        }
        // The inbound role's STARTTLS pair, read and checked as at start.
        try {
          inboundTls(config as WorkerConfig);
        } catch (e) {
          if (!(e instanceof InboundTlsError)) throw e;
          problems.push({ app, variable: e.variable, message: e.message });
        }
      }
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.issues.map((i) => ({ app, ...i })));
    }
  }
  if (problems.length > 0) {
    process.stdout.write(JSON.stringify({ ok: false, code: 'INVALID_CONFIG', message: `${problems.length} invalid variable(s)`, problems }) + '\n');
    return 1;
  }
  process.stdout.write(JSON.stringify(result) + '\n');
  return 0;
}
