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
