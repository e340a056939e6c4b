/**
 * `npm start`: the desktop app when Electron can run here, else `airlock serve` (see
 * start-decision.ts). Fetches the Electron binary first when it was never downloaded.
 * Arguments after `--` go to either, e.g. `npm start -- --home DIR`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decideStart, downloadFailure, downloadMessage, fallbackMessage, findElectronBinary, type ElectronBinary } from './start-decision.ts';

export type DownloadResult = { ok: true } | { ok: false; problem: string };

/** What `npm start` does to the machine, injected so each path can be tested. */
export interface StartDeps {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  stderr(text: string): void;
  electronVersion(): string;
  locate(): ElectronBinary;
  download(): Promise<DownloadResult>;
  /** Builds the main-process bundles; returns a problem, or undefined when built. */
  build(): string | undefined;
  launch(binary: string): void;
  serve(): Promise<void>;
}

export async function runStart(deps: StartDeps): Promise<'electron' | 'serve'> {
  const serveInstead = async (reason: string) => {
    deps.stderr(fallbackMessage(reason));
    await deps.serve();
    return 'serve' as const;
  };
  let decision = decideStart({ platform: deps.platform, env: deps.env, binary: deps.locate() });
  if (decision.kind === 'download') {
    deps.stderr(downloadMessage(deps.electronVersion()));
    const result = await deps.download();
    if (!result.ok) return serveInstead(result.problem);
    const binary = deps.locate();
    if (binary.kind !== 'found') return serveInstead('the Electron download finished but its binary is still missing');
    decision = { kind: 'electron', binary: binary.path };
  }
  if (decision.kind === 'serve') return serveInstead(decision.reason);
  const buildProblem = deps.build();
  if (buildProblem) return serveInstead(buildProblem);
  deps.launch(decision.binary);
  return 'electron';
}

/** The real machine: the project's files, Electron's own installer, the real CLI. */
export function systemDeps(root: string, args: string[]): StartDeps {
  const electronPkg = join(root, 'node_modules', 'electron');
  return {
    platform: process.platform,
    env: process.env,
    stderr: (text) => process.stderr.write(text),
    electronVersion: () => (JSON.parse(readFileSync(join(electronPkg, 'package.json'), 'utf8')) as { version: string }).version,
    locate: () => findElectronBinary(root),
    // The package's own installer (what `npx install-electron` runs): it honours Electron's
    // mirror, cache and proxy settings from the environment.
    download: () =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [join(electronPkg, 'install.js')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (d: Buffer) => (output += d.toString()));
        child.stderr.on('data', (d: Buffer) => (output += d.toString()));
        child.once('error', (err) => resolve({ ok: false, problem: downloadFailure(err.message, null) }));
        child.once('close', (status) => resolve(status === 0 ? { ok: true } : { ok: false, problem: downloadFailure(output, status) }));
      }),
    build: () => {
      const result = spawnSync(process.execPath, [join(root, 'scripts', 'build-electron.ts')], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
      if (result.status === 0) return undefined;
      return `building the desktop bundles failed: ${(result.stderr || result.error?.message || `exit ${result.status}`).trim()}`;
    },
    launch: (binary) => {
      const env = { ...process.env };
      // Electron must start as itself, not as the plain Node this variable would make of it.
      delete env.ELECTRON_RUN_AS_NODE;
      // The project folder: Electron runs its package.json's `main` (dist/electron/main.cjs).
      const child = spawn(binary, [root, ...args], { cwd: root, stdio: 'inherit', env });
      child.once('error', (err) => {
        process.stderr.write(fallbackMessage(`the Electron binary could not be started (${err.message})`));
        void import('../cli.ts').then(({ main }) => main([process.argv[0]!, 'airlock', 'serve', ...args]));
      });
      child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
    },
    serve: async () => {
      const { main } = await import('../cli.ts');
      await main([process.argv[0]!, 'airlock', 'serve', ...args]);
    },
  };
}

if (import.meta.main) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  await runStart(systemDeps(root, process.argv.slice(2)));
}
