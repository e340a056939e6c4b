/**
 * The jobs the app binary runs without a window (see launch-mode.ts): the stdio bridge
 * that Claude Desktop spawns, and the demo server. They behave like `airlock connect` and
 * `airlock demo-server`, and end the process themselves: an Electron process does not exit
 * when its event loop runs dry.
 */
import { runConnect, type ConnectIo } from '../core/bridge/connect.ts';
import type { LaunchMode } from './launch-mode.ts';

export type HeadlessIo = ConnectIo;
export { runConnect };

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
      return runConnect(mode.server, mode.home, io, mode.client);
    case 'demo-server':
      return runDemoServer(io);
    case 'invalid':
      io.stderr(`airlock: ${mode.message}`);
      return io.exit(2);
  }
}
