/**
 * The jobs the app binary runs without a window (see launch-mode.ts): the stdio bridge
 * that Claude Desktop spawns, and the demo server. They behave like `airlock connect` and
 * `airlock demo-server`, and end the process themselves: an Electron process does not exit
 * when its event loop runs dry.
 */
import { homePaths, resolveHomeDir } from '../core/home/home.ts';
import { loadOrCreateAuth } from '../core/home/auth.ts';
import { readRuntimeInfo } from '../core/home/runtime-file.ts';
import { startStdioBridge } from '../core/bridge/stdio-bridge.ts';
import type { LaunchMode } from './launch-mode.ts';

export interface HeadlessIo {
  stderr(line: string): void;
  exit(code: number): void;
  env: NodeJS.ProcessEnv;
}

export async function runConnect(server: string, home: string | undefined, io: HeadlessIo): Promise<void> {
  const dir = resolveHomeDir(home, io.env);
  const paths = homePaths(dir);
  const runtime = readRuntimeInfo(paths.runtime);
  if (!runtime) {
    // Fail closed: without a running Airlock there is no policy, so no connection at all.
    io.stderr(`airlock: no Airlock is running for home ${dir}; start the Airlock app first (calls are never sent around it)`);
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
    await startStdioBridge({
      url: new URL(`/mcp/${encodeURIComponent(server)}`, runtime.url),
      token,
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

export async function runDemoServer(io: HeadlessIo): Promise<void> {
  const { runDemoImageServer } = await import('../demo/image-server.ts');
  process.stdin.once('end', () => io.exit(0));
  try {
    await runDemoImageServer();
  } catch (err) {
    io.stderr(`airlock demo-server: ${(err as Error).message}`);
    io.exit(1);
  }
}

export async function runHeadless(mode: Exclude<LaunchMode, { kind: 'app' }>, io: HeadlessIo): Promise<void> {
  switch (mode.kind) {
    case 'connect':
      return runConnect(mode.server, mode.home, io);
    case 'demo-server':
      return runDemoServer(io);
    case 'invalid':
      io.stderr(`airlock: ${mode.message}`);
      return io.exit(2);
  }
}
