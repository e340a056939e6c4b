/**
 * `airlock connect <server>` as a job, shared by the CLI and the packaged app's binary
 * (which Claude Desktop spawns): finds the running Airlock of a home and bridges stdio to
 * its endpoint. Without a running Airlock it fails closed: no policy, so no connection.
 * The reason goes to stderr and, as a JSON-RPC error, to the client's first request.
 */
import type { Readable, Writable } from 'node:stream';
import { loadOrCreateAuth } from '../home/auth.ts';
import { homePaths, resolveHomeDir } from '../home/home.ts';
import { readRuntimeInfo } from '../home/runtime-file.ts';
import { refuseFirstRequest } from './bridge-errors.ts';
import { loopbackFetch } from './loopback-fetch.ts';
import { startStdioBridge } from './stdio-bridge.ts';
import { verifiedFetch, verifyAirlock } from './verify-airlock.ts';

export interface ConnectIo {
  stderr(line: string): void;
  exit(code: number): void;
  env: NodeJS.ProcessEnv;
  /** The client's side; process.stdin and process.stdout by default. */
  stdin?: Readable;
  stdout?: Writable;
}

/** Says why on stderr and to the client, then exits 1 (see bridge-errors.ts). */
function failClosed(message: string, io: ConnectIo): void {
  io.stderr(`airlock connect: ${message}`);
  refuseFirstRequest(message, { stdin: io.stdin ?? process.stdin, stdout: io.stdout ?? process.stdout, exit: io.exit });
}

/**
 * `client`: the name of the client's own token in auth.json (`airlock protect` writes it
 * into the entry), so the caller is that client; without one, the shared MCP token.
 */
export async function runConnect(server: string, home: string | undefined, io: ConnectIo, client?: string): Promise<void> {
  const dir = resolveHomeDir(home, io.env);
  const paths = homePaths(dir);
  const runtime = readRuntimeInfo(paths.runtime);
  if (!runtime) {
    return failClosed(`no Airlock is running for home ${dir}; start the Airlock app or \`airlock serve\` first (calls are never sent around it)`, io);
  }
  let token = io.env.AIRLOCK_MCP_TOKEN;
  if (!token) {
    try {
      const auth = loadOrCreateAuth(paths.auth);
      token = (client !== undefined ? auth.clients[client] : undefined) ?? auth.mcpToken;
    } catch (err) {
      return failClosed((err as Error).message, io);
    }
  }
  try {
    await verifyAirlock(runtime, token);
  } catch (err) {
    io.stderr(`airlock: ${(err as Error).message}`);
    return io.exit(1);
  }
  try {
    await startStdioBridge({
      url: new URL(`/mcp/${encodeURIComponent(server)}`, runtime.url),
      token,
      fetch: verifiedFetch(runtime, token, { runtimeFile: paths.runtime, base: loopbackFetch() }),
      onEnd: (error) => {
        if (error) io.stderr(`airlock connect: ${error.message}`);
        io.exit(error ? 1 : 0);
      },
    });
  } catch (err) {
    failClosed((err as Error).message, io);
  }
}
