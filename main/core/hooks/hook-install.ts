/**
 * `airlock protect <client> --hooks` and `airlock unprotect <client> --hooks`: the hook
 * entries in a client's settings file that run `airlock hook <client>`. Install adds one
 * element per hook event to the event's array (a backup of the file first); the record
 * (protected-hooks.json in the home, 0600) keeps the file's text before and after, so
 * removing gives back the file byte for byte when nothing else changed in it, and
 * otherwise removes exactly the elements Airlock added, leaving the person's edits.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { applyEdits, findNodeAtLocation, modify } from 'jsonc-parser';
import { ensureClientToken } from '../home/auth.ts';
import { ensureHome, homePaths, loadConfig, writePrivateJson } from '../home/home.ts';
import type { SelfCommand } from '../upstream/command-resolver.ts';
import { detectLayout, readClientFile, renderValueAt, replaceValues, rewriteFile, writeBackup } from '../clients/client-file.ts';
import { backupsDir } from '../clients/protected-record.ts';
import type { ClientEnvironment } from '../clients/locations.ts';
import { hookAdapter, hookInstall } from './adapters.ts';
import { HOOK_CLIENT_NAMES, type HookClientId } from './hook-adapter.ts';
import { hookRecordFile, readHookRecords, slotIndex, treeOf, type HookRecord, type HookSlot } from './hook-record.ts';
import writeFileAtomic from 'write-file-atomic';

export interface HookEntryOptions {
  /** The hook command line, as a shell would run it. */
  command: string;
  /** The client's timeout for the hook, in seconds. */
  timeoutSeconds: number;
}

/** Where and how a client keeps its hooks. */
export interface HookInstallSpec {
  settingsFile(env: ClientEnvironment): string;
  jsonc: boolean;
  /** Top-level keys the file needs beside the hooks (Cursor's `version`). */
  preamble?: Record<string, unknown>;
  slots(options: HookEntryOptions): HookSlot[];
  /** What the person must still do before the client runs the entries (Codex: trust them), said after installing. */
  nextStep?: string;
  /** Entries that post to Airlock's `/hooks/<client>` instead of running a command (Claude Code's `type: "http"`). */
  httpSlots?(options: { url: string; token: string; timeoutSeconds: number }): HookSlot[];
}

export function loadHookRecords(home: string): HookRecord[] {
  const records = readHookRecords(home);
  if (!Array.isArray(records)) throw new Error(`${hookRecordFile(home)} is damaged (${records.damaged}); fix it, or restore client files from ${backupsDir(home)}`);
  return records;
}

function saveHookRecords(home: string, records: HookRecord[]): void {
  writePrivateJson(hookRecordFile(home), { version: 1, hooks: records });
}

/** A word of a POSIX shell command line (Claude Code and the others run hook commands through a shell). */
export function shellWord(word: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return /^[\w.:\\/-]+$/.test(word) ? word : `"${word.replace(/"/g, '""')}"`;
  return /^[\w./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface HookCommandLine {
  self: SelfCommand;
  client: HookClientId;
  home: string;
  timeoutSeconds: number;
  whenDown: 'ask' | 'deny';
  onTimeout: 'ask' | 'deny';
  platform?: NodeJS.Platform;
}

export function hookCommandLine(o: HookCommandLine): string {
  const program = [o.self.command, ...(o.self.hookArgs ?? o.self.args)];
  const words = [...program, 'hook', o.client, '--home', o.home, '--timeout', String(o.timeoutSeconds), '--when-down', o.whenDown, '--on-timeout', o.onTimeout];
  return words.map((w) => shellWord(w, o.platform)).join(' ');
}



export interface HookInstallContext {
  home: string;
  self: SelfCommand;
  env: ClientEnvironment;
  now?: () => number;
  processEnv?: NodeJS.ProcessEnv;
}

export interface HookInstallResult {
  ok: boolean;
  client: HookClientId;
  path: string;
  status: 'written' | 'unchanged' | 'removed' | 'error';
  message: string;
  backup?: string;
  /** The client's own token (auth.json `clients`) the entries use. */
  tokenName?: string;
}

export interface InstallOptions {
  /** `http`: the client posts to Airlock's port itself (only where it can; see httpSlots). */
  hookType?: 'command' | 'http';
  timeoutSeconds?: number;
  whenDown?: 'ask' | 'deny';
  onTimeout?: 'ask' | 'deny';
}

/**
 * Appends `value` to the array at `location`, touching no byte of what is there (jsonc's
 * `modify` would reformat the neighbouring elements); a missing array is created.
 */
function insertAt(text: string, jsonc: boolean, location: string[], value: unknown): string {
  const layout = detectLayout(text);
  const root = treeOf(text, jsonc);
  const node = root ? findNodeAtLocation(root, location) : undefined;
  if (!node || node.type !== 'array') {
    const formattingOptions = { insertSpaces: layout.unit !== '\t', tabSize: layout.unit === '\t' ? 4 : layout.unit.length, eol: layout.eol };
    return applyEdits(text, modify(text, location, [value], { formattingOptions }));
  }
  const last = node.children?.at(-1);
  if (!last) return replaceValues(text, [{ node, content: renderValueAt(text, node.offset, [value]) }]);
  const lineStart = text.lastIndexOf('\n', last.offset - 1) + 1;
  const before = text.slice(lineStart, last.offset);
  // The element begins its own line: the next one goes on a line of its own, indented alike.
  const ownLine = /^[ \t]*$/.test(before);
  const at = last.offset + last.length;
  const rendered = renderValueAt(text, ownLine ? last.offset : at, value);
  return text.slice(0, at) + (ownLine ? `,${layout.eol}${before}` : ', ') + rendered + text.slice(at);
}

/** Removes the array element at `index` with the separator before it (or after it, for the first). */
function removeAt(text: string, jsonc: boolean, location: string[], index: number): string {
  const root = treeOf(text, jsonc);
  const array = root ? findNodeAtLocation(root, location) : undefined;
  const items = array?.children ?? [];
  const item = items[index];
  if (!array || !item) return text;
  if (items.length === 1) return replaceValues(text, [{ node: array, content: '[]' }]);
  const prev = items[index - 1];
  const next = items[index + 1];
  const [from, to] = prev ? [prev.offset + prev.length, item.offset + item.length] : [item.offset, next!.offset];
  return text.slice(0, from) + text.slice(to);
}

export function installHooks(ctx: HookInstallContext, client: HookClientId, options: InstallOptions = {}): HookInstallResult {
  const adapter = hookAdapter(client)!;
  const spec = hookInstall(client);
  const path = spec.settingsFile(ctx.env);
  const base = { client, path };
  const records = loadHookRecords(ctx.home);
  const read = readClientFile(path, spec.jsonc);
  if (read.status === 'malformed' || read.status === 'unreadable') {
    return { ...base, ok: false, status: 'error', message: `${read.status}: ${read.error}; the file was left untouched` };
  }
  const before = read.status === 'ok' ? read.text : null;
  const existing = records.find((r) => r.client === client && r.path === path);
  if (existing && before !== null && existing.slots.every((slot) => slotIndex(before, spec.jsonc, slot) >= 0)) {
    return { ...base, ok: true, status: 'unchanged', message: 'the hooks are already installed', tokenName: client };
  }
  // Something else where the hooks belong is the person's: never overwritten.
  const tree = before !== null ? treeOf(before, spec.jsonc) : undefined;
  const probe = spec.slots({ command: '', timeoutSeconds: 1 });
  const clash = probe.find((slot) => {
    const node = tree ? findNodeAtLocation(tree, slot.location) : undefined;
    return node !== undefined && node.type !== 'array';
  });
  if (clash) return { ...base, ok: false, status: 'error', message: `"${clash.location.join('.')}" is not a list of hooks; the file was left untouched` };
  const tokenName = client;
  ensureHome(homePaths(ctx.home));
  ensureClientToken(homePaths(ctx.home).auth, tokenName, ctx.processEnv ?? process.env);
  const timeoutSeconds = options.timeoutSeconds ?? adapter.protectTimeoutSeconds;
  const command = hookCommandLine({
    self: ctx.self,
    client,
    home: ctx.home,
    timeoutSeconds,
    whenDown: options.whenDown ?? 'deny',
    onTimeout: options.onTimeout ?? (adapter.canHandBack ? 'ask' : 'deny'),
    platform: ctx.env.platform,
  });
  let slots: HookSlot[];
  if (options.hookType === 'http') {
    if (!spec.httpSlots) return { ...base, ok: false, status: 'error', message: `${HOOK_CLIENT_NAMES[client]} has no HTTP hooks: use the command hook` };
    const port = loadConfig(homePaths(ctx.home).config).airlock.port;
    if (port === 0) return { ...base, ok: false, status: 'error', message: 'airlock.port in config.json is 0 (any free port), so no URL could stay right: set a fixed port, or use the command hook' };
    const token = ensureClientToken(homePaths(ctx.home).auth, tokenName, ctx.processEnv ?? process.env);
    const url = new URL(`http://127.0.0.1:${port}/hooks/${client}`);
    url.searchParams.set('wait', String(Math.max(1, timeoutSeconds - 5)));
    url.searchParams.set('onTimeout', options.onTimeout ?? 'ask');
    slots = spec.httpSlots({ url: url.href, token, timeoutSeconds });
  } else {
    slots = spec.slots({ command, timeoutSeconds });
  }
  let text = before ?? '{}\n';
  for (const [key, value] of Object.entries(spec.preamble ?? {})) {
    const tree = treeOf(text, spec.jsonc);
    if (!tree || !findNodeAtLocation(tree, [key])) text = applyEdits(text, modify(text, [key], value, { formattingOptions: { insertSpaces: true, tabSize: 2 } }));
  }
  for (const slot of slots) text = insertAt(text, spec.jsonc, slot.location, slot.value);
  const now = ctx.now?.() ?? Date.now();
  const backup = before !== null ? writeBackup(backupsDir(ctx.home), `${client}-hooks`, before, now) : undefined;
  const record: HookRecord = { client, path, slots, textBefore: before, textAfter: text, ...(backup && { backup }), installedAt: now };
  // The record first: after a crash in between, removing finds no element and drops it.
  saveHookRecords(ctx.home, [...records.filter((r) => r !== existing), record]);
  try {
    if (before === null) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileAtomic.sync(path, text);
    } else {
      rewriteFile(path, before, text);
    }
  } catch (err) {
    saveHookRecords(ctx.home, records);
    return { ...base, ok: false, status: 'error', message: (err as Error).message };
  }
  return {
    ...base,
    ok: true,
    status: 'written',
    message: `${HOOK_CLIENT_NAMES[client]} now asks Airlock before each tool runs (hook timeout ${timeoutSeconds} s; token "${tokenName}" in auth.json)${spec.nextStep ? `. ${spec.nextStep}` : ''}`,
    ...(backup && { backup }),
    tokenName,
  };
}

export function removeHooks(ctx: HookInstallContext, client: HookClientId): HookInstallResult {
  const spec = hookInstall(client);
  const path = spec.settingsFile(ctx.env);
  const base = { client, path };
  const records = loadHookRecords(ctx.home);
  const record = records.find((r) => r.client === client && r.path === path);
  if (!record) return { ...base, ok: true, status: 'unchanged', message: 'Airlock installed no hooks here' };
  const read = readClientFile(path, spec.jsonc);
  const rest = records.filter((r) => r !== record);
  if (read.status === 'missing') {
    saveHookRecords(ctx.home, rest);
    return { ...base, ok: true, status: 'removed', message: 'the file is gone' };
  }
  if (read.status !== 'ok') return { ...base, ok: false, status: 'error', message: `${read.status}: ${read.error}; nothing was removed` };
  let after: string | null;
  if (read.text === record.textAfter) {
    after = record.textBefore; // nothing else changed: the file as it was, byte for byte
  } else {
    let text = read.text;
    for (const slot of record.slots) {
      const index = slotIndex(text, spec.jsonc, slot);
      if (index >= 0) text = removeAt(text, spec.jsonc, slot.location, index);
    }
    after = text;
  }
  const now = ctx.now?.() ?? Date.now();
  const backup = writeBackup(backupsDir(ctx.home), `${client}-hooks`, read.text, now);
  try {
    if (after === null) {
      if (readFileSync(path, 'utf8') !== read.text) throw new Error(`${path} changed while Airlock was rewriting it; nothing was written, try again`);
      rmSync(path);
    } else if (after !== read.text) {
      rewriteFile(path, read.text, after);
    }
  } catch (err) {
    return { ...base, ok: false, status: 'error', message: (err as Error).message };
  }
  saveHookRecords(ctx.home, rest);
  return { ...base, ok: true, status: 'removed', message: `the hooks Airlock added are removed`, backup };
}

/** For `airlock clients`: where Airlock's hooks are installed now. */
export function installedHooks(ctx: Pick<HookInstallContext, 'home'>): { client: HookClientId; path: string; present: boolean }[] {
  let records: HookRecord[];
  try {
    records = loadHookRecords(ctx.home);
  } catch {
    return [];
  }
  return records.map((record) => {
    const client = record.client as HookClientId;
    const spec = hookInstall(client);
    const read = readClientFile(record.path, spec.jsonc);
    const present = read.status === 'ok' && record.slots.every((slot) => slotIndex(read.text, spec.jsonc, slot) >= 0);
    return { client, path: record.path, present };
  });
}
