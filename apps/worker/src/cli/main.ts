/**
 * `sigwatch` command-line entry. Each command lives in its own module exporting
 * `run(args: string[]): Promise<number>` (the exit code: 0 ok, 1 something did not verify, 2 bad usage).
 * JSON goes to stdout, one object per result; human diagnostics to stderr.
 */
import 'reflect-metadata';

type CommandModule = { run(args: string[]): Promise<number> };

// Commands load lazily so `sigwatch checkpoint …` does not pay for the simulator or the database client.
const lazy = (path: string) => () => import(path) as Promise<CommandModule>;

const commands: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  checkpoint: { summary: 'checkpoint verify <file> [--trusted-root <file>] [--witness <vkey>]…', load: lazy('./checkpoint.js') },
  consistency: { summary: 'consistency verify --old <checkpoint> --new <checkpoint> --proof <file>', load: lazy('./consistency.js') },
  entry: { summary: 'entry inspect <file> [--trusted-root <file>]', load: lazy('./entry.js') },
  match: { summary: 'match --rules <file> <entry files…>', load: lazy('./match.js') },
  sim: { summary: 'sim --port <n> --dir <state dir> [--seed <n>] [--rate <entries/s>]', load: lazy('./sim.js') },
  backfill: { summary: 'backfill --log <origin> --from <index>', load: lazy('./backfill.js') },
  config: { summary: 'config check   (validate the environment, print the effective config)', load: lazy('./config.js') },
};

function usage(): string {
  return ['usage: sigwatch <command> [options]', '', ...Object.entries(commands).map(([, c]) => `  sigwatch ${c.summary}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stderr.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`sigwatch: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  const mod = await command.load();
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stdout.write(JSON.stringify({ ok: false, code: 'INTERNAL', message }) + '\n');
    process.exitCode = 1;
  },
);
