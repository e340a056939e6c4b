/**
 * How the app binary and `npm start` decide what to run: argv decides between the desktop
 * app and the headless jobs (the stdio bridge Claude Desktop spawns); the Electron binary
 * and a display decide between the desktop app and `airlock serve`. A binary that was never
 * downloaded is fetched first. The Electron binary itself is a stand-in here (a script that
 * records how it was started, supplied the way a prebuilt Electron is); whether this
 * machine's install has the real one does not change any result.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLaunchMode } from '../../main/electron/launch-mode.ts';
import { runStart, type DownloadResult, type StartDeps } from '../../main/electron/start.ts';
import { decideStart, findElectronBinary, hasDisplay, type ElectronBinary } from '../../main/electron/start-decision.ts';
import { repoRoot, tempHome, waitFor } from '../helpers/harness.ts';

describe('launch mode of the app binary', () => {
  it('is the desktop app by default, whatever Chromium switches come along', () => {
    expect(parseLaunchMode(['/opt/Airlock/airlock-desktop'])).toEqual({ kind: 'app' });
    expect(parseLaunchMode(['/usr/bin/electron', '/repo', '--hidden', '--enable-logging'])).toEqual({ kind: 'app' });
    expect(parseLaunchMode(['/opt/Airlock/airlock-desktop', '--home', '/tmp/h'])).toEqual({ kind: 'app', home: '/tmp/h' });
  });

  it('is the stdio bridge with --airlock-connect <server> (what Claude Desktop runs)', () => {
    expect(parseLaunchMode(['/Applications/Airlock.app/Contents/MacOS/Airlock', '--airlock-connect', 'demo-images'])).toEqual({ kind: 'connect', server: 'demo-images' });
    expect(parseLaunchMode(['Airlock.exe', '--airlock-connect=fs', '--home', 'C:\\h'])).toEqual({ kind: 'connect', server: 'fs', home: 'C:\\h' });
    expect(parseLaunchMode(['electron', '/repo', '--airlock-cli', 'connect', 'x', '--home=/h'])).toEqual({ kind: 'connect', server: 'x', home: '/h' });
    // What `airlock protect` writes: the client's named token is sent.
    expect(parseLaunchMode(['Airlock', '--airlock-cli', 'connect', 'x', '--home', '/h', '--client', 'claude-desktop'])).toEqual({ kind: 'connect', server: 'x', home: '/h', client: 'claude-desktop' });
    expect(parseLaunchMode(['Airlock', '--airlock-cli', 'connect', 'x', '--client']).kind).toBe('invalid');
  });

  it('runs the demo server for config entries whose command is `airlock`', () => {
    expect(parseLaunchMode(['Airlock', '--airlock-cli', 'demo-server'])).toEqual({ kind: 'demo-server' });
  });

  it('refuses anything else instead of guessing', () => {
    expect(parseLaunchMode(['Airlock', '--airlock-connect']).kind).toBe('invalid');
    expect(parseLaunchMode(['Airlock', '--airlock-cli', 'serve']).kind).toBe('invalid');
    expect(parseLaunchMode(['Airlock', '--airlock-connect', 'a', 'b']).kind).toBe('invalid');
  });
});

describe('npm start decision', () => {
  const binary: ElectronBinary = { kind: 'found', path: '/repo/node_modules/electron/dist/electron' };

  it('starts Electron when the binary and a display are there', () => {
    expect(decideStart({ platform: 'linux', env: { DISPLAY: ':0' }, binary })).toEqual({ kind: 'electron', binary: '/repo/node_modules/electron/dist/electron' });
    expect(decideStart({ platform: 'linux', env: { WAYLAND_DISPLAY: 'wayland-0' }, binary }).kind).toBe('electron');
    expect(decideStart({ platform: 'darwin', env: {}, binary }).kind).toBe('electron');
    expect(decideStart({ platform: 'win32', env: {}, binary }).kind).toBe('electron');
  });

  it('downloads a binary that was never fetched, but only where a window could be shown', () => {
    expect(decideStart({ platform: 'linux', env: { DISPLAY: ':0' }, binary: { kind: 'missing' } })).toEqual({ kind: 'download' });
    expect(decideStart({ platform: 'darwin', env: {}, binary: { kind: 'missing' } })).toEqual({ kind: 'download' });
    expect(decideStart({ platform: 'linux', env: {}, binary: { kind: 'missing' } })).toEqual({ kind: 'serve', reason: expect.stringContaining('no display') });
  });

  it('serves headless, saying why, without a usable binary, without a display, or when asked to', () => {
    expect(decideStart({ platform: 'darwin', env: {}, binary: { kind: 'unavailable', problem: 'the electron package is not installed' } })).toEqual({ kind: 'serve', reason: 'the electron package is not installed' });
    expect(decideStart({ platform: 'linux', env: {}, binary })).toEqual({ kind: 'serve', reason: expect.stringContaining('no display') });
    expect(decideStart({ platform: 'darwin', env: { AIRLOCK_HEADLESS: '1' }, binary })).toEqual({ kind: 'serve', reason: 'AIRLOCK_HEADLESS=1 is set' });
    expect(hasDisplay('linux', { DISPLAY: '' })).toBe(false);
  });

  it('finds the binary where the electron package records it, and honours ELECTRON_OVERRIDE_DIST_PATH', () => {
    const root = tempHome('airlock-electron-pkg-');
    try {
      const pkg = join(root.dir, 'node_modules', 'electron');
      mkdirSync(join(pkg, 'dist'), { recursive: true });
      writeFileSync(join(pkg, 'package.json'), '{}');
      // Never downloaded: fetchable, and nobody is blamed for it.
      expect(findElectronBinary(root.dir, {}, existsSync, 'linux')).toEqual({ kind: 'missing' });
      expect(findElectronBinary(root.dir, { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, existsSync, 'linux')).toEqual({ kind: 'unavailable', problem: expect.stringContaining('ELECTRON_SKIP_BINARY_DOWNLOAD is set') });
      writeFileSync(join(pkg, 'path.txt'), 'electron');
      expect(findElectronBinary(root.dir, {}, existsSync, 'linux')).toEqual({ kind: 'missing' });
      writeFileSync(join(pkg, 'dist', 'electron'), '');
      expect(findElectronBinary(root.dir, {}, existsSync, 'linux')).toEqual({ kind: 'found', path: join(pkg, 'dist', 'electron') });

      const prebuilt = join(root.dir, 'prebuilt');
      expect(findElectronBinary(root.dir, { ELECTRON_OVERRIDE_DIST_PATH: prebuilt }, existsSync, 'linux')).toEqual({ kind: 'unavailable', problem: expect.stringContaining(`ELECTRON_OVERRIDE_DIST_PATH is set but ${join(prebuilt, 'electron')}`) });
      mkdirSync(prebuilt);
      writeFileSync(join(prebuilt, 'electron'), '');
      expect(findElectronBinary(root.dir, { ELECTRON_OVERRIDE_DIST_PATH: prebuilt }, existsSync, 'linux')).toEqual({ kind: 'found', path: join(prebuilt, 'electron') });
    } finally {
      root.cleanup();
    }
  });
});

describe('npm start with an injected downloader and a stand-in Electron binary', () => {
  /** A project folder whose electron package has no binary yet, and a record of what start did. */
  function machine(download: (pkg: string) => DownloadResult, env: NodeJS.ProcessEnv = { DISPLAY: ':0' }) {
    const root = tempHome('airlock-start-');
    const pkg = join(root.dir, 'node_modules', 'electron');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), '{"version":"45.4.1"}');
    const record = { stderr: '', downloads: 0, launched: [] as string[], served: 0 };
    const deps: StartDeps = {
      platform: 'linux',
      env,
      stderr: (text) => (record.stderr += text),
      electronVersion: () => '45.4.1',
      locate: () => findElectronBinary(root.dir, env, existsSync, 'linux'),
      download: async () => {
        record.downloads++;
        return download(pkg);
      },
      build: () => undefined,
      launch: (binary) => record.launched.push(binary),
      serve: async () => {
        record.served++;
      },
    };
    return { root, pkg, record, deps };
  }

  it('fetches a binary that was never downloaded, says so, then launches it', async () => {
    const m = machine((pkg) => {
      // What Electron's installer leaves behind: the unpacked binary and path.txt naming it.
      mkdirSync(join(pkg, 'dist'), { recursive: true });
      writeFileSync(join(pkg, 'dist', 'electron'), '');
      writeFileSync(join(pkg, 'path.txt'), 'electron');
      return { ok: true };
    });
    try {
      expect(await runStart(m.deps)).toBe('electron');
      expect(m.record.stderr).toBe('airlock: the Electron 45.4.1 binary is not downloaded yet; downloading it now (once, about 100 MB)...\n');
      expect(m.record.launched).toEqual([join(m.pkg, 'dist', 'electron')]);
      expect(m.record.served).toBe(0);
    } finally {
      m.root.cleanup();
    }
  });

  it('serves the browser UI when the download fails, saying so in one line and blaming no setting', async () => {
    const m = machine(() => ({ ok: false, problem: 'downloading the Electron binary failed (TypeError: fetch failed)' }));
    try {
      expect(await runStart(m.deps)).toBe('serve');
      const lines = m.record.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[1]).toBe('airlock: no desktop app because downloading the Electron binary failed (TypeError: fetch failed); starting `airlock serve` with the browser UI instead.');
      expect(m.record.stderr).not.toContain('ELECTRON_SKIP_BINARY_DOWNLOAD');
      expect(m.record).toMatchObject({ downloads: 1, launched: [], served: 1 });
    } finally {
      m.root.cleanup();
    }
  });

  it('does not download anything without a display: one line says why, then the browser UI', async () => {
    const m = machine(() => ({ ok: true }), {});
    try {
      expect(await runStart(m.deps)).toBe('serve');
      expect(m.record.stderr).toBe('airlock: no desktop app because there is no display to show windows on (neither DISPLAY nor WAYLAND_DISPLAY is set); starting `airlock serve` with the browser UI instead.\n');
      expect(m.record).toMatchObject({ downloads: 0, launched: [], served: 1 });
    } finally {
      m.root.cleanup();
    }
  });
});

describe('npm start, spawned as npm runs it', () => {
  function startScript(args: string[], env: NodeJS.ProcessEnv) {
    const child = spawn(process.execPath, [join(repoRoot, 'main', 'electron', 'start.ts'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, AIRLOCK_HOME: '', AIRLOCK_HEADLESS: '', ELECTRON_OVERRIDE_DIST_PATH: '', DISPLAY: '', WAYLAND_DISPLAY: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = { stdout: '', stderr: '' };
    child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
    const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`code ${code} signal ${signal}`)));
    return { child, out, exited };
  }

  it.skipIf(process.platform === 'win32')('launches a stand-in Electron binary supplied through ELECTRON_OVERRIDE_DIST_PATH with the app folder, when a display is set', async () => {
    const dir = tempHome('airlock-stub-electron-');
    try {
      const argvFile = join(dir.dir, 'argv.txt');
      // The stand-in records its arguments, one a line, and exits as a closed app would.
      const stub = join(dir.dir, 'electron');
      writeFileSync(stub, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${argvFile}'\n`);
      chmodSync(stub, 0o755);
      const run = startScript(['--home', join(dir.dir, 'home')], { ELECTRON_OVERRIDE_DIST_PATH: dir.dir, DISPLAY: ':99' });
      expect(await run.exited, run.out.stderr).toBe('code 0 signal null');
      expect(readFileSync(argvFile, 'utf8').split('\n').filter(Boolean)).toEqual([repoRoot, '--home', join(dir.dir, 'home')]);
      // Electron runs the folder's package.json `main`: the bundle start.ts has just built.
      const main = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { main: string }).main;
      expect(main).toBe('dist/electron/main.cjs');
      expect(existsSync(join(repoRoot, main))).toBe(true);
      expect(run.out.stderr).not.toContain('no desktop app');
    } finally {
      dir.cleanup();
    }
  });

  it('without a display serves the web UI and says why in one line', async () => {
    const home = tempHome('airlock-electron-start-');
    const run = startScript(['--home', home.dir, '--port', '0'], {});
    try {
      await waitFor(() => run.out.stdout.includes('UI:'), 20_000, 'the headless server to start');
      const notes = run.out.stderr.split('\n').filter((l) => l.startsWith('airlock: '));
      expect(notes).toEqual(['airlock: no desktop app because there is no display to show windows on (neither DISPLAY nor WAYLAND_DISPLAY is set); starting `airlock serve` with the browser UI instead.']);
      expect(run.out.stdout).toContain('is running');
      expect(run.out.stdout).toContain(`home:  ${home.dir}`);
      // The first run works as a newcomer expects: the demo image server comes up.
      const url = /UI:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(run.out.stdout)![1]!;
      const admin = (JSON.parse(readFileSync(join(home.dir, 'auth.json'), 'utf8')) as { adminToken: string }).adminToken;
      const demo = await waitFor(async () => {
        const res = await fetch(`${url}/api/servers`, { headers: { authorization: `Bearer ${admin}` } });
        const [server] = (await res.json()) as Array<{ name: string; state: string; error?: string }>;
        return server && server.state !== 'starting' ? server : undefined;
      }, 20_000, 'the demo server to start');
      expect(demo).toMatchObject({ name: 'demo-images', state: 'ready' });
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited, run.out.stderr).toBe('code 0 signal null');
      home.cleanup();
    }
  });
});
