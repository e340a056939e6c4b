import { describe, expect, it } from 'vitest';
import { createRedaction, createRedactor, DEFAULT_REDACT_KEYS, redact, redactText, REDACTED } from '../../main/core/store/redact.ts';
import { summarizeResult } from '../../main/core/store/result-summary.ts';

describe('redact', () => {
  it('hides secret keys at any depth, whatever their spelling', () => {
    const args = {
      query: 'weather in Lyon',
      Authorization: 'Basic dXNlcjpwYXNz',
      config: {
        apiKey: 'k1',
        API_KEY: 'k2',
        'x-api-key': 'k3',
        apikey: 'k4',
        headers: [{ Cookie: 'sid=1' }, { 'Set-Cookie': 'sid=2' }],
        db: { password: 'p', PASSWORD_CONFIRM: 'p' },
        privateKey: { kty: 'EC', d: 'secret-part' },
        github_token: 12345,
        client_secret: 'cs',
      },
    };
    expect(redact(args)).toEqual({
      query: 'weather in Lyon',
      Authorization: REDACTED,
      config: {
        apiKey: REDACTED,
        API_KEY: REDACTED,
        'x-api-key': REDACTED,
        apikey: REDACTED,
        headers: [{ Cookie: REDACTED }, { 'Set-Cookie': REDACTED }],
        db: { password: REDACTED, PASSWORD_CONFIRM: REDACTED },
        privateKey: REDACTED,
        github_token: REDACTED,
        client_secret: REDACTED,
      },
    });
  });

  it('leaves keys that merely contain a secret word alone', () => {
    const args = { max_tokens: 1024, tokenizer: 'cl100k', keyboard: 'azerty', author: 'me', secretary: 'Ann' };
    expect(redact(args)).toEqual(args);
  });

  it('hides bearer credentials and key-shaped strings inside values', () => {
    const openai = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv';
    const github = 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB';
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    expect(
      redact({
        header: 'Bearer xyz',
        lower: 'bearer abc.def',
        curl: `curl -H "Authorization: Bearer ${openai}" https://api.example.com`,
        list: [openai, `token is ${github} ok`, jwt],
        key: pem,
        url: 'postgres://admin:s3cr3t@db.internal:5432/app',
        prose: 'The bearer of this note, see task-1234567890abcdefghij',
      }),
    ).toEqual({
      header: REDACTED,
      lower: REDACTED,
      curl: `curl -H "Authorization: ${REDACTED}" https://api.example.com`,
      list: [REDACTED, `token is ${REDACTED} ok`, REDACTED],
      key: REDACTED,
      url: `postgres://admin:${REDACTED}@db.internal:5432/app`,
      prose: 'The bearer of this note, see task-1234567890abcdefghij',
    });
  });

  it('takes a custom key list (replacing or extending the defaults) and custom patterns', () => {
    const args = { ssn: '123-45-6789', token: 't', note: 'card 4111 1111 1111 1111' };
    expect(redact(args, { keys: ['ssn'] })).toEqual({ ssn: REDACTED, token: 't', note: 'card 4111 1111 1111 1111' });
    expect(redact(args, { keys: [...DEFAULT_REDACT_KEYS, 'ssn'] })).toEqual({ ssn: REDACTED, token: REDACTED, note: 'card 4111 1111 1111 1111' });
    // A pattern without the g flag still hides every occurrence.
    expect(redact({ a: '4111 1111 1111 1111 and 5500 0000 0000 0004' }, { patterns: [/\b(?:\d{4} ){3}\d{4}\b/] })).toEqual({
      a: `${REDACTED} and ${REDACTED}`,
    });
  });

  it('cuts very long strings (base64 images) and stays stable when applied twice', () => {
    const image = 'A'.repeat(100_000);
    const once = redact({ image }) as { image: string };
    expect(once.image.length).toBe(4096);
    expect(once.image).toMatch(/…\[100000 characters\]$/);
    expect(redact(once)).toEqual(once);
    expect((redact({ image }, { maxStringLength: Infinity }) as { image: string }).image).toBe(image);
  });

  it('does not modify its input and copes with cycles', () => {
    const input = { token: 'x', inner: { password: 'y' } };
    const copy = structuredClone(input);
    redact(input);
    expect(input).toEqual(copy);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(createRedactor()(cyclic)).toEqual({ a: 1, self: '[circular]' });
  });

  it('hides the newer secret key names and the values of name/value header lists', () => {
    const args = {
      passphrase: 'a', pin: 1234, otp: '123456', auth: 'x', key: 'k', sentry_dsn: 'https://k@sentry.io/1', session: 's',
      sessionCookie: 'c', private_key: 'p', client_secret: 'cs',
      headers: [{ name: 'X-Api-Key', value: 'k1' }, { name: 'Accept', value: 'json' }, { key: 'Cookie', value: 'sid=1' }],
      author: 'me', keyboard: 'azerty', pinned: true,
    };
    expect(redact(args)).toEqual({
      passphrase: REDACTED, pin: REDACTED, otp: REDACTED, auth: REDACTED, key: REDACTED, sentry_dsn: REDACTED, session: REDACTED,
      sessionCookie: REDACTED, private_key: REDACTED, client_secret: REDACTED,
      headers: [{ name: 'X-Api-Key', value: REDACTED }, { name: 'Accept', value: 'json' }, { key: REDACTED, value: REDACTED }],
      author: 'me', keyboard: 'azerty', pinned: true,
    });
  });

  it('hides Basic credentials and name=value secrets inside text, not prose', () => {
    expect(redactText('Authorization: Basic dXNlcjpwYXNz')).toBe(`Authorization: ${REDACTED}`);
    expect(redactText('DB_PASSWORD=hunter2\nDEBUG=1')).toBe(`DB_PASSWORD=${REDACTED}\nDEBUG=1`);
    expect(redactText('https://x.example/?user=a&password=p%40ss&x=1')).toBe(`https://x.example/?user=a&password=${REDACTED}&x=1`);
    expect(redactText('{"client_secret": "abc", "max_tokens": 5}')).toBe(`{"client_secret": "${REDACTED}", "max_tokens": 5}`);
    expect(redactText('Basic information about tokens: none')).toBe('Basic information about tokens: none');
  });

  it('finds the secret values of arguments again in text, whole or cut short', () => {
    const redaction = createRedaction();
    const secrets = redaction.secretsOf({ user: 'ann', password: 'correct-horse-battery', pin: 42, nested: { api_key: 'abcd1234efgh5678ijkl' } });
    expect(secrets.sort()).toEqual(['abcd1234efgh5678ijkl', 'correct-horse-battery']);
    expect(redaction.text('got "correct-horse-battery", then "abcd1234efgh5…" from ann', secrets)).toBe(`got "${REDACTED}", then "${REDACTED}" from ann`);
  });

  it('redacts free text with the patterns only', () => {
    expect(redactText('token: Bearer abc123')).toBe(`token: ${REDACTED}`);
  });
});

describe('result summary', () => {
  it('keeps the start of the text, the content types and small raster images', () => {
    const small = Buffer.alloc(1000, 1).toString('base64');
    const large = Buffer.alloc(30 * 1024, 1).toString('base64');
    const summary = summarizeResult({
      isError: true,
      content: [
        { type: 'text', text: 'x'.repeat(400) },
        { type: 'image', data: small, mimeType: 'image/png' },
        { type: 'image', data: large, mimeType: 'image/jpeg' },
        { type: 'image', data: small, mimeType: 'image/svg+xml' },
        { type: 'text', text: 'y'.repeat(400) },
        { type: 'resource', resource: { uri: 'file:///a', text: 'z' } },
      ],
    });
    expect(summary.isError).toBe(true);
    expect(summary.contentTypes).toEqual(['text', 'image', 'resource']);
    expect(summary.textPreview).toHaveLength(500);
    expect(summary.textPreview).toBe('x'.repeat(400) + '\n' + 'y'.repeat(99));
    expect(summary.thumbnails).toEqual([`data:image/png;base64,${small}`]);
  });

  it('hides secrets a result echoes and falls back to structured content', () => {
    expect(summarizeResult({ content: [{ type: 'text', text: 'OPENAI_API_KEY=sk-abcdefghijklmnopqrstuvwx' }] }).textPreview).toBe(
      `OPENAI_API_KEY=${REDACTED}`,
    );
    expect(summarizeResult({ content: [], structuredContent: { temperature: 21 } })).toEqual({
      isError: false,
      contentTypes: [],
      textPreview: '{"temperature":21}',
    });
  });
});
