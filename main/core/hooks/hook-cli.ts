/**
 * The `hook` subcommand's arguments, shared by the full `airlock` command and by the hook's
 * own entry (main/hook.ts, bundled as dist/cli/hook.mjs): a client runs it before every tool,
 * so `airlock protect --hooks` points entries at that entry, which loads only this.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { runHook } from './hook-command.ts';

export function registerHookCommand(program: Command): void {
  program
    .command('hook')
    .description("answer a client's pre-tool hook: reads its event on stdin, asks the running Airlock, writes the client's answer")
    .argument('<client>', 'claude-code, cursor, codex, gemini-cli, vscode or copilot-cli')
    .option('--home <dir>', 'Airlock home')
    .option('--timeout <seconds>', "the client's timeout for this hook: Airlock answers before it", (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds');
      return n;
    })
    .addOption(new Option('--on-timeout <what>', 'nobody answered in time: ask = the client asks the person itself (where it can), deny = refuse').choices(['ask', 'deny']))
    .addOption(new Option('--when-down <what>', "Airlock is not running: deny (default) or ask = the client's own prompt decides").choices(['ask', 'deny']))
    .action(async (client: string, opts: { home?: string; timeout?: number; onTimeout?: 'ask' | 'deny'; whenDown?: 'ask' | 'deny' }) => {
      const answer = await runHook(client, opts, { stdin: process.stdin, env: process.env });
      if (answer.stdout) process.stdout.write(`${answer.stdout}\n`);
      if (answer.stderr) process.stderr.write(`${answer.stderr}\n`);
      process.exitCode = answer.exitCode;
    });
}
