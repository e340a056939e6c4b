/**
 * `airlock login <server> [--no-browser]` and `airlock logout <server>`: they ask the
 * running Airlock (control API, admin token, after it proved it is this home's), never
 * the authorization server themselves, so the tokens only ever live in the Airlock that
 * uses them. Login prints the authorization URL, opens a browser unless told not to, and
 * waits until the server's sign-in state says how it ended.
 */
import { spawn } from 'node:child_process';
import { verifyAirlock } from '../../bridge/verify-airlock.ts';
import { loadOrCreateAuth } from '../../home/auth.ts';
import { homePaths } from '../../home/home.ts';
import { readRuntimeInfo } from '../../home/runtime-file.ts';
import type { ServerStatus } from '../../../../shared/api/contract.ts';

export interface LoginIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** Opens a URL in the person's browser (tests pass their own). */
  openBrowser?: (url: string) => void;
}

/** The platform's "open this URL" command; detached, and silent when there is none. */
export function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no browser here: the URL is printed anyway
  }
}

async function control(home: string, io: LoginIo) {
  const paths = homePaths(home);
  const runtime = readRuntimeInfo(paths.runtime);
  if (!runtime) throw new Error(`no Airlock is running for home ${home}: start it (airlock serve or the app) first`);
  const admin = io.env.AIRLOCK_ADMIN_TOKEN || loadOrCreateAuth(paths.auth, io.env).adminToken;
  await verifyAirlock(runtime, admin);
  return async <T>(method: string, path: string): Promise<T> => {
    const res = await fetch(new URL(`/api${path}`, runtime.url), { method, headers: { authorization: `Bearer ${admin}` } });
    const body = (await res.json().catch(() => ({}))) as T & { message?: string };
    if (!res.ok) throw new Error(body.message ?? `the running Airlock answered ${res.status}`);
    return body;
  };
}

export async function runLogin(server: string, options: { home: string; browser: boolean; timeoutMs?: number; pollMs?: number }, io: LoginIo): Promise<number> {
  try {
    const call = await control(options.home, io);
    const { authorizationUrl } = await call<{ authorizationUrl: string }>('POST', `/servers/${encodeURIComponent(server)}/login`);
    io.out(`Sign in to "${server}" in your browser:\n  ${authorizationUrl}`);
    if (options.browser) (io.openBrowser ?? openInBrowser)(authorizationUrl);
    io.out('Waiting for the sign-in to finish…');
    const deadline = Date.now() + (options.timeoutMs ?? 11 * 60_000);
    while (Date.now() < deadline) {
      const servers = await call<ServerStatus[]>('GET', '/servers');
      const signIn = servers.find((s) => s.name === server)?.signIn;
      if (signIn?.state === 'ready') {
        io.out(`Signed in to "${server}"${signIn.issuer ? ` (${signIn.issuer})` : ''}.`);
        return 0;
      }
      if (signIn?.state === 'sign_in_failed') {
        io.err(`airlock: sign-in to "${server}" failed: ${signIn.error ?? 'unknown error'}`);
        return 1;
      }
      if (signIn?.state === 'needs_sign_in') {
        io.err(`airlock: sign-in to "${server}" did not finish: ${signIn.reason ?? 'it was stopped'}`);
        return 1;
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
    }
    io.err(`airlock: sign-in to "${server}" timed out: the browser did not come back to Airlock`);
    return 1;
  } catch (err) {
    io.err(`airlock: ${(err as Error).message}`);
    return 1;
  }
}

export async function runLogout(server: string, options: { home: string }, io: LoginIo): Promise<number> {
  try {
    const call = await control(options.home, io);
    await call('POST', `/servers/${encodeURIComponent(server)}/logout`);
    io.out(`Signed out of "${server}": its tokens are forgotten.`);
    return 0;
  } catch (err) {
    io.err(`airlock: ${(err as Error).message}`);
    return 1;
  }
}
