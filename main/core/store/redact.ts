/**
 * Secrets out of the history: arguments are redacted before they are written, so the
 * history file, its exports and the UI never hold a token an agent passed to a tool.
 * Errs towards hiding: a value hidden by mistake costs a little context, a leaked key
 * costs the key.
 */

export const REDACTED = '[redacted]';

/**
 * Key names whose values are hidden whatever they hold. Matched word by word, ignoring
 * case and separators: `token` hides `access_token` and `githubToken` but not `max_tokens`;
 * `api_key` hides `apiKey`, `x-api-key` and `APIKEY`.
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = [
  'token',
  'secret',
  'password',
  'passwd',
  'api_key',
  'apikey',
  'authorization',
  'cookie',
  'private_key',
  'access_key',
  'credentials',
];

/** Secret-looking text inside any string value; only the match is replaced. */
export const DEFAULT_REDACT_PATTERNS: readonly RegExp[] = [
  // An Authorization header value. Capitalised only: "the bearer of" is prose.
  /\bBearer\s+[A-Za-z0-9\-._~+/]+=*/g,
  // A whole value that is a bearer credential in any case ("bearer abc").
  /^\s*bearer\s+\S+\s*$/gi,
  // Provider API keys: OpenAI/Anthropic (sk-, sk-proj-, sk-ant-), GitHub, GitLab, Slack,
  // Hugging Face, Google, AWS access key ids.
  /(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{16,}/g,
  /(?<![A-Za-z0-9])(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}/g,
  /(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{30,}/g,
  /(?<![A-Za-z0-9])glpat-[A-Za-z0-9_-]{20,}/g,
  /(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}/g,
  /(?<![A-Za-z0-9])hf_[A-Za-z0-9]{30,}/g,
  /(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}/g,
  /(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Za-z])/g,
  // JSON Web Tokens: header.payload.signature, both JSON parts starting with `{"`.
  /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  // The password in a URL: scheme://user:password@host
  /(?<=\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:)[^\s/@]+(?=@)/gi,
];

export interface RedactOptions {
  /** Key names to hide (replaces the defaults; spread DEFAULT_REDACT_KEYS to extend them). */
  keys?: readonly string[];
  /** Patterns to hide inside strings (replaces the defaults). */
  patterns?: readonly RegExp[];
  /**
   * Longer strings are cut to this many characters (base64 images in arguments would
   * otherwise fill the history). Default 4096; Infinity keeps everything.
   */
  maxStringLength?: number;
}

export const DEFAULT_MAX_STRING_LENGTH = 4096;
const MAX_DEPTH = 64;

/** Splits a key into lower-case words: `xApiKey`, `X-API-Key`, `x_api_key` → x, api, key. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

type Redactor = (value: unknown) => unknown;

/** Builds a redactor once for a set of options (the patterns are compiled once). */
export function createRedactor(options: RedactOptions = {}): Redactor {
  const targets = (options.keys ?? DEFAULT_REDACT_KEYS).map((key) => words(key).join('')).filter(Boolean);
  const patterns = (options.patterns ?? DEFAULT_REDACT_PATTERNS).map((pattern) =>
    pattern.flags.includes('g') ? pattern : new RegExp(pattern.source, pattern.flags + 'g'),
  );
  const maxLength = options.maxStringLength ?? DEFAULT_MAX_STRING_LENGTH;

  // A key is secret when a run of its consecutive words, joined, is one of the targets:
  // "api", "key" → "apikey" matches `api_key` and `apikey` alike, while "max", "tokens"
  // never forms "token".
  const keyCache = new Map<string, boolean>();
  const isSecretKey = (key: string): boolean => {
    let secret = keyCache.get(key);
    if (secret !== undefined) return secret;
    secret = false;
    const parts = words(key);
    for (let i = 0; i < parts.length && !secret; i++) {
      let joined = '';
      for (let j = i; j < parts.length && !secret; j++) {
        joined += parts[j];
        secret = targets.includes(joined);
      }
    }
    if (keyCache.size < 10_000) keyCache.set(key, secret);
    return secret;
  };

  const redactString = (text: string): string => {
    let out = text;
    for (const pattern of patterns) out = out.replace(pattern, REDACTED);
    if (out.length > maxLength) {
      // The result is exactly maxLength long, so redacting it again leaves it as it is.
      const marker = `…[${out.length} characters]`;
      out = out.slice(0, Math.max(0, maxLength - marker.length)) + marker;
    }
    return out;
  };

  const visit = (value: unknown, depth: number, seen: Set<object>): unknown => {
    if (typeof value === 'string') return redactString(value);
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[circular]';
    if (depth >= MAX_DEPTH) return '[too deep]';
    seen.add(value);
    try {
      if (Array.isArray(value)) return value.map((item) => visit(item, depth + 1, seen));
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        out[key] = isSecretKey(key) ? REDACTED : visit(item, depth + 1, seen);
      }
      return out;
    } finally {
      seen.delete(value);
    }
  };

  return (value) => visit(value, 0, new Set());
}

const defaultRedactor = createRedactor();
const textRedactor = createRedactor({ maxStringLength: Infinity });

/** A copy of args with secret keys and secret-looking strings replaced by "[redacted]". */
export function redact(args: Record<string, unknown>, options?: RedactOptions): Record<string, unknown>;
export function redact(value: unknown, options?: RedactOptions): unknown;
export function redact(value: unknown, options?: RedactOptions): unknown {
  return (options ? createRedactor(options) : defaultRedactor)(value);
}

/** Only the string patterns (for free text such as a result preview). */
export function redactText(text: string, options?: Pick<RedactOptions, 'patterns'>): string {
  const out = (options ? createRedactor({ ...options, maxStringLength: Infinity }) : textRedactor)(text);
  return typeof out === 'string' ? out : text;
}
