/**
 * Runs the real Codex CLI (npm @openai/codex, its native binary) offline with `codex exec`:
 * HOME and CODEX_HOME in a temp folder, its model a custom provider pointed at a Responses
 * API stand-in. `--sandbox workspace-write` lets an approved command write in the project
 * folder (Codex's default for exec, read-only, would refuse the write Airlock approved);
 * `exec` never asks for approval itself, so what runs is what Airlock let through. Hooks
 * run only once trusted: `trustAirlockHooks` records that trust as Codex's hook review does.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { repoRoot } from '../helpers/harness.ts';
import type { ResponsesStandIn } from '../fixtures/responses-api-stand-in.ts';

// The package's launcher, run by this Node: it execs the native binary (same pid, so a kill reaches it).
const CODEX = join(repoRoot, 'node_modules', '@openai', 'codex', 'bin', 'codex.js');

/** HOME and CODEX_HOME of one offline Codex, its config.toml naming the stand-in as the model provider (and the MCP servers Codex runs itself). */
export function codexEnv(user: string, standIn: ResponsesStandIn, mcpServers: Record<string, { command: string; args: string[] }> = {}): NodeJS.ProcessEnv {
  const codexHome = join(user, '.codex');
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(
    join(codexHome, 'config.toml'),
    [
      'model = "gpt-stand-in"',
      'model_provider = "stand-in"',
      'check_for_update_on_startup = false',
      '',
      '[model_providers.stand-in]',
      'name = "Responses API stand-in"',
      `base_url = "${standIn.url}"`,
      'wire_api = "responses"',
      'env_key = "STAND_IN_API_KEY"',
      '',
      // Codex gives an MCP server 10 s to start by default; a loaded CI machine can take longer.
      // `required`: Codex waits for the server before its first model request. Without it a
      // slow start leaves the server's tools out of that request, and the scripted call to one
      // ends as "unsupported call" without reaching the hook.
      ...Object.entries(mcpServers).flatMap(([name, server]) => [`[mcp_servers.${name}]`, `command = ${JSON.stringify(server.command)}`, `args = ${JSON.stringify(server.args)}`, 'startup_timeout_sec = 60', 'required = true', '']),
    ].join('\n'),
  );
  return {
    PATH: process.env.PATH ?? '',
    HOME: user,
    CODEX_HOME: codexHome,
    // Any key: the stand-in does not check it; Codex needs one to start without a login.
    STAND_IN_API_KEY: 'sk-stand-in',
    NO_COLOR: '1',
  };
}

export interface CodexRun {
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Ends the run now (a failed test must leave no Codex behind). */
  kill(): void;
}

export function runCodex(env: NodeJS.ProcessEnv, cwd: string): CodexRun {
  const args = ['exec', '--skip-git-repo-check', '--sandbox', 'workspace-write', 'Do the scripted steps.'];
  const child = spawn(process.execPath, [CODEX, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
  void done.then(() => clearTimeout(timer));
  return { done, kill: () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL') };
}

interface HookListEntry {
  key: string;
  command: string | null;
  currentHash: string;
  trustStatus: string;
}

/**
 * Trusts the hooks whose command runs `airlock hook codex`, as a person does in Codex's
 * `/hooks` review (Codex runs a new or changed hook only once it is trusted): through
 * Codex's own app-server, `hooks/list` for the entries and their current hash, then
 * `config/batchWrite` of `hooks.state.<key>.trusted_hash`, which Codex writes into its
 * config.toml itself. Returns the trust status Codex reports afterwards, per hook key.
 */
export async function trustAirlockHooks(env: NodeJS.ProcessEnv, cwd: string): Promise<Record<string, string>> {
  const child = spawn(process.execPath, [CODEX, 'app-server'], { cwd, env, stdio: ['pipe', 'pipe', 'ignore'] });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const waiting = new Map<number, (message: { result?: unknown; error?: unknown }) => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as { id?: number; result?: unknown; error?: unknown };
    if (message.id !== undefined) waiting.get(message.id)?.(message);
  });
  let nextId = 0;
  const call = <T>(method: string, params: unknown) =>
    new Promise<T>((resolve, reject) => {
      const id = ++nextId;
      waiting.set(id, (message) => (message.error ? reject(new Error(`${method}: ${JSON.stringify(message.error)}`)) : resolve(message.result as T)));
      child.stdin.write(JSON.stringify({ id, method, params }) + '\n');
    });
  const list = async () => (await call<{ data: { hooks: HookListEntry[] }[] }>('hooks/list', { cwds: [cwd] })).data.flatMap((d) => d.hooks).filter((h) => h.command?.includes(' hook codex '));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    await call('initialize', { clientInfo: { name: 'airlock-test', version: '1' } });
    child.stdin.write(JSON.stringify({ method: 'initialized' }) + '\n');
    const value = Object.fromEntries((await list()).map((h) => [h.key, { trusted_hash: h.currentHash }]));
    await call('config/batchWrite', { edits: [{ keyPath: 'hooks.state', value, mergeStrategy: 'upsert' }] });
    return Object.fromEntries((await list()).map((h) => [h.key, h.trustStatus]));
  } finally {
    clearTimeout(timer);
    child.kill();
    await exited;
  }
}
