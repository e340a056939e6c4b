/**
 * What this run of the app binary is for, decided from argv before Electron creates
 * anything. Besides the desktop app itself, the packaged binary doubles as the `airlock`
 * command for the two jobs that need a Node runtime on machines that may have none:
 *   --airlock-connect <server> [--home DIR]   stdio bridge for Claude Desktop & co.
 *   --airlock-cli demo-server                 the demo image server (config's `airlock` command)
 *   --airlock-cli connect <server> [--home DIR]
 * The runAsNode fuse stays off: these are our own code paths, not a general Node.
 */

export type LaunchMode =
  | { kind: 'app'; home?: string }
  | { kind: 'connect'; server: string; home?: string; client?: string }
  | { kind: 'demo-server' }
  | { kind: 'invalid'; message: string };

export const CONNECT_FLAG = '--airlock-connect';
export const CLI_FLAG = '--airlock-cli';

function readHome(args: string[]): { home?: string; rest: string[]; error?: string } {
  const rest: string[] = [];
  let home: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--home') {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--')) return { rest, error: '--home needs a folder' };
      home = value;
      i++;
    } else if (arg.startsWith('--home=')) {
      home = arg.slice('--home='.length);
    } else {
      rest.push(arg);
    }
  }
  return { rest, ...(home !== undefined && { home }) };
}

function cliMode(args: string[]): LaunchMode {
  const [command, ...rest] = args;
  if (command === 'demo-server' && rest.length === 0) return { kind: 'demo-server' };
  if (command === 'connect') {
    const parsed = readHome(rest);
    if (parsed.error) return { kind: 'invalid', message: parsed.error };
    // `--client <name>`: the client's named token (written by `airlock protect`).
    const at = parsed.rest.indexOf('--client');
    const client = at >= 0 ? parsed.rest[at + 1] : undefined;
    if (at >= 0 && (client === undefined || client.startsWith('--'))) return { kind: 'invalid', message: '--client needs a name' };
    const positional = at >= 0 ? [...parsed.rest.slice(0, at), ...parsed.rest.slice(at + 2)] : parsed.rest;
    const [server, ...extra] = positional;
    if (!server || extra.length > 0) return { kind: 'invalid', message: 'usage: connect <server> [--home DIR] [--client NAME]' };
    return { kind: 'connect', server, ...(parsed.home !== undefined && { home: parsed.home }), ...(client !== undefined && { client }) };
  }
  return { kind: 'invalid', message: `unknown command "${args.join(' ')}" (expected demo-server or connect <server>)` };
}

/**
 * `argv` is process.argv. Electron and Chromium add switches of their own (and, when run
 * as `electron .`, the app path), so the desktop mode ignores anything it does not know;
 * only our explicit flags switch to a headless job.
 */
export function parseLaunchMode(argv: readonly string[]): LaunchMode {
  const cli = argv.indexOf(CLI_FLAG);
  if (cli >= 0) return cliMode(argv.slice(cli + 1));
  const connect = argv.indexOf(CONNECT_FLAG);
  if (connect >= 0) return cliMode(['connect', ...argv.slice(connect + 1)]);
  const equals = argv.find((a) => a.startsWith(`${CONNECT_FLAG}=`));
  if (equals) return cliMode(['connect', equals.slice(CONNECT_FLAG.length + 1), ...argv.slice(argv.indexOf(equals) + 1)]);
  const { home } = readHome(argv.slice(1));
  return { kind: 'app', ...(home !== undefined && { home }) };
}
