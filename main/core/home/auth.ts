/**
 * Tokens: one for agents (the MCP endpoint), one for UIs and scripts (the control API).
 * They are different on purpose: an agent must never be able to approve its own calls.
 */
import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
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
}

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
  return tokens;
}

/** Digests of the tokens this process accepts, computed once (every request compares against all). */
const expectedDigests = new Map<string, Buffer>();

/** Compares digests so neither the content nor the length of a token leaks through timing. */
export function tokenEquals(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  let b = expectedDigests.get(expected);
  if (!b) {
    b = createHash('sha256').update(expected).digest();
    if (expectedDigests.size < 1024) expectedDigests.set(expected, b);
  }
  return timingSafeEqual(a, b);
}

/** Every token is compared (no early exit), so timing does not tell which kind matched. */
export function classifyToken(tokens: AuthTokens, given: string | undefined): TokenKind | undefined {
  if (!given) return undefined;
  let result: TokenKind | undefined;
  if (tokenEquals(given, tokens.mcpToken)) result = { kind: 'mcp' };
  if (tokenEquals(given, tokens.adminToken)) result = { kind: 'admin' };
  for (const [name, token] of Object.entries(tokens.clients)) {
    if (tokenEquals(given, token)) result = { kind: 'mcp', identity: name };
  }
  return result;
}

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
