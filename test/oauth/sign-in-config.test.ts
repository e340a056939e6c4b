/**
 * The pieces of sign-in that are plain logic: the `oauth` entry of config.json (strict: a
 * typo must not silently change how Airlock signs in), the sign-in flows' single use and
 * ten-minute life, and which URLs sign-in may use.
 */
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../shared/config.ts';
import { assertSignInUrl } from '../../main/core/upstream/oauth/sign-in-errors.ts';
import { FLOW_TTL_MS, SignInFlows } from '../../main/core/upstream/oauth/sign-in-flows.ts';

const entry = (oauth: unknown) => ConfigSchema.safeParse({ mcpServers: { remote: { url: 'https://mcp.example.com/mcp', oauth } } });

describe('the oauth entry', () => {
  it('accepts {} (discovery and dynamic registration) and each documented key', () => {
    expect(entry({}).success).toBe(true);
    expect(
      entry({ clientId: 'id', clientSecret: 'secret', scopes: ['a', 'b'], resource: 'https://mcp.example.com/mcp', clientMetadataUrl: 'https://airlock.example/client.json' }).success,
    ).toBe(true);
  });

  it('refuses unknown keys and a client metadata document that is not https', () => {
    expect(entry({ clientID: 'typo' }).success).toBe(false);
    expect(entry({ clientMetadataUrl: 'http://airlock.example/client.json' }).success).toBe(false);
    expect(entry({ scopes: 'one string' }).success).toBe(false);
  });
});

describe('sign-in flows', () => {
  it('are single use, expire after ten minutes, and a new one replaces the server\'s earlier one', () => {
    const flows = new SignInFlows();
    const now = Date.now();
    const first = flows.start('remote', now);
    const second = flows.start('remote', now);
    expect(flows.take(first.state, now).kind).toBe('unknown');
    expect(flows.take(second.state, now)).toMatchObject({ kind: 'ok', flow: { server: 'remote' } });
    expect(flows.take(second.state, now).kind).toBe('unknown');
    const late = flows.start('remote', now);
    expect(flows.take(late.state, now + FLOW_TTL_MS + 1).kind).toBe('expired');
    expect(flows.take(null).kind).toBe('unknown');
  });
});

describe('sign-in URLs', () => {
  it('allow https anywhere and plain http only to loopback hosts', () => {
    for (const ok of ['https://mcp.example.com/mcp', 'http://127.0.0.1:8080/mcp', 'http://localhost/mcp', 'http://[::1]:3000/']) expect(() => assertSignInUrl('the server URL', ok)).not.toThrow();
    for (const bad of ['http://mcp.example.com/mcp', 'http://10.0.0.2/mcp', 'http://127.0.0.1.example.com/']) {
      expect(() => assertSignInUrl('the server URL', bad)).toThrow('sign-in uses plain http only for loopback hosts');
    }
  });
});
