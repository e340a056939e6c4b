/**
 * policy.json text → a compiled policy, or errors a person can act on: each names the
 * line and column, the JSON pointer and what was expected there. Comments and trailing
 * commas are accepted (the documented examples use them); duplicate keys are not, since
 * JSON.parse would silently keep the last one.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import {
  createScanner,
  findNodeAtLocation,
  findNodeAtOffset,
  getNodePath,
  getNodeValue,
  parseTree,
  printParseErrorCode,
  type Node,
  type ParseError,
} from 'jsonc-parser';
import type { z } from 'zod';
import { compilePolicy, pointer as jsonPointer, type CompiledPolicy } from './compile.ts';
import { defaultPolicy } from './default-policy.ts';
import { jsonSyntaxMessage, LineIndex } from '../../../shared/json-syntax.ts';
import { KNOWN_KEYS, PolicySchema, type PolicyFile } from '../../../shared/policy/schema.ts';

export interface PolicyIssue {
  /** JSON pointer of the offending value ('' for the whole document). */
  pointer: string;
  /** 1-based. */
  line: number;
  column: number;
  message: string;
}

export type PolicyParseResult =
  | { ok: true; policy: CompiledPolicy; file: PolicyFile }
  | { ok: false; issues: PolicyIssue[] };

/** Comments and trailing commas are accepted (the documented examples use them). */
const POLICY_SYNTAX = { comments: true, subject: 'the policy' };

/** Keys from other policy formats, with what to write instead. */
const FOREIGN_KEYS: Record<string, string> = {
  rate_limit: 'limits',
  rate_limits: 'limits',
  limit: 'limits',
  conditions: 'require',
};

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** Which kind of object sits at a path, to know which keys it takes. */
function objectKind(path: readonly PropertyKey[]): keyof typeof KNOWN_KEYS | undefined {
  const n = path.length;
  if (n === 0) return 'policy';
  const last = path[n - 1];
  const parent = path[n - 2];
  if (n === 1 && last === 'all_tools') return 'all_tools';
  if (n === 2 && path[0] === 'servers') return 'server';
  if (parent === 'tools' && (n === 2 || (n === 4 && path[0] === 'servers'))) return 'rule';
  if ((parent === 'resources' || parent === 'prompts') && (n === 2 || (n === 4 && path[0] === 'servers'))) return 'access';
  if (parent === 'limits') return 'limit';
  if (parent === 'require' || parent === 'deny_if' || parent === 'ask_if') return 'condition';
  return undefined;
}

function unknownKeyMessage(key: string, path: readonly PropertyKey[]): string {
  const kind = objectKind(path);
  const known: readonly string[] = kind ? KNOWN_KEYS[kind].filter((k) => k !== '$schema') : [];
  const foreign = FOREIGN_KEYS[key];
  if (foreign && known.includes(foreign)) return `unknown key "${key}" (write "${foreign}")`;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  if (best && bestDistance <= Math.max(1, Math.floor(best.length / 3))) return `unknown key "${key}" (did you mean "${best}"?)`;
  return known.length ? `unknown key "${key}" (expected one of: ${known.join(', ')})` : `unknown key "${key}"`;
}

/** The property node (key and value) for a path's last step, when it is an object key. */
function propertyNode(root: Node, path: readonly (string | number)[]): Node | undefined {
  const parent = findNodeAtLocation(root, path.slice(0, -1));
  const key = path[path.length - 1];
  if (parent?.type !== 'object' || typeof key !== 'string') return undefined;
  // The last property with that key: it is the one whose value was read.
  return parent.children?.findLast((property) => property.children?.[0]?.value === key);
}

/** The deepest node that exists along a path, and whether the whole path exists. */
function nearestNode(root: Node, path: readonly (string | number)[]): { node: Node; exists: boolean } {
  for (let n = path.length; n >= 0; n--) {
    const node = findNodeAtLocation(root, path.slice(0, n));
    if (node) return { node, exists: n === path.length };
  }
  return { node: root, exists: false };
}

function cleanMessage(message: string): string {
  return message.replace(/^Invalid input: /, '').replace(/^Invalid option: /, '');
}

/** Zod issues, one per offending key or value, placed in the text. */
function locateIssues(root: Node, issues: readonly z.core.$ZodIssue[], positions: LineIndex): PolicyIssue[] {
  const out: PolicyIssue[] = [];
  const place = (path: readonly (string | number)[], offset: number, message: string): void => {
    out.push({ pointer: jsonPointer(...path), ...positions.at(offset), message });
  };
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        const node = propertyNode(root, keyPath) ?? nearestNode(root, path).node;
        place(keyPath, node.offset, unknownKeyMessage(key, path));
      }
    } else if (issue.code === 'invalid_key') {
      const node = propertyNode(root, path) ?? nearestNode(root, path).node;
      const inner = issue.issues[0]?.message;
      place(path, node.offset, `invalid key "${String(path[path.length - 1])}": ${cleanMessage(inner ?? issue.message)}`);
    } else {
      const { node, exists } = nearestNode(root, path);
      const last = path[path.length - 1];
      const message = cleanMessage(issue.message);
      if (exists || last === undefined) place(path, node.offset, message);
      else place(path, node.offset, `missing "${String(last)}": ${message.replace(/, received undefined$/, '')}`);
    }
  }
  return out;
}

/** Keys written twice in one object: JSON.parse keeps the last silently, which may be the weaker. */
function duplicateKeys(root: Node, positions: LineIndex): PolicyIssue[] {
  const out: PolicyIssue[] = [];
  const walk = (node: Node): void => {
    if (node.type === 'object') {
      const seen = new Set<string>();
      for (const property of node.children ?? []) {
        const keyNode = property.children?.[0];
        const key = keyNode?.value as string | undefined;
        if (keyNode && key !== undefined) {
          if (seen.has(key)) {
            out.push({
              pointer: jsonPointer(...getNodePath(keyNode)),
              ...positions.at(keyNode.offset),
              message: `duplicate key "${key}" (each key may appear once)`,
            });
          }
          seen.add(key);
        }
        const value = property.children?.[1];
        if (value) walk(value);
      }
    } else if (node.type === 'array') {
      for (const child of node.children ?? []) walk(child);
    }
  };
  walk(root);
  return out;
}

const byPosition = (a: PolicyIssue, b: PolicyIssue): number => a.line - b.line || a.column - b.column;

/** A real policy nests about eight levels; the parser and the schema recurse per level. */
export const MAX_POLICY_DEPTH = 64;
/** policy.put takes up to a million characters; in UTF-8 that is at most four bytes each. */
export const MAX_POLICY_BYTES = 4 * 1024 * 1024;

/**
 * Where the text first opens more than MAX_POLICY_DEPTH objects or arrays, found with the
 * scanner alone (no recursion), so a hostile file cannot overflow the parser's stack.
 */
function tooDeepAt(text: string): number | undefined {
  // jsonc-parser's SyntaxKind is a const enum, which isolated modules cannot import.
  const [OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, EOF] = [1, 2, 3, 4, 17];
  const scanner = createScanner(text, false);
  let depth = 0;
  for (let kind: number = scanner.scan(); kind !== EOF; kind = scanner.scan()) {
    if (kind === OPEN_BRACE || kind === OPEN_BRACKET) {
      if (++depth > MAX_POLICY_DEPTH) return scanner.getTokenOffset();
    } else if (kind === CLOSE_BRACE || kind === CLOSE_BRACKET) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

/** Parses and validates policy text; never throws. */
export function parsePolicy(input: string): PolicyParseResult {
  // Editors on Windows may save a byte-order mark; it is not part of the JSON.
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const positions = new LineIndex(text);
  const deep = tooDeepAt(text);
  if (deep !== undefined) {
    return { ok: false, issues: [{ pointer: '', ...positions.at(deep), message: `nested too deeply (more than ${MAX_POLICY_DEPTH} levels of objects and arrays)` }] };
  }
  const syntaxErrors: ParseError[] = [];
  const root = parseTree(text, syntaxErrors, { allowTrailingComma: true, disallowComments: false });
  if (syntaxErrors.length > 0 || !root) {
    if (text.trim() === '' || (!root && syntaxErrors.length === 0)) {
      return { ok: false, issues: [{ pointer: '', line: 1, column: 1, message: 'the policy is empty (expected a JSON object)' }] };
    }
    const issues: PolicyIssue[] = [];
    const seen = new Set<string>();
    for (const error of syntaxErrors) {
      const node = root ? findNodeAtOffset(root, error.offset) : undefined;
      const issue = {
        pointer: node ? jsonPointer(...getNodePath(node)) : '',
        ...positions.at(error.offset),
        message: `invalid JSON: ${jsonSyntaxMessage(printParseErrorCode(error.error), POLICY_SYNTAX)}`,
      };
      // The parser recovers and may report the same spot twice (e.g. at the end of the text).
      const id = `${issue.line}:${issue.column}:${issue.message}`;
      if (!seen.has(id)) issues.push(issue);
      seen.add(id);
    }
    return { ok: false, issues };
  }

  const duplicates = duplicateKeys(root, positions);
  const parsed = PolicySchema.safeParse(getNodeValue(root));
  const issues = [...duplicates, ...(parsed.success ? [] : locateIssues(root, parsed.error.issues, positions))];
  if (issues.length > 0 || !parsed.success) return { ok: false, issues: issues.sort(byPosition) };
  return { ok: true, policy: compilePolicy(parsed.data), file: parsed.data };
}

/** `policy.json:12:7 /tools/image_to_image/limits/0/window: expected …`, one line per issue. */
export function formatPolicyIssues(issues: readonly PolicyIssue[], fileName = 'policy.json'): string[] {
  return issues.map((issue) => `${fileName}:${issue.line}:${issue.column} ${issue.pointer ? issue.pointer + ': ' : ''}${issue.message}`);
}

export type PolicyFileLoad =
  | { status: 'loaded'; path: string; policy: CompiledPolicy; file: PolicyFile; text: string }
  /** No policy.json: `policy` is the built-in default (default-policy.ts). */
  | { status: 'missing'; path: string; policy: CompiledPolicy }
  /** Unreadable or invalid: the caller keeps the last good policy (never falls open). */
  | { status: 'invalid'; path: string; issues: PolicyIssue[]; text: string | undefined };

/**
 * Reads policy.json without ever blocking: opened non-blocking and checked on the open
 * descriptor, so a FIFO or a device put in its place (or swapped in between a check and the
 * read) is an error, not a hang, and a huge file is refused before it is read.
 */
function readPolicyText(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error('it is not a regular file (a FIFO, device or folder cannot be a policy)');
    if (stat.size > MAX_POLICY_BYTES) throw new Error(`it is larger than ${MAX_POLICY_BYTES} bytes`);
    const buffer = Buffer.alloc(MAX_POLICY_BYTES + 1);
    let length = 0;
    for (let n; length < buffer.length && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0; ) length += n;
    if (length > MAX_POLICY_BYTES) throw new Error(`it is larger than ${MAX_POLICY_BYTES} bytes`);
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

export function loadPolicyFile(path: string): PolicyFileLoad {
  let text: string;
  try {
    text = readPolicyText(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOENT also covers a symlink whose target is gone.
    if (code === 'ENOENT') return { status: 'missing', path, policy: defaultPolicy() };
    return {
      status: 'invalid',
      path,
      issues: [{ pointer: '', line: 1, column: 1, message: `cannot read the policy: ${(error as Error).message}` }],
      text: undefined,
    };
  }
  const result = parsePolicy(text);
  if (!result.ok) return { status: 'invalid', path, issues: result.issues, text };
  return { status: 'loaded', path, policy: result.policy, file: result.file, text };
}
