/**
 * The `airlock` command. Thin: parses arguments (commander) and calls the core.
 * (`npm start` is main/electron/start.ts: the desktop app where it can run, else `serve`.)
 *   airlock serve [--home DIR] [--port N]   headless core + web UI
 *   airlock connect <server> [--home DIR]  stdio bridge to the running Airlock
 *   airlock demo-server                    the demo image MCP server (stdio)
 *   airlock install-cli [--force]          puts this `airlock` on PATH (a launcher in ~/.local/bin)
 *   airlock login <server> [--no-browser]  signs the running Airlock in to a remote server (OAuth)
 *   airlock logout <server>                forgets that server's tokens
 *   airlock hook <client>                  answers a client's pre-tool hook (event on stdin)
 */
import { existsSync, readFileSync } from 'node:fs';
import { getCompileCacheDir } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
// Loaded by `serve` only: `airlock hook` runs before every tool a client uses and must start fast.
import type { Airlock } from './core/airlock.ts';
import { homePaths, resolveHomeDir } from './core/home/home.ts';
import { loadOrCreateAuth } from './core/home/auth.ts';
import { readRuntimeInfo } from './core/home/runtime-file.ts';
import { AlreadyRunningError } from './core/home/instance-lock.ts';
import { stderrLogger } from './core/logger.ts';
import { installProcessGuard } from './core/process-guard.ts';
import { runConnect } from './core/bridge/connect.ts';
import { verifyAirlock } from './core/bridge/verify-airlock.ts';
import type { SelfCommand } from './core/upstream/command-resolver.ts';
import { formatPolicyIssues, formatPolicySummary, loadPolicyFile } from './core/policy/index.ts';
import { openStores } from './core/store/stores.ts';
import { registerClientCommands } from './core/clients/cli.ts';
import { CommandInstallError, describeInstall, installCommand } from './core/cli-install/command-installer.ts';
import { runLogin, runLogout, type LoginIo } from './core/upstream/oauth/login-command.ts';
import { registerHookCommand } from './core/hooks/hook-cli.ts';

const loginIo: LoginIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

/** The project folder: the nearest one up with our package.json (sources: main/, bundle: dist/cli/). */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'main', 'cli.ts'))) return dir;
    if (dirname(dir) === dir) return join(from, '..');
  }
}
const root = projectRoot(dirname(fileURLToPath(import.meta.url)));
const uiRoot = join(root, 'dist', 'renderer');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * This very program, so config entries with command `airlock` run it (e.g. the demo
 * server). This file, not process.argv[1]: `npm start` and bin/airlock.js reach here
 * through other scripts that do not take the CLI's arguments.
 */
export function selfCommand(): SelfCommand {
  const file = fileURLToPath(import.meta.url);
  // The hook's own entry beside this one (hook.mjs beside the bundle, hook.ts beside the sources).
  const hook = join(dirname(file), file.endsWith('.mjs') ? 'hook.mjs' : 'hook.ts');
  return { command: process.execPath, args: [file], ...(existsSync(hook) && { hookArgs: [hook] }) };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('expected a port number 0-65535 (0 = any free port)');
  return port;
}

function fail(message: string, code = 1): never {
  process.stderr.write(`airlock: ${message}\n`);
  process.exit(code);
}

export async function serve(options: { home?: string; port?: number }): Promise<Airlock> {
  const home = resolveHomeDir(options.home);
  const logger = stderrLogger();
  installProcessGuard(logger);
  let airlock: Airlock | undefined;
  // Handlers go in before the start: a SIGTERM that arrives while Airlock starts (runtime.json
  // is written before start returns) stops it once it is up, instead of being lost.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: stopping`);
    if (airlock) void stopNow(airlock);
  };
  const stopNow = (running: Airlock) =>
    running.stop().then(
      () => process.exit(0),
      (err: Error) => fail(err.message),
    );
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  const { Airlock } = await import('./core/airlock.ts');
  try {
    airlock = await Airlock.start({
      home,
      ...(options.port !== undefined && { port: options.port }),
      // Servers that are this program (the demo) start faster from V8's code cache.
      self: { ...selfCommand(), env: { NODE_COMPILE_CACHE: getCompileCacheDir() ?? join(tmpdir(), 'node-compile-cache') } },
      version,
      logger,
      ...(existsSync(join(uiRoot, 'index.html')) && { uiRoot }),
    });
  } catch (err) {
    if (err instanceof AlreadyRunningError) fail(err.message, 2);
    fail((err as Error).message);
  }
  if (stopping) {
    void stopNow(airlock);
    return airlock;
  }
  const ui = existsSync(join(uiRoot, 'index.html')) ? airlock.loginUrl() : `${airlock.url}/ (not built: run \`npm run build\`)`;
  process.stdout.write(`Airlock ${version} is running\n  home:  ${home}\n  UI:    ${ui}\n`);
  for (const name of airlock.upstreams.keys()) process.stdout.write(`  agents: ${airlock.url}/mcp/${name}\n`);
  return airlock;
}

async function connect(server: string, options: { home?: string; client?: string }): Promise<void> {
  await runConnect(
    server,
    options.home,
    {
      env: process.env,
      stderr: (line) => process.stderr.write(`${line}\n`),
      exit: (code) => process.exit(code),
    },
    options.client,
  );
}

async function openUi(options: { home?: string }): Promise<void> {
  const home = resolveHomeDir(options.home);
  const paths = homePaths(home);
  const runtime = readRuntimeInfo(paths.runtime);
  if (!runtime) fail(`no Airlock is running for home ${home}`);
  const admin = process.env.AIRLOCK_ADMIN_TOKEN || loadOrCreateAuth(paths.auth).adminToken;
  // A stale runtime.json may name a port another process took: prove it first.
  await verifyAirlock(runtime, admin).catch((err: Error) => fail(err.message));
  const res = await fetch(new URL('/api/ui/code', runtime.url), { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
  if (!res.ok) fail(`the running Airlock refused: ${res.status} ${await res.text()}`);
  process.stdout.write(`${((await res.json()) as { url: string }).url}\n`);
}

function checkPolicy(file: string | undefined, options: { home?: string }): void {
  const path = resolve(file ?? homePaths(resolveHomeDir(options.home)).policy);
  const loaded = loadPolicyFile(path);
  if (loaded.status === 'invalid') {
    process.stderr.write(`${formatPolicyIssues(loaded.issues, path).join('\n')}\n`);
    process.exit(1);
  }
  if (loaded.status === 'missing') process.stdout.write(`${path} does not exist: the built-in default policy applies.\n\n`);
  else process.stdout.write(`${path} is valid.\n\n`);
  process.stdout.write(`${formatPolicySummary(loaded.policy)}\n`);
}

async function exportHistory(options: { format: 'jsonl' | 'csv'; home?: string }): Promise<void> {
  const paths = homePaths(resolveHomeDir(options.home));
  if (!existsSync(paths.history)) fail(`no history yet at ${paths.history}`);
  // Read-only beside a running Airlock (WAL lets readers and the writer work at once).
  // With none running, a log left by a crash needs a writer to be recovered.
  const running = readRuntimeInfo(paths.runtime) !== undefined;
  let stores;
  try {
    stores = openStores(paths.history, { readOnly: true });
  } catch (err) {
    if (running) fail(`cannot read ${paths.history}: ${(err as Error).message}`);
    stores = openStores(paths.history);
  }
  try {
    for await (const chunk of stores.history.exportStream(options.format)) {
      if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
    }
  } finally {
    stores.close();
  }
}

async function installCli(options: { force?: boolean }): Promise<void> {
  try {
    const result = await installCommand(selfCommand(), { ...(options.force && { force: true }) });
    process.stdout.write(`${describeInstall(result).join('\n')}\n`);
  } catch (err) {
    if (err instanceof CommandInstallError) fail(err.message);
    throw err;
  }
}

export function buildProgram(): Command {
  const program = new Command('airlock').description('A local firewall for AI agents\' MCP tool calls').version(version);
  program
    .command('serve')
    .description('run Airlock headless and serve its web UI')
    .option('--home <dir>', 'Airlock home (default: $AIRLOCK_HOME or the app-data folder)')
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', parsePort)
    .action(async (opts: { home?: string; port?: number }) => {
      await serve(opts);
    });
  program
    .command('connect')
    .description('stdio bridge for clients that spawn a command: relays to the running Airlock')
    .argument('<server>', 'server name from config.json')
    .option('--home <dir>', 'Airlock home')
    .option('--client <name>', "send this client's named token (auth.json clients) instead of the shared MCP token")
    .action(connect);
  program
    .command('demo-server')
    .description('run the demo image MCP server on stdio')
    .action(async () => {
      const { runDemoImageServer } = await import('./demo/image-server.ts');
      await runDemoImageServer();
    });
  program
    .command('open')
    .description('print a fresh sign-in link to the running Airlock\'s web UI')
    .option('--home <dir>', 'Airlock home')
    .action(openUi);
  const policy = program.command('policy').description('work with policy.json');
  policy
    .command('check')
    .description('validate a policy and explain what it does (exit 1 when invalid)')
    .argument('[file]', 'policy file (default: policy.json in the Airlock home)')
    .option('--home <dir>', 'Airlock home')
    .action(checkPolicy);
  policy
    .command('starter')
    .description('print a starter policy: hooks = rules for hook clients (read-only tools allowed, shell and writes asked)')
    .argument('<kind>', 'hooks')
    .action(async (kind: string) => {
      if (kind !== 'hooks') fail('the starter policy is "hooks"');
      const { HOOK_STARTER_POLICY_TEXT } = await import('./core/hooks/starter-policy.ts');
      process.stdout.write(HOOK_STARTER_POLICY_TEXT);
    });
  const history = program.command('history').description('the call history');
  history
    .command('export')
    .description('write the whole history to stdout')
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--home <dir>', 'Airlock home')
    .action(exportHistory);
  program
    .command('install-cli')
    .description('put the airlock command on PATH: a launcher in your user bin folder that runs this Airlock')
    .option('--force', 'replace an existing file of that name that Airlock did not write')
    .action(installCli);
  program
    .command('login')
    .description('sign the running Airlock in to a remote server that needs it (prints the URL, opens a browser, waits)')
    .argument('<server>', 'server name from config.json')
    .option('--no-browser', 'only print the URL to open')
    .option('--home <dir>', 'Airlock home')
    .action(async (server: string, opts: { browser: boolean; home?: string }) => {
      process.exitCode = await runLogin(server, { home: resolveHomeDir(opts.home), browser: opts.browser }, loginIo);
    });
  program
    .command('logout')
    .description('sign the running Airlock out of a remote server (revokes and forgets its tokens)')
    .argument('<server>', 'server name from config.json')
    .option('--home <dir>', 'Airlock home')
    .action(async (server: string, opts: { home?: string }) => {
      process.exitCode = await runLogout(server, { home: resolveHomeDir(opts.home) }, loginIo);
    });
  registerHookCommand(program);
  registerClientCommands(program, selfCommand);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  await buildProgram().parseAsync(argv);
}

if (import.meta.main) await main();
