/**
 * `airlock hook <client>` on its own (bundled as dist/cli/hook.mjs): the command a client's
 * pre-tool hook runs before every tool. It takes the same arguments as the full command's
 * `hook` but loads none of the rest (the proxy, the MCP SDK, SQLite, the client installers),
 * so it starts in about a third of the time.
 *
 * Whatever goes wrong in the hook itself refuses the call: it exits 2, which every hook
 * client takes as "blocked" (Claude Code, Codex and Gemini CLI run the tool after any other
 * non-zero exit, such as the 1 of a bad option or a crash).
 */
import { Command } from 'commander';
import { registerHookCommand } from './core/hooks/hook-cli.ts';

const BLOCKED = 2;

function refuse(why: string): never {
  process.stderr.write(`[Airlock] Refused: airlock hook failed (${why}), so the call may not run.\n`);
  process.exit(BLOCKED);
}

process.on('uncaughtException', (err) => refuse(err.message));
process.on('unhandledRejection', (reason) => refuse(reason instanceof Error ? reason.message : String(reason)));

const program = new Command('airlock').exitOverride((err) => (err.exitCode === 0 ? process.exit(0) : refuse(err.message)));
registerHookCommand(program);
await program.parseAsync(process.argv);
