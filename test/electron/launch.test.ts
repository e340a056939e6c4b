/**
 * How the app binary and `npm start` decide what to run: argv decides between the desktop
 * app and the headless jobs (the stdio bridge Claude Desktop spawns); the Electron binary
 * and a display decide between the desktop app and `airlock serve`. Without the binary,
 * `npm start` says why and serves the browser UI instead (checked for real at the end).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLaunchMode } from '../../main/electron/launch-mode.ts';
import { decideStart, findElectronBinary, hasDisplay } from '../../main/electron/start-decision.ts';
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
  const binary = { path: '/repo/node_modules/electron/dist/electron' };

  it('starts Electron when the binary and a display are there', () => {
    expect(decideStart({ platform: 'linux', env: { DISPLAY: ':0' }, binary })).toEqual({ kind: 'electron', binary: binary.path });
    expect(decideStart({ platform: 'linux', env: { WAYLAND_DISPLAY: 'wayland-0' }, binary }).kind).toBe('electron');
    expect(decideStart({ platform: 'darwin', env: {}, binary }).kind).toBe('electron');
    expect(decideStart({ platform: 'win32', env: {}, binary }).kind).toBe('electron');
  });

  it('serves headless, saying why, without the binary, without a display, or when asked to', () => {
    expect(decideStart({ platform: 'darwin', env: {}, binary: { problem: 'the Electron binary is not installed' } })).toEqual({ kind: 'serve', reason: 'the Electron binary is not installed' });
    expect(decideStart({ platform: 'linux', env: {}, binary })).toEqual({ kind: 'serve', reason: expect.stringContaining('no display') });
    expect(decideStart({ platform: 'darwin', env: { AIRLOCK_HEADLESS: '1' }, binary })).toEqual({ kind: 'serve', reason: 'AIRLOCK_HEADLESS=1 is set' });
    expect(hasDisplay('linux', { DISPLAY: '' })).toBe(false);
  });

  it('finds the binary where the electron package records it, without requiring the package', () => {
    const root = tempHome('airlock-electron-pkg-');
    try {
      const pkg = join(root.dir, 'node_modules', 'electron');
      mkdirSync(join(pkg, 'dist'), { recursive: true });
      writeFileSync(join(pkg, 'package.json'), '{}');
      expect(findElectronBinary(root.dir, {})).toEqual({ problem: expect.stringContaining('ELECTRON_SKIP_BINARY_DOWNLOAD') });
      writeFileSync(join(pkg, 'path.txt'), 'electron');
      expect(findElectronBinary(root.dir, {})).toEqual({ problem: expect.stringContaining('is missing') });
      writeFileSync(join(pkg, 'dist', 'electron'), '');
      expect(findElectronBinary(root.dir, {})).toEqual({ path: join(pkg, 'dist', 'electron') });
      expect(findElectronBinary(root.dir, { ELECTRON_OVERRIDE_DIST_PATH: '/nowhere' })).toEqual({ problem: expect.stringContaining('/nowhere') });
    } finally {
      root.cleanup();
    }
  });

  it('reports this machine as it is: no Electron binary installed', () => {
    expect(findElectronBinary(repoRoot, {})).toHaveProperty('problem');
  });

  it('`npm start`\'s script falls back to `airlock serve` with a clear message when Electron cannot run', async () => {
    const home = tempHome('airlock-electron-start-');
    const child = spawn(process.execPath, [join(repoRoot, 'main', 'electron', 'start.ts'), '--home', home.dir, '--port', '0'], {
      cwd: repoRoot,
      env: { ...process.env, AIRLOCK_HOME: '', DISPLAY: '', WAYLAND_DISPLAY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await waitFor(() => stdout.includes('UI:'), 20_000, 'the headless server to start');
      expect(stderr).toContain('airlock: not starting the desktop app: ');
      expect(stderr).toContain('starting `airlock serve` with the browser UI instead');
      expect(stdout).toContain('is running');
      expect(stdout).toContain(`home:  ${home.dir}`);
      // The first run works as a newcomer expects: the demo image server comes up.
      const url = /UI:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!;
      const admin = (JSON.parse(readFileSync(join(home.dir, 'auth.json'), 'utf8')) as { adminToken: string }).adminToken;
      const demo = await waitFor(async () => {
        const res = await fetch(`${url}/api/servers`, { headers: { authorization: `Bearer ${admin}` } });
        const [server] = (await res.json()) as Array<{ name: string; state: string; error?: string }>;
        return server && server.state !== 'starting' ? server : undefined;
      }, 20_000, 'the demo server to start');
      expect(demo).toMatchObject({ name: 'demo-images', state: 'ready' });
    } finally {
      const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`code ${code} signal ${signal}`)));
      child.kill('SIGTERM');
      expect(await exited, stderr).toBe('code 0 signal null');
      home.cleanup();
    }
  });
});
