/**
 * Reading and rewriting a client's config file without disturbing it. Edits replace only
 * the text of one entry's value and leave every other byte where it was (comments,
 * ordering, indentation, line endings), so that restoring an entry's original text gives
 * back the original file byte for byte. Files that do not parse are reported, never written.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEdits, findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode, type Edit, type Node, type ParseError } from 'jsonc-parser';
import writeFileAtomic from 'write-file-atomic';
import { jsonSyntaxMessage, lineColumn } from '../../../shared/json-syntax.ts';

export type ClientFileRead =
  | { status: 'missing' }
  | { status: 'unreadable'; error: string }
  | { status: 'malformed'; error: string }
  | { status: 'ok'; text: string; root: Node | undefined };

/**
 * Parses a client file. `jsonc` allows comments and trailing commas (VS Code); the other
 * clients read strict JSON, so a comment there is an error they would trip on too.
 */
export function parseClientText(text: string, jsonc: boolean): { root: Node | undefined } | { error: string } {
  // A byte-order mark is not JSON; a space in its place keeps every offset where it is.
  const body = text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
  if (body.trim() === '') return { root: undefined };
  const errors: ParseError[] = [];
  const root = parseTree(body, errors, { allowTrailingComma: jsonc, disallowComments: !jsonc, allowEmptyContent: false });
  const first = errors[0];
  if (first) {
    const { line, column } = lineColumn(text, first.offset);
    return { error: `line ${line}, column ${column}: ${jsonSyntaxMessage(printParseErrorCode(first.error), { comments: jsonc, subject: 'this file' })}` };
  }
  if (root && root.type !== 'object') return { error: 'the file is not a JSON object' };
  return { root };
}

export function readClientFile(path: string, jsonc: boolean): ClientFileRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'missing' };
    return { status: 'unreadable', error: (err as Error).message };
  }
  const parsed = parseClientText(text, jsonc);
  if ('error' in parsed) return { status: 'malformed', error: parsed.error };
  return { status: 'ok', text, root: parsed.root };
}

/** One entry of a servers object, with the exact source text of its value. */
export interface RawEntry {
  name: string;
  value: unknown;
  valueNode: Node;
  text: string;
  /** Set when the client would not see this entry as written (a duplicate key). */
  error?: string;
}

/**
 * The entries of the servers object at `location`: undefined when there is none, an error
 * string when there is something else than an object.
 */
export function serverEntries(text: string, root: Node | undefined, location: string[]): RawEntry[] | undefined | string {
  const node = root ? findNodeAtLocation(root, location) : undefined;
  if (!node || node.type === 'null') return undefined;
  if (node.type !== 'object') return `"${location.join('.')}" is not an object`;
  const entries: RawEntry[] = [];
  const counts = new Map<string, number>();
  for (const prop of node.children ?? []) {
    const [key, value] = prop.children ?? [];
    if (!key || !value || typeof key.value !== 'string') continue;
    counts.set(key.value, (counts.get(key.value) ?? 0) + 1);
    entries.push({ name: key.value, value: getNodeValue(value), valueNode: value, text: text.slice(value.offset, value.offset + value.length) });
  }
  for (const entry of entries) {
    // JSON.parse keeps the last of duplicate keys, our editor would change the first: refuse.
    if ((counts.get(entry.name) ?? 0) > 1) entry.error = `"${entry.name}" is defined more than once`;
  }
  return entries;
}

/** The value node of one entry (for re-finding an entry in the file as it is now). */
export function entryNode(root: Node | undefined, location: string[], name: string): Node | undefined {
  return root ? findNodeAtLocation(root, [...location, name]) : undefined;
}

interface Layout {
  eol: string;
  /** One level of indentation as the file writes it. */
  unit: string;
  /** The file is on one line: keep new values on one line too. */
  compact: boolean;
}

export function detectLayout(text: string): Layout {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const compact = !/\S[^\n]*\n[\s\S]*\S/.test(text);
  const indents = text
    .split(/\r?\n/)
    // Property lines only: a block comment's " * " must not set the indentation.
    .map((line) => /^([ \t]+)"/.exec(line)?.[1])
    .filter((indent): indent is string => indent !== undefined);
  let unit = '  ';
  if (indents.some((i) => i.startsWith('\t'))) unit = '\t';
  else if (indents.length) unit = ' '.repeat(Math.min(...indents.map((i) => i.length)));
  return { eol, unit, compact };
}

/** JSON for `value`, laid out to sit at `offset` in `text` the way the file writes JSON. */
export function renderValueAt(text: string, offset: number, value: unknown): string {
  const layout = detectLayout(text);
  if (layout.compact) return JSON.stringify(value);
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const base = /^[ \t]*/.exec(text.slice(lineStart, offset))?.[0] ?? '';
  return JSON.stringify(value, null, layout.unit).split('\n').join(layout.eol + base);
}

/** Replaces the text of value nodes; nothing outside them changes. */
export function replaceValues(text: string, replacements: { node: Node; content: string }[]): string {
  const edits: Edit[] = replacements.map((r) => ({ offset: r.node.offset, length: r.node.length, content: r.content }));
  return applyEdits(text, edits);
}

export class ConcurrentChangeError extends Error {
  constructor(path: string) {
    super(`${path} changed while Airlock was rewriting it; nothing was written, try again`);
    this.name = 'ConcurrentChangeError';
  }
}

/**
 * Atomically replaces a file we read as `before` (same mode and owner; a symlink's target
 * is written, the link stays). Clients rewrite their own files (Claude Code does often), so
 * the file is read again just before and not written when it changed in between.
 */
export function rewriteFile(path: string, before: string, after: string): void {
  let now: string;
  try {
    now = readFileSync(path, 'utf8');
  } catch {
    throw new ConcurrentChangeError(path);
  }
  if (now !== before) throw new ConcurrentChangeError(path);
  writeFileAtomic.sync(path, after);
}

/**
 * Copies a file's text to `<backups>/<client>-<timestamp>.json` (mode 0600: client files
 * hold secrets) and returns the copy's path.
 */
export function writeBackup(backupsDir: string, client: string, text: string, now: number): string {
  mkdirSync(backupsDir, { recursive: true, mode: 0o700 });
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  let file = join(backupsDir, `${client}-${stamp}.json`);
  for (let n = 2; existsSync(file); n++) file = join(backupsDir, `${client}-${stamp}-${n}.json`);
  writeFileAtomic.sync(file, text, { mode: 0o600 });
  return file;
}
