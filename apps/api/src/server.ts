/**
 * Standalone entry: load config once, build the app, listen, close gracefully on SIGTERM/SIGINT.
 */
import Fastify from 'fastify';
import closeWithGrace from 'close-with-grace';
import { ConfigError } from '@sigwatch/config';
import { loadConfig } from './config.js';
import { createDeps } from './deps.js';
import { buildApp } from './app.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`sigwatch api: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const app = Fastify({
    logger: { level: config.LOG_LEVEL, ...(process.stdout.isTTY ? {} : {}) },
    trustProxy: true,
    bodyLimit: 1024 * 1024,
    requestTimeout: 30_000,
  });
  const deps = createDeps(config);
  await buildApp(app, deps);
  closeWithGrace({ delay: 10_000 }, async ({ err }) => {
    if (err) app.log.error({ err }, 'closing after error');
    await app.close();
    await deps.close();
  });
  await app.listen({ port: config.PORT, host: config.HOST });
}

void main();
