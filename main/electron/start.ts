/**
 * `npm start`: the desktop app when Electron can run here, else `airlock serve` (see
 * start-decision.ts). Arguments after `--` go to either, e.g. `npm start -- --home DIR`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decideStart, fallbackMessage, findElectronBinary } from './start-decision.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);

async function serveInstead(reason: string): Promise<void> {
  process.stderr.write(fallbackMessage(reason));
  const { main } = await import('../cli.ts');
  await main([process.argv[0]!, 'airlock', 'serve', ...args]);
}

function buildBundles(): string | undefined {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'build-electron.ts')], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.status === 0) return undefined;
  return `building the desktop bundles failed: ${(result.stderr || result.error?.message || `exit ${result.status}`).trim()}`;
}

async function start(): Promise<void> {
  const decision = decideStart({ platform: process.platform, env: process.env, binary: findElectronBinary(root) });
  if (decision.kind === 'serve') return serveInstead(decision.reason);
  const buildProblem = buildBundles();
  if (buildProblem) return serveInstead(buildProblem);
  const env = { ...process.env };
  // Electron must start as itself, not as the plain Node this variable would make of it.
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(decision.binary, [root, ...args], { cwd: root, stdio: 'inherit', env });
  child.once('error', (err) => void serveInstead(`the Electron binary could not be started (${err.message})`));
  child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
}

await start();
