/**
 * `airlock hook <client>` on its own (bundled as dist/cli/hook.mjs): the command a client's
 * pre-tool hook runs before every tool. It takes the same arguments as the full command's
 * `hook` but loads none of the rest (the proxy, the MCP SDK, SQLite, the client installers),
 * so it starts in about a third of the time.
 */
import { Command } from 'commander';
import { registerHookCommand } from './core/hooks/hook-cli.ts';

const program = new Command('airlock');
registerHookCommand(program);
await program.parseAsync(process.argv);
