/**
 * Tokens: one for agents (the MCP endpoint), one for UIs and scripts (the control API).
 * They are different on purpose: an agent must never be able to approve its own calls.
 * Named client tokens (`clients` in auth.json, one per client `airlock protect` set up)
 * open the MCP endpoint too, and name their caller: policy, limits and history use the
 * token's name as the caller's identity. A running Airlock picks up a name added to the
 * file the first time its token is shown (see `refresh`), without a restart.
 */
import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { writePrivateJson } from './home.ts';

const AuthFileSchema = z.looseObject({
  mcpToken: z.string().min(16),
  adminToken: z.string().min(16),
  /** Optional named tokens: a client using one is identified by its name in policy and history. */
  clients: z.record(z.string(), z.string().min(16)).optional(),
});

export interface AuthTokens {
  mcpToken: string;
  adminToken: string;
  clients: Record<string, string>;
  /** Reads named tokens added to auth.json since; true when they changed. */
  refresh?: () => boolean;
}

/** A client token's name: it becomes a caller id in policy (`client` conditions) and history. */
export const CLIENT_TOKEN_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export type TokenKind = { kind: 'mcp'; identity?: string } | { kind: 'admin' };

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Reads `auth.json`, creating it (mode 0600) on first start; env variables override. */
export function loadOrCreateAuth(file: string, env = process.env): AuthTokens {
  let stored: z.infer<typeof AuthFileSchema> | undefined;
  try {
    stored = AuthFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`${file} is unreadable or invalid (${(err as Error).message}); fix or delete it to generate new tokens`, { cause: err });
    }
  }
  if (!stored) {
    stored = { mcpToken: newToken(), adminToken: newToken() };
    writePrivateJson(file, stored);
  }
  const tokens: AuthTokens = {
    mcpToken: env.AIRLOCK_MCP_TOKEN || stored.mcpToken,
    adminToken: env.AIRLOCK_ADMIN_TOKEN || stored.adminToken,
    clients: stored.clients ?? {},
  };
  if (tokens.mcpToken === tokens.adminToken) throw new Error('the MCP token and the admin token must differ');
  let seen = mtimeOf(file);
  // A stat per unknown token (or identity question); the file is read only when it changed.
  tokens.refresh = () => {
    const mtime = mtimeOf(file);
    if (mtime === seen) return false;
    seen = mtime;
    try {
      const clients = AuthFileSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).clients ?? {};
      // The MCP and admin tokens never change while running; only names come and go.
      if (Object.values(clients).some((t) => t === tokens.adminToken)) return false;
      tokens.clients = clients;
      return true;
    } catch {
      return false; // a damaged file keeps the names known so far
    }
  };
  return tokens;
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * The named token of a client, created in auth.json on first use and the same after (the
 * file stays 0600; its other keys are kept as they are).
 */
export function ensureClientToken(file: string, name: string, env = process.env): string {
  if (!CLIENT_TOKEN_NAME.test(name)) throw new Error(`"${name}" cannot name a client token (lowercase letters, digits, ".", "_", "-")`);
  const existing = loadOrCreateAuth(file, env).clients[name];
  if (existing) return existing;
  const stored = AuthFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const token = newToken();
  writePrivateJson(file, { ...stored, clients: { ...stored.clients, [name]: token } });
  return token;
}

/** Digests of the tokens this process accepts, computed once (every request compares against all). */
const expectedDigests = new Map<string, Buffer>();

function expectedDigest(expected: string): Buffer {
  let digest = expectedDigests.get(expected);
  if (!digest) {
    digest = createHash('sha256').update(expected).digest();
    if (expectedDigests.size < 1024) expectedDigests.set(expected, digest);
  }
  return digest;
}

/** Compares digests so neither the content nor the length of a token leaks through timing. */
export function tokenEquals(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), expectedDigest(expected));
}

/**
 * Every token is compared (no early exit), so timing does not tell which kind matched; the
 * given token is digested once for all the comparisons.
 */
export function classifyToken(tokens: AuthTokens, given: string | undefined): TokenKind | undefined {
  if (!given) return undefined;
  const digest = createHash('sha256').update(given).digest();
  const matches = (expected: string) => timingSafeEqual(digest, expectedDigest(expected));
  let result: TokenKind | undefined;
  if (matches(tokens.mcpToken)) result = { kind: 'mcp' };
  if (matches(tokens.adminToken)) result = { kind: 'admin' };
  for (const [name, token] of Object.entries(tokens.clients)) {
    if (matches(token)) result = { kind: 'mcp', identity: name };
  }
  // A token not known yet may be a client's that `airlock protect` just added.
  if (!result && tokens.refresh?.()) return classifyToken({ ...tokens, refresh: undefined }, given);
  return result;
}

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
