/**
 * Secrets out of the history: arguments, results, refusal reasons and messages are
 * redacted before they are written, so the history file, its exports and the UI never
 * hold a token an agent passed to a tool, nor the same token echoed back by the tool or
 * quoted in a reason. What the agent itself receives is never changed.
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
  'passphrase',
  'pin',
  'otp',
  'auth',
  'key',
  'api_key',
  'apikey',
  'authorization',
  'dsn',
  'cookie',
  'session',
  'private_key',
  'client_secret',
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
  // HTTP Basic credentials (base64 of user:password). Base64 has a digit, a + / = or a
  // lower-to-upper change somewhere, which "Basic information" has not.
  /\bBasic\s+(?=[A-Za-z0-9+/]*(?:[0-9+/=]|[a-z][A-Z]))[A-Za-z0-9+/]{6,}={0,2}/g,
  // `password=...`, `DB_PASSWORD: ...`, `"client_secret": "..."` inside text (env files,
  // query strings, JSON echoed as text): the value after the name.
  /(?<=(?<![a-z0-9])(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)["']?\s*[=:]\s*["']?)[^\s"'&;,]+/gi,
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
/** Values under a secret key shorter than this are not looked for in other text ("1" is everywhere). */
const MIN_SECRET_LENGTH = 4;
/** A secret quoted in a reason may be cut short ("sk-live-abc…"): its first characters suffice. */
const SECRET_PREFIX_LENGTH = 12;
/** Keys that name the header or field of a `{ name, value }` pair (HAR, fetch header lists). */
const PAIR_NAME_KEYS = ['name', 'key', 'header', 'field'];

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

export interface Redaction {
  /** A copy of a value with secret keys and secret-looking strings replaced. */
  value: Redactor;
  /**
   * Free text (a result, a reason, a message): the patterns, and every value the call's
   * arguments held under a secret key (a tool that echoes its input, a reason that quotes it).
   */
  text(text: string, secrets?: readonly string[]): string;
  /** The values a set of arguments holds under secret keys, to find them again in text. */
  secretsOf(value: unknown): string[];
}

const escapeRegExp = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

/** Builds the redaction once for a set of options (the patterns are compiled once). */
export function createRedaction(options: RedactOptions = {}): Redaction {
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

  /** `{ name: "Authorization", value: "..." }`: the value is secret when the name is. */
  const isSecretPair = (record: Record<string, unknown>): boolean =>
    'value' in record && PAIR_NAME_KEYS.some((k) => typeof record[k] === 'string' && isSecretKey(record[k] as string));

  const applyPatterns = (text: string): string => {
    let out = text;
    for (const pattern of patterns) out = out.replace(pattern, REDACTED);
    return out;
  };

  const redactString = (text: string): string => {
    let out = applyPatterns(text);
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
      const record = value as Record<string, unknown>;
      const pair = isSecretPair(record);
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(record)) {
        out[key] = isSecretKey(key) || (pair && key === 'value') ? REDACTED : visit(item, depth + 1, seen);
      }
      return out;
    } finally {
      seen.delete(value);
    }
  };

  const secretsOf = (value: unknown): string[] => {
    const found = new Set<string>();
    const leaves = (item: unknown, depth: number): void => {
      if (depth > MAX_DEPTH) return;
      if (typeof item === 'string' || typeof item === 'number' || typeof item === 'bigint') {
        const text = String(item);
        if (text.length >= MIN_SECRET_LENGTH) found.add(text);
      } else if (item !== null && typeof item === 'object') {
        for (const child of Object.values(item)) leaves(child, depth + 1);
      }
    };
    const walk = (item: unknown, depth: number): void => {
      if (item === null || typeof item !== 'object' || depth > MAX_DEPTH) return;
      if (Array.isArray(item)) {
        for (const child of item) walk(child, depth + 1);
        return;
      }
      const record = item as Record<string, unknown>;
      const pair = isSecretPair(record);
      for (const [key, child] of Object.entries(record)) {
        if (isSecretKey(key) || (pair && key === 'value')) leaves(child, depth + 1);
        else walk(child, depth + 1);
      }
    };
    walk(value, 0);
    return [...found];
  };

  const text = (input: string, secrets: readonly string[] = []): string => {
    let out = input;
    // Longest first, so a secret that contains another is hidden whole.
    for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
      const head = escapeRegExp(secret.slice(0, SECRET_PREFIX_LENGTH));
      const rest = secret.length > SECRET_PREFIX_LENGTH ? `[^\\s"'\`]*` : '';
      out = out.replace(new RegExp(head + rest, 'g'), REDACTED);
    }
    return applyPatterns(out);
  };

  return { value: (value) => visit(value, 0, new Set()), text, secretsOf };
}

/** Builds a redactor of values once for a set of options. */
export function createRedactor(options: RedactOptions = {}): Redactor {
  return createRedaction(options).value;
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
