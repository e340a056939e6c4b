/**
 * `airlock install-cli` puts the command on PATH the way VS Code's `code` command does: a
 * launcher in the user's bin folder. Run for real with HOME in a temporary folder; the
 * launcher it writes is then run by the shell.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandInstallTarget, installCommand, launcherScript, LAUNCHER_MARK } from '../../main/core/cli-install/command-installer.ts';
import { cliPath, repoRoot, tempHome } from '../helpers/harness.ts';

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const basePath = '/usr/bin:/bin';

function installCli(home: string, path: string, ...args: string[]) {
  return spawnSync(process.execPath, [cliPath, 'install-cli', ...args], { env: { ...process.env, HOME: home, PATH: path, AIRLOCK_HOME: '' }, encoding: 'utf8' });
}

describe.skipIf(process.platform === 'win32')('airlock install-cli', () => {
  it('writes a launcher into ~/.local/bin that runs this airlock, and says the folder is not on PATH yet', () => {
    const home = tempHome('airlock-install-cli-');
    try {
      const run = installCli(home.dir, basePath);
      const bin = join(home.dir, '.local', 'bin');
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toBe(
        `Installed the airlock command: ${join(bin, 'airlock')}\n` +
          `${bin} is not on your PATH, so a shell will not find it yet.\n` +
          `Add it to your shell profile (e.g. ~/.profile or ~/.zshrc): export PATH="${bin}:$PATH", then open a new terminal.\n`,
      );
      expect(statSync(join(bin, 'airlock')).mode & 0o111).toBe(0o111);
      // A shell that has the folder on PATH now finds `airlock`, and it is this one.
      const out = execFileSync('/bin/sh', ['-c', 'airlock --version'], { env: { HOME: home.dir, PATH: `${bin}:${basePath}` }, encoding: 'utf8' });
      expect(out.trim()).toBe(version);
    } finally {
      home.cleanup();
    }
  });

  it('is idempotent, and says when the folder is on PATH', () => {
    const home = tempHome('airlock-install-cli-');
    try {
      const bin = join(home.dir, '.local', 'bin');
      expect(installCli(home.dir, `${bin}:${basePath}`).stdout).toBe(`Installed the airlock command: ${join(bin, 'airlock')}\n${bin} is on your PATH: \`airlock\` works in any new terminal.\n`);
      const before = readFileSync(join(bin, 'airlock'), 'utf8');
      const again = installCli(home.dir, `${bin}:${basePath}`);
      expect(again.status).toBe(0);
      expect(again.stdout.split('\n')[0]).toBe(`The airlock command is already installed: ${join(bin, 'airlock')}`);
      expect(readFileSync(join(bin, 'airlock'), 'utf8')).toBe(before);
    } finally {
      home.cleanup();
    }
  });

  it('leaves a file of that name alone unless Airlock wrote it (or --force)', () => {
    const home = tempHome('airlock-install-cli-');
    try {
      const bin = join(home.dir, '.local', 'bin');
      mkdirSync(bin, { recursive: true });
      writeFileSync(join(bin, 'airlock'), '#!/bin/sh\necho mine\n');
      const refused = installCli(home.dir, basePath);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toBe(`airlock: ${join(bin, 'airlock')} already exists and was not written by Airlock; left it as it is (remove it, or install with --force to replace it)\n`);
      expect(readFileSync(join(bin, 'airlock'), 'utf8')).toBe('#!/bin/sh\necho mine\n');
      const forced = installCli(home.dir, basePath, '--force');
      expect(forced.status, forced.stderr).toBe(0);
      expect(readFileSync(join(bin, 'airlock'), 'utf8')).toContain(LAUNCHER_MARK);
    } finally {
      home.cleanup();
    }
  });

  it('an older launcher of ours is updated to the current command', async () => {
    const home = tempHome('airlock-install-cli-');
    try {
      const first = await installCommand({ command: '/old/node', args: ['/old/cli.ts'] }, { home: home.dir, env: { PATH: basePath } });
      expect(first.outcome).toBe('installed');
      const second = await installCommand({ command: process.execPath, args: [cliPath] }, { home: home.dir, env: { PATH: basePath } });
      expect(second.outcome).toBe('updated');
      expect(readFileSync(second.path, 'utf8')).toContain(`exec '${process.execPath}' '${cliPath}' "$@"`);
    } finally {
      home.cleanup();
    }
  });

  it('says when another airlock earlier on PATH would be found first', async () => {
    const home = tempHome('airlock-install-cli-');
    try {
      const other = join(home.dir, 'other');
      mkdirSync(other);
      writeFileSync(join(other, 'airlock'), '#!/bin/sh\n');
      chmodSync(join(other, 'airlock'), 0o755);
      const bin = join(home.dir, '.local', 'bin');
      const result = await installCommand({ command: process.execPath, args: [cliPath] }, { home: home.dir, env: { PATH: `${other}:${bin}` } });
      expect(result).toMatchObject({ onPath: true, shadowedBy: join(other, 'airlock') });
    } finally {
      home.cleanup();
    }
  });
});

describe('the launcher on each platform', () => {
  it('quotes the command for sh, including spaces and quotes', () => {
    expect(launcherScript({ command: "/Apps/My Airlock/it's", args: ['--airlock-cli'] }, 'linux')).toBe(
      `#!/bin/sh\n# ${LAUNCHER_MARK}\nexec '/Apps/My Airlock/it'\\''s' '--airlock-cli' "$@"\n`,
    );
  });

  it('is airlock.cmd under %LOCALAPPDATA% on Windows, quoting for cmd.exe', () => {
    expect(commandInstallTarget('win32', { LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' }, 'C:\\Users\\me')).toEqual({
      dir: 'C:\\Users\\me\\AppData\\Local\\Airlock\\bin',
      path: 'C:\\Users\\me\\AppData\\Local\\Airlock\\bin\\airlock.cmd',
    });
    expect(launcherScript({ command: 'C:\\Program Files\\Airlock\\Airlock.exe', args: ['--airlock-cli'] }, 'win32')).toBe(
      `@echo off\r\nrem ${LAUNCHER_MARK}\r\n"C:\\Program Files\\Airlock\\Airlock.exe" "--airlock-cli" %*\r\n`,
    );
  });

  it('is ~/.local/bin/airlock on Linux and macOS', () => {
    expect(commandInstallTarget('darwin', {}, '/Users/me')).toEqual({ dir: '/Users/me/.local/bin', path: '/Users/me/.local/bin/airlock' });
  });
});
