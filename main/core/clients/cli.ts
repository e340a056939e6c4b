/**
 * `airlock clients`, `airlock import`, `airlock protect`, `airlock unprotect`: the command
 * line over clients.ts. Prints what was found and what changed; exits non-zero when a file
 * or a requested server could not be handled.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { CLIENT_NAMES, ClientIdSchema, ViaSchema, type Bypass, type ClientId, type ClientsResult, type DiscoveredClient, type Via } from '../../../shared/clients.ts';
import { resolveHomeDir } from '../home/home.ts';
import type { SelfCommand } from '../upstream/command-resolver.ts';
import { importServers, listClients, protect, unprotect, type ClientsContext } from './clients.ts';
import { defaultClientEnvironment } from './locations.ts';
import { HOOK_CLIENT_NAMES, HookClientIdSchema, type HookClientId } from '../hooks/hook-adapter.ts';
import { installedHooks, installHooks, removeHooks, type HookInstallResult } from '../hooks/hook-install.ts';

interface CommonOptions {
  home?: string;
  project: string[];
  json?: boolean;
}

interface SelectOptions extends CommonOptions {
  file: string[];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 5) throw new InvalidArgumentError('expected a whole number of seconds, at least 5');
  return n;
}

export function formatHooks(hooks: { client: HookClientId; path: string; present: boolean }[]): string[] {
  const lines = ['Pre-tool hooks (airlock protect <client> --hooks):'];
  for (const hook of hooks) lines.push(`  ${HOOK_CLIENT_NAMES[hook.client]}  ${hook.path}  ${hook.present ? 'installed: every tool asks Airlock' : 'REMOVED from the file since Airlock installed it'}`);
  if (!hooks.length) lines.push('  none installed');
  return lines;
}

export function formatHookResult(result: HookInstallResult): string {
  const status = { written: 'hooks installed', unchanged: 'not changed', removed: 'hooks removed', error: 'FAILED' }[result.status];
  return `${HOOK_CLIENT_NAMES[result.client]}  ${result.path}: ${status} (${result.message})${result.backup ? ` (backup: ${result.backup})` : ''}`;
}

function parseVia(value: string): Via {
  const parsed = ViaSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError('expected http or stdio');
  return parsed.data;
}

function defaultSelf(): SelfCommand {
  return { command: process.execPath, args: [process.argv[1] ?? 'airlock'] };
}

function out(line = ''): void {
  process.stdout.write(line + '\n');
}

function where(scope: string, project: string | undefined): string {
  if (scope === 'local') return `local: ${project ?? ''}`;
  return scope;
}

export function formatClients(clients: DiscoveredClient[], bypasses: Bypass[]): string[] {
  const lines: string[] = [];
  for (const client of clients) {
    lines.push(client.name);
    for (const file of client.files) {
      const head = `  ${where(file.scope, file.project)}  ${file.path}`;
      if (file.status === 'missing') {
        lines.push(`${head}  (not found)`);
        continue;
      }
      if (file.status !== 'ok') {
        lines.push(`${head}  ${file.status}: ${file.error ?? ''} (left untouched)`);
        continue;
      }
      lines.push(file.servers.length ? head : `${head}  (no servers)`);
      const width = Math.max(...file.servers.map((s) => s.name.length), 0);
      for (const s of file.servers) {
        const name = s.name.padEnd(width);
        if (s.error) lines.push(`    ${name}  cannot be protected: ${s.error}`);
        else if (s.protected) {
          const how = s.via === 'http' ? 'HTTP' : 'stdio bridge';
          lines.push(`    ${name}  protected → ${s.airlockServer ?? '?'} (${how})${s.restorable ? '' : ', no original on record'}`);
        } else {
          const what = s.command !== undefined ? [s.command, ...(s.args ?? [])].join(' ') : (s.url ?? '');
          lines.push(`    ${name}  NOT protected  ${what}`);
        }
      }
    }
    lines.push('');
  }
  if (bypasses.length) {
    lines.push('Reachable without Airlock (a client runs the server directly):');
    for (const b of bypasses) {
      lines.push(`  ${b.server}: ${CLIENT_NAMES[b.client]} entry "${b.entry}" in ${b.path} (same ${b.match === 'url' ? 'URL' : 'command line'})`);
      lines.push(`    fix: airlock protect ${b.client} ${b.entry}`);
    }
  }
  return lines;
}

const STATUS_WORDS: Record<string, string> = {
  added: 'imported',
  renamed: 'imported (renamed)',
  reused: 'already in config.json',
  protected: 'protected',
  restored: 'restored',
  unchanged: 'unchanged',
  skipped: 'skipped',
  error: 'FAILED',
};

export function formatResult(result: ClientsResult): string[] {
  const lines: string[] = [];
  for (const file of result.files) {
    let status = file.status === 'written' ? 'rewritten' : file.status === 'error' ? `FAILED: ${file.error ?? ''}` : 'not changed';
    if (file.backup) status += ` (backup: ${file.backup})`;
    lines.push(`${CLIENT_NAMES[file.client]} ${where(file.scope, file.project)}  ${file.path}: ${status}`);
    for (const s of file.servers) {
      const showServer = s.server !== undefined && (s.server !== s.name || s.status === 'protected');
      const target = showServer ? ` → ${s.server}` : '';
      lines.push(`  ${s.name}: ${STATUS_WORDS[s.status] ?? s.status}${target}${s.message ? ` (${s.message})` : ''}`);
    }
  }
  if (!result.files.length) lines.push('nothing to do: no matching entries found');
  if (result.notFound.length) lines.push(`not found in the client's files: ${result.notFound.join(', ')}`);
  for (const note of result.notes) lines.push(`note: ${note}`);
  return lines;
}

export function registerClientCommands(program: Command, self: () => SelfCommand = defaultSelf): void {
  const context = (opts: CommonOptions): ClientsContext => ({
    home: resolveHomeDir(opts.home),
    self: self(),
    env: defaultClientEnvironment(opts.project.length ? opts.project : [process.cwd()]),
  });
  const run = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      process.stderr.write(`airlock: ${(err as Error).message}\n`);
      process.exitCode = 1;
    }
  };
  const common = (cmd: Command) =>
    cmd
      .option('--home <dir>', 'Airlock home')
      .option('--project <dir>', 'a project or workspace folder to look in (repeatable; default: the current folder)', collect, [])
      .option('--json', 'print JSON');
  const selecting = (cmd: Command) =>
    common(cmd)
      .argument('<client>', `one of ${ClientIdSchema.options.join(', ')}; with --hooks also ${HookClientIdSchema.options.filter((c) => !(ClientIdSchema.options as string[]).includes(c)).join(', ')}`)
      .argument('[server...]', 'entry names in the client config (default: all)')
      .option('--file <path>', 'only this client config file (repeatable)', collect, []);
  const report = (result: ClientsResult, json: boolean | undefined) => {
    if (json) out(JSON.stringify(result, null, 2));
    else for (const line of formatResult(result)) out(line);
    if (!result.ok) process.exitCode = 1;
  };

  common(program.command('clients').description('list the MCP configs of Claude Desktop, Claude Code, Cursor and VS Code, and what goes through Airlock')).action(
    (opts: CommonOptions) =>
      run(() => {
        const ctx = context(opts);
        const list = listClients(ctx);
        const hooks = installedHooks(ctx);
        if (opts.json) out(JSON.stringify({ ...list, hooks }, null, 2));
        else {
          for (const line of formatClients(list.clients, list.bypasses)) out(line);
          for (const line of formatHooks(hooks)) out(line);
        }
        if (list.bypassError) process.stderr.write(`airlock: cannot check for bypasses: ${list.bypassError}\n`);
      }),
  );

  selecting(program.command('import').description("add a client's servers to Airlock's config.json (the client config is not changed)")).action(
    (client: ClientId, servers: string[], opts: SelectOptions) =>
      run(() => report(importServers(context(opts), { client, servers, files: opts.file }), opts.json)),
  );

  const hooksReport = (result: HookInstallResult, json: boolean | undefined) => {
    if (json) out(JSON.stringify(result, null, 2));
    else out(formatHookResult(result));
    if (!result.ok) process.exitCode = 1;
  };
  const hookClient = (client: string): HookClientId => {
    const parsed = HookClientIdSchema.safeParse(client);
    if (!parsed.success) throw new Error(`--hooks: expected one of ${HookClientIdSchema.options.join(', ')}`);
    return parsed.data;
  };
  const proxyClient = (client: string): ClientId => {
    const parsed = ClientIdSchema.safeParse(client);
    if (!parsed.success) throw new Error(`expected one of ${ClientIdSchema.options.join(', ')} (hook clients: add --hooks)`);
    return parsed.data;
  };
  selecting(program.command('protect').description("route a client's servers through Airlock (imports them, backs up and rewrites the client config); --hooks: ask Airlock before each tool the client runs"))
    .option('--via <http|stdio>', 'how the client reaches Airlock (default: HTTP where the client supports it, else the stdio bridge)', parseVia)
    .option('--hooks', "install the client's pre-tool hooks (its built-in tools: shell, edits, fetches) instead of rewriting server entries")
    .addOption(new Option('--hook-type <type>', 'command (default): runs `airlock hook`; http: Claude Code posts to Airlock\'s port (cannot refuse while Airlock is down)').choices(['command', 'http']))
    .option('--hook-timeout <seconds>', "the client's timeout for the hook, where its entry takes one", parseSeconds)
    .addOption(new Option('--when-down <what>', "Airlock is not running: deny (default) or ask = the client's own prompt decides").choices(['ask', 'deny']))
    .addOption(new Option('--on-timeout <what>', 'nobody answered in time: ask = hand back to the client\'s prompt (Claude Code), deny').choices(['ask', 'deny']))
    .action((client: string, servers: string[], opts: SelectOptions & { via?: Via; hooks?: boolean; hookType?: 'command' | 'http'; hookTimeout?: number; whenDown?: 'ask' | 'deny'; onTimeout?: 'ask' | 'deny' }) =>
      run(() => {
        if (opts.hooks) {
          const ctx = context(opts);
          return hooksReport(
            installHooks(ctx, hookClient(client), {
              ...(opts.hookType && { hookType: opts.hookType }),
              ...(opts.hookTimeout !== undefined && { timeoutSeconds: opts.hookTimeout }),
              ...(opts.whenDown && { whenDown: opts.whenDown }),
              ...(opts.onTimeout && { onTimeout: opts.onTimeout }),
            }),
            opts.json,
          );
        }
        report(protect(context(opts), { client: proxyClient(client), servers, files: opts.file, ...(opts.via && { via: opts.via }) }), opts.json);
      }),
    );

  selecting(program.command('unprotect').description("restore a client's original entries from Airlock's record; --hooks: remove the hooks Airlock installed"))
    .option('--hooks', 'remove the pre-tool hooks Airlock installed, exactly those')
    .action((client: string, servers: string[], opts: SelectOptions & { hooks?: boolean }) =>
      run(() => {
        if (opts.hooks) return hooksReport(removeHooks(context(opts), hookClient(client)), opts.json);
        report(unprotect(context(opts), { client: proxyClient(client), servers, files: opts.file }), opts.json);
      }),
    );
}
