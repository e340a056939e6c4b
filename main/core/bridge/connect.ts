/**
 * `airlock connect <server>` as a job, shared by the CLI and the packaged app's binary
 * (which Claude Desktop spawns): finds the running Airlock of a home and bridges stdio to
 * its endpoint. Without a running Airlock it fails closed: no policy, so no connection.
 */
import { loadOrCreateAuth } from '../home/auth.ts';
import { homePaths, resolveHomeDir } from '../home/home.ts';
import { readRuntimeInfo } from '../home/runtime-file.ts';
import { startStdioBridge } from './stdio-bridge.ts';
import { verifiedFetch, verifyAirlock } from './verify-airlock.ts';

export interface ConnectIo {
  stderr(line: string): void;
  exit(code: number): void;
  env: NodeJS.ProcessEnv;
}

export async function runConnect(server: string, home: string | undefined, io: ConnectIo): Promise<void> {
  const dir = resolveHomeDir(home, io.env);
  const paths = homePaths(dir);
  const runtime = readRuntimeInfo(paths.runtime);
  if (!runtime) {
    io.stderr(`airlock: no Airlock is running for home ${dir}; start the Airlock app or \`airlock serve\` first (calls are never sent around it)`);
    return io.exit(1);
  }
  let token = io.env.AIRLOCK_MCP_TOKEN;
  if (!token) {
    try {
      token = loadOrCreateAuth(paths.auth).mcpToken;
    } catch (err) {
      io.stderr(`airlock: ${(err as Error).message}`);
      return io.exit(1);
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
      fetch: verifiedFetch(runtime, token),
      onEnd: (error) => {
        if (error) io.stderr(`airlock connect: ${error.message}`);
        io.exit(error ? 1 : 0);
      },
    });
  } catch (err) {
    io.stderr(`airlock connect: ${(err as Error).message}`);
    io.exit(1);
  }
}
