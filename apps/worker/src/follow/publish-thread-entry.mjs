// Worker-thread entry of the ThreadedPublisher (publish-threads.ts). A worker thread does not inherit the
// TypeScript loader of its parent under every runner (plain node, tsx, vitest), so it registers tsx itself.
import { register } from 'tsx/esm/api';

register();
await import('./publish-thread.ts');
