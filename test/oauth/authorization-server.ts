/**
 * A real OAuth 2.1 / OpenID authorization server for the sign-in tests: oidc-provider on
 * loopback with one test account, its own login and consent pages (driven by
 * `signInLikeABrowser`), dynamic registration, refresh tokens, resource indicators
 * (tokens bound to the MCP server's URL), introspection for the resource server, and
 * revocation. Lifetimes are adjustable so a test can let a token or a code expire.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type ClientMetadata } from 'oidc-provider';

export const TEST_ACCOUNT = 'alice';
export const MCP_SCOPE = 'mcp:tools';
/** A scope the resource server knows but does not advertise: only a step-up asks for it. */
export const ADMIN_SCOPE = 'mcp:admin';
export const RESOURCE_SERVER = { client_id: 'mcp-resource-server', client_secret: 'resource-server-secret-0123456789' };

export interface AuthorizationServer {
  issuer: string;
  provider: Provider;
  /** Seconds; read when a token or code is issued. */
  lifetimes: { accessToken: number; code: number; refreshToken: number };
  /** What the server's endpoints were asked, in order (path and grant type), to check what Airlock did. */
  requests: { path: string; grantType?: string; body?: string }[];
  close(): Promise<void>;
}

export async function startAuthorizationServer(options: { clients?: ClientMetadata[]; resource: () => string }): Promise<AuthorizationServer> {
  const lifetimes = { accessToken: 3600, code: 60, refreshToken: 86_400 };
  const requests: AuthorizationServer['requests'] = [];
  const http: Server = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [{ ...RESOURCE_SERVER, redirect_uris: [], response_types: [], grant_types: [] }, ...(options.clients ?? [])],
    findAccount: async (_ctx, id) => (id === TEST_ACCOUNT ? { accountId: id, claims: async () => ({ sub: id }) } : undefined),
    scopes: ['openid', 'offline_access', MCP_SCOPE],
    features: {
      devInteractions: { enabled: true },
      registration: { enabled: true },
      revocation: { enabled: true, allowedPolicy: async () => true },
      introspection: { enabled: true, allowedPolicy: async (ctx) => ctx.oidc.client?.clientId === RESOURCE_SERVER.client_id },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => options.resource(),
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          if (indicator !== options.resource()) throw new Provider.errors.InvalidTarget(`unknown resource ${indicator}`);
          return { scope: `${MCP_SCOPE} ${ADMIN_SCOPE}`, audience: indicator, accessTokenFormat: 'opaque', accessTokenTTL: lifetimes.accessToken };
        },
      },
    },
    ttl: {
      AccessToken: () => lifetimes.accessToken,
      AuthorizationCode: () => lifetimes.code,
      RefreshToken: () => lifetimes.refreshToken,
      Grant: () => 86_400,
      Interaction: () => 600,
      Session: () => 86_400,
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    cookies: { keys: ['airlock-test-cookie-key'] },
  });
  provider.on('server_error', (_ctx, err) => process.stderr.write(`oidc-provider: ${err.stack}\n`));
  const callback = provider.callback();
  http.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (req.method === 'POST' && (url.pathname === '/token' || url.pathname === '/token/revocation' || url.pathname === '/reg')) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        requests.push({ path: url.pathname, ...(url.pathname === '/token' && { grantType: new URLSearchParams(body).get('grant_type') ?? '' }), body });
      });
    } else {
      requests.push({ path: url.pathname });
    }
    callback(req, res);
  });
  return {
    issuer,
    provider,
    lifetimes,
    requests,
    close: () => new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    }),
  };
}

/** A cookie jar and manual redirects: what a browser does between Airlock's link and its callback. */
export async function signInLikeABrowser(authorizationUrl: string, stopAt: string, account = TEST_ACCOUNT): Promise<string> {
  const cookies = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1));
    }
    return res;
  };
  let url = authorizationUrl;
  for (let step = 0; step < 20; step++) {
    if (url.startsWith(stopAt)) return url;
    const res = await send(url);
    const location = res.headers.get('location');
    if (location) {
      await res.text();
      url = new URL(location, url).href;
      continue;
    }
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no redirect and no form at ${url} (${res.status}): ${html.slice(0, 300)}`);
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    const form = new URLSearchParams({ prompt: prompt ?? '' });
    if (prompt === 'login') {
      form.set('login', account);
      form.set('password', 'any password');
    }
    const posted = await send(new URL(action, url).href, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    const next = posted.headers.get('location');
    await posted.text();
    if (!next) throw new Error(`the ${prompt} form at ${url} did not redirect (${posted.status})`);
    url = new URL(next, url).href;
  }
  throw new Error('too many steps before the redirect to Airlock');
}
