/**
 * Checks every request must pass before anything else looks at it: the Host header must
 * name a loopback address (DNS rebinding: a web page on evil.example resolving to
 * 127.0.0.1 still sends Host: evil.example), and a browser Origin, when sent, must be
 * Airlock's own UI.
 */
import type { IncomingMessage } from 'node:http';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isAllowedHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host.toLowerCase());
  if (!match) return false;
  const [, name, portText] = match;
  return LOOPBACK_HOSTS.has(name ?? '') && (portText === undefined ? port === 80 : Number(portText) === port);
}

export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true; // not a browser, or a same-origin GET
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && isAllowedHost(url.host, port);
  } catch {
    return false;
  }
}

export type GuardFailure = { status: number; message: string };

export function checkRequestOrigin(req: IncomingMessage, port: number): GuardFailure | undefined {
  if (!isAllowedHost(req.headers.host, port)) return { status: 403, message: 'Host not allowed: Airlock answers loopback names only' };
  const origin = req.headers.origin;
  if (!isAllowedOrigin(Array.isArray(origin) ? origin[0] : origin, port)) return { status: 403, message: 'Origin not allowed' };
  return undefined;
}

export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`request body exceeds ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** Reads a request body, refusing it as soon as it grows past the limit. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** Deeper JSON than this is refused at the edge: the SDK, redaction and hashing recurse per level. */
export const MAX_JSON_DEPTH = 64;

export class InvalidJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidJsonError';
  }
}

/** Whether a parsed value nests objects and arrays more than `max` levels (checked without recursion). */
export function jsonTooDeep(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** A request body as JSON; InvalidJsonError when it does not parse or nests too deeply. */
export function parseJsonBody(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidJsonError('the request body is not valid JSON');
  }
  if (jsonTooDeep(value, maxDepth)) throw new InvalidJsonError(`the request body nests deeper than ${maxDepth} levels`);
  return value;
}

/** Whether every percent-escape in a URL path decodes (a path such as `/mcp/%E0%A4%A` does not). */
export function isWellFormedPath(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}
