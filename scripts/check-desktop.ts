/**
 * `npm run check:desktop`: everything about the desktop app that can be verified on a
 * machine without the Electron binary or a display.
 *   1. the shell type-checks against the installed electron.d.ts, and lints
 *   2. the renderer, main and preload bundles build; the preload requires only `electron`
 *   3. the shell's unit tests (fake Electron factories, real core) pass
 *   4. electron-builder packs the app directory with a stub Electron; the asar holds the
 *      bundles and nothing else (no tests, no node_modules), and the fuses are flipped
 *   5. a static Electron security scan (Electronegativity) finds nothing of high severity
 *   6. `npm start` without the Electron binary falls back to `airlock serve`, saying why
 * Usage: node scripts/check-desktop.ts [--skip-tests]
 */
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectron } from './build-electron.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const work = mkdtempSync(join(tmpdir(), 'airlock-check-desktop-'));

/** Electronegativity runs through npx: as a dependency it would drag in an old eslint and TypeScript. */
const ELECTRONEGATIVITY = '@doyensec/electronegativity@1.10.3';
const ELECTRON_VERSION = '45.4.1';

class CheckFailed extends Error {}

function run(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, ...options });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) throw new CheckFailed(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${output.trim()}`);
  return String(result.stdout ?? '');
}

function node(args: string[], options: SpawnSyncOptions = {}): string {
  return run(process.execPath, args, options);
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

// ---------------------------------------------------------------------------------------

function typecheck(): string {
  node([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'main/electron/tsconfig.json', '--noEmit']);
  const electronTypes = join(root, 'node_modules', 'electron', 'electron.d.ts');
  assert(existsSync(electronTypes), 'node_modules/electron/electron.d.ts is missing');
  const version = (JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
  return `no errors against electron.d.ts of electron ${version}`;
}

function lint(): string {
  node([join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), 'main/electron', 'test/electron', 'scripts/build-electron.ts', 'scripts/build-icons.ts', 'scripts/check-desktop.ts']);
  return 'clean';
}

function buildRenderer(): string {
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  if (scripts['build:renderer']) run('npm', ['run', '--silent', 'build:renderer']);
  else node([join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build']);
  assert(existsSync(join(root, 'dist', 'renderer', 'index.html')), 'dist/renderer/index.html was not built');
  return 'dist/renderer/index.html';
}

async function buildShell(): Promise<string> {
  const { main } = await buildElectron();
  const preload = readFileSync(join(root, 'dist', 'electron', 'preload.cjs'), 'utf8');
  const requires = new Set([...preload.matchAll(/\brequire\s*\(([^)]*)\)/g)].map((m) => m[1]!.trim()));
  assert(requires.size === 1 && requires.has('"electron"'), `the preload requires ${[...requires].join(', ')}; only "electron" is allowed`);
  const exposed = [...preload.matchAll(/exposeInMainWorld\(\s*"([^"]+)"/g)].map((m) => m[1]);
  assert(exposed.length === 1 && exposed[0] === 'airlock', `the preload exposes ${exposed.join(', ') || 'nothing'}; expected only "airlock"`);
  // The UI's packages belong to the renderer bundle, never to the main process.
  const rendererOnly = Object.keys(main.inputs).filter((f) => /node_modules\/(react|react-dom|zustand|@codemirror|codemirror|@tanstack)\//.test(f) || f.startsWith('renderer/'));
  assert(rendererOnly.length === 0, `renderer code in the main bundle: ${rendererOnly.slice(0, 5).join(', ')}`);
  return 'dist/electron/main.cjs, dist/electron/preload.cjs (preload: require("electron") only, exposes "airlock" only)';
}

function unitTests(): string {
  const out = node([join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/electron', '--reporter=dot'], {
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  return out.split('\n').find((l) => /Tests\s+\d+ passed/.test(l))?.trim() ?? 'passed';
}

/**
 * A stand-in for the Electron binary: electron-builder only copies it, and @electron/fuses
 * looks for the fuse wire behind its sentinel, so the stub carries a wire in Electron's
 * default state. The flipped wire in the packed copy shows that the config's fuses apply.
 */
function stubElectronDist(): string {
  const dir = join(work, 'electron-dist');
  mkdirSync(dir, { recursive: true });
  const { SENTINEL } = require('@electron/fuses/dist/constants.js') as { SENTINEL: string };
  const defaults = Buffer.from('10110001', 'ascii'); // runAsNode, cookies, NODE_OPTIONS, inspect, integrity, asar-only, v8 snapshot, file://
  const body = Buffer.concat([Buffer.from('#!/bin/sh\necho "stub Electron for packaging checks" >&2\nexit 1\n#'), Buffer.from(SENTINEL), Buffer.from([1, defaults.length]), defaults, Buffer.from('\n')]);
  writeFileSync(join(dir, 'electron'), body);
  chmodSync(join(dir, 'electron'), 0o755);
  writeFileSync(join(dir, 'version'), ELECTRON_VERSION);
  return dir;
}

async function packagingSmoke(): Promise<string> {
  const out = join(work, 'packed');
  node(
    [
      join(root, 'node_modules', 'electron-builder', 'cli.js'),
      '--linux',
      '--x64',
      '--dir',
      '--publish',
      'never',
      `-c.electronDist=${stubElectronDist()}`,
      `-c.directories.output=${out}`,
    ],
    { env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CSC_IDENTITY_AUTO_DISCOVERY: 'false' } },
  );
  const appDir = join(out, 'linux-unpacked');
  const asarPath = join(appDir, 'resources', 'app.asar');
  assert(existsSync(asarPath), `no app.asar in ${appDir}`);
  const asar = require('@electron/asar') as { listPackage(path: string, options?: object): string[] };
  const files = asar.listPackage(asarPath).map((f) => f.replaceAll('\\', '/'));
  for (const needed of ['/package.json', '/dist/electron/main.cjs', '/dist/electron/preload.cjs', '/dist/renderer/index.html']) {
    assert(files.includes(needed), `the asar lacks ${needed}`);
  }
  assert(files.some((f) => /^\/dist\/renderer\/assets\/.+\.js$/.test(f)), 'the asar lacks the renderer scripts');
  const unwanted = files.filter((f) => /(^|\/)(test|tests|__tests__)\//.test(f) || /\.test\.[cm]?[jt]sx?$/.test(f) || f.includes('/node_modules') || f.endsWith('.map') || f.endsWith('.ts') || f.startsWith('/main/') || f.startsWith('/renderer/') || f.startsWith('/scripts/'));
  assert(unwanted.length === 0, `the asar holds files it must not: ${unwanted.slice(0, 8).join(', ')}`);

  const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses') as {
    getCurrentFuseWire(path: string): Promise<Record<string, number>>;
    FuseV1Options: Record<string, number>;
  };
  const executable = readdirSync(appDir).find((f) => f === 'airlock-desktop');
  assert(executable, `no airlock-desktop executable in ${appDir}: ${readdirSync(appDir).join(', ')}`);
  const wire = await getCurrentFuseWire(join(appDir, executable));
  const expected: Record<string, boolean> = {
    RunAsNode: false,
    EnableCookieEncryption: true,
    EnableNodeOptionsEnvironmentVariable: false,
    EnableNodeCliInspectArguments: false,
    EnableEmbeddedAsarIntegrityValidation: true,
    OnlyLoadAppFromAsar: true,
  };
  for (const [name, on] of Object.entries(expected)) {
    const state = wire[String(FuseV1Options[name])];
    assert(state === (on ? 49 : 48), `fuse ${name} is ${state === 49 ? 'on' : 'off'} in the packed binary; expected ${on ? 'on' : 'off'}`);
  }
  return `${files.length} entries in app.asar (main, preload, renderer, package.json; no tests, no node_modules); fuses: runAsNode off, cookie encryption on, asar integrity on, only-load-from-asar on`;
}

/** Electronegativity's network lookups (translations, Electron's release list) fail fast offline. */
const OFFLINE_GOT = `
const Module = require('node:module');
const load = Module._load;
const offline = () => Promise.reject(new Error('offline'));
offline.head = offline;
offline.get = offline;
Module._load = function (request, ...rest) { return request === 'got' ? offline : load.call(this, request, ...rest); };
`;

const SCAN = `
const [runner, input, version] = process.argv.slice(-3);
require(runner)({ input, electronVersionOverride: version, isRelative: true }).then((result) => {
  const issues = result.issues.map((i) => ({ id: i.id, severity: i.severity.name, confidence: i.confidence.name, file: i.file, line: i.location.line, review: Boolean(i.manualReview), description: i.description }));
  process.stdout.write('\\n@@RESULT@@' + JSON.stringify({ errors: result.errors.length, checks: result.globalChecks + result.atomicChecks, issues }));
}, (err) => { console.error(err); process.exit(1); });
`;

function securityScan(): string {
  // What the app's windows run and what configures them: the shell's sources and the built UI.
  const stage = join(work, 'scan');
  cpSync(join(root, 'main', 'electron'), join(stage, 'shell'), { recursive: true });
  cpSync(join(root, 'dist', 'renderer'), join(stage, 'renderer'), { recursive: true, filter: (src) => !src.endsWith('.map') });
  const located = run('npx', ['--yes', '-p', ELECTRONEGATIVITY, '-c', 'command -v electronegativity']).trim().split('\n').pop()!;
  const packageDir = dirname(dirname(realpathSync(located)));
  writeFileSync(join(work, 'offline-got.cjs'), OFFLINE_GOT);
  writeFileSync(join(work, 'scan.cjs'), SCAN);
  const out = node(['--require', join(work, 'offline-got.cjs'), join(work, 'scan.cjs'), join(packageDir, 'dist', 'runner.js'), stage, ELECTRON_VERSION]);
  const marker = out.lastIndexOf('@@RESULT@@');
  assert(marker >= 0, `the scan printed no result:\n${out}`);
  const result = JSON.parse(out.slice(marker + '@@RESULT@@'.length)) as {
    errors: number;
    checks: number;
    issues: Array<{ id: string; severity: string; confidence: string; file: string; line: number; review: boolean; description: string }>;
  };
  assert(result.checks > 30, `only ${result.checks} checks ran`);
  for (const issue of result.issues) {
    process.stdout.write(`    ${issue.severity.padEnd(13)} ${issue.confidence.padEnd(9)} ${issue.id} ${issue.file}:${issue.line}${issue.review ? ' (review required)' : ''}\n`);
  }
  const high = result.issues.filter((i) => i.severity === 'HIGH');
  assert(high.length === 0, `high-severity findings: ${high.map((i) => `${i.id} at ${i.file}:${i.line}`).join(', ')}`);
  return `${result.checks} checks, ${result.issues.length} findings, none of high severity`;
}

async function npmStartFallback(): Promise<string> {
  const home = join(work, 'home');
  const env: NodeJS.ProcessEnv = { ...process.env, AIRLOCK_HOME: '' };
  // As on a machine without a display: even an installed Electron binary could not show windows.
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const child = spawn('npm', ['start', '--silent', '--', '--home', home, '--port', '0'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 60_000;
    while (!stdout.includes('UI:')) {
      if (child.exitCode !== null) throw new CheckFailed(`npm start exited with ${child.exitCode}:\n${stdout}${stderr}`);
      if (Date.now() > deadline) throw new CheckFailed(`npm start did not come up in time:\n${stdout}${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const message = stderr.split('\n').find((l) => l.startsWith('airlock: no desktop app because'));
    // One line says why (no display here) and what runs instead.
    assert(message, `npm start did not say why it fell back:\n${stderr}`);
    assert(stderr.includes('starting `airlock serve` with the browser UI instead'), 'npm start did not say it serves the browser UI');
    const ui = stdout.split('\n').find((l) => l.includes('UI:'))!.trim();
    return `${message.replace('airlock: ', '')} → ${ui}`;
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  }
}

// ---------------------------------------------------------------------------------------

const steps: Array<[string, () => string | Promise<string>]> = [
  ['type-check the shell against electron.d.ts', typecheck],
  ['lint the shell', lint],
  ['build the renderer bundle', buildRenderer],
  ['build the main and preload bundles', buildShell],
  ...(process.argv.includes('--skip-tests') ? [] : [['unit tests of the shell (fake Electron, real core)', unitTests] as [string, () => string]]),
  ['packaging smoke: electron-builder --dir with a stub Electron', packagingSmoke],
  ['static security scan (Electronegativity)', securityScan],
  ['npm start without the Electron binary', npmStartFallback],
];

const started = Date.now();
let failed = false;
try {
  for (const [name, step] of steps) {
    const t = Date.now();
    process.stdout.write(`▶ ${name}\n`);
    try {
      const detail = await step();
      process.stdout.write(`  ✓ ${detail} (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
    } catch (err) {
      failed = true;
      process.stdout.write(`  ✗ ${err instanceof CheckFailed ? err.message : (err as Error).stack}\n`);
      break;
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(`${failed ? 'check:desktop FAILED' : 'check:desktop passed'} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
process.exit(failed ? 1 : 0);
