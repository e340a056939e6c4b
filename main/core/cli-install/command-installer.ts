/**
 * Putting the `airlock` command on PATH, the way VS Code's "Install 'code' command" does:
 * a small launcher in a per-user bin folder that runs this Airlock (no admin rights, no
 * shell profile edits). Installing again rewrites only our own launcher; a file of that
 * name that Airlock did not write is left alone. Used by `airlock install-cli` and by the
 * desktop app's tray menu.
 */
import { constants } from 'node:fs';
import { access, chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join, resolve, win32 } from 'node:path';
import type { SelfCommand } from '../upstream/command-resolver.ts';

/** The first lines of every launcher we write: how a later install knows the file is ours. */
export const LAUNCHER_MARK = 'airlock command launcher, written by Airlock (airlock install-cli); safe to delete';

export interface CommandInstallTarget {
  /** The folder the launcher goes into. */
  dir: string;
  /** The launcher's full path (`airlock`, or `airlock.cmd` on Windows). */
  path: string;
}

export type InstallOutcome = 'installed' | 'updated' | 'unchanged';

export interface CommandInstallResult extends CommandInstallTarget {
  outcome: InstallOutcome;
  /** Whether `dir` is one of the PATH folders of the environment we were given. */
  onPath: boolean;
  /** Another `airlock` that a shell would find first on that PATH, if any. */
  shadowedBy?: string;
}

export class CommandInstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandInstallError';
  }
}

export interface InstallOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Replace a file of that name even if Airlock did not write it. */
  force?: boolean;
}

/** `~/.local/bin` (the XDG user bin folder, also fine on macOS); `%LOCALAPPDATA%\Airlock\bin` on Windows. */
export function commandInstallTarget(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home = homedir()): CommandInstallTarget {
  if (platform === 'win32') {
    const dir = win32.join(env.LOCALAPPDATA ?? win32.join(home, 'AppData', 'Local'), 'Airlock', 'bin');
    return { dir, path: win32.join(dir, 'airlock.cmd') };
  }
  const dir = join(home, '.local', 'bin');
  return { dir, path: join(dir, 'airlock') };
}

function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function cmdQuote(value: string): string {
  // cmd.exe: double quotes around each word; a literal % would start a variable.
  return `"${value.replace(/%/g, '%%').replace(/"/g, '""')}"`;
}

/** The launcher's text: runs `self` with the arguments it was given. */
export function launcherScript(self: SelfCommand, platform: NodeJS.Platform = process.platform): string {
  const words = [self.command, ...self.args];
  const env = Object.entries(self.env ?? {});
  if (platform === 'win32') {
    const sets = env.map(([k, v]) => `set "${k}=${v.replace(/%/g, '%%')}"\r\n`).join('');
    return `@echo off\r\nrem ${LAUNCHER_MARK}\r\n${env.length > 0 ? 'setlocal\r\n' : ''}${sets}${words.map(cmdQuote).join(' ')} %*\r\n`;
  }
  const exports = env.map(([k, v]) => `export ${k}=${shQuote(v)}\n`).join('');
  return `#!/bin/sh\n# ${LAUNCHER_MARK}\n${exports}exec ${words.map(shQuote).join(' ')} "$@"\n`;
}

function pathDirs(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  const value = platform === 'win32' ? (env.Path ?? env.PATH ?? '') : (env.PATH ?? '');
  const sep = platform === 'win32' ? ';' : delimiter;
  return value.split(sep).filter(Boolean);
}

function samePath(a: string, b: string, platform: NodeJS.Platform): boolean {
  if (platform === 'win32') return win32.resolve(a).toLowerCase() === win32.resolve(b).toLowerCase();
  return resolve(a) === resolve(b);
}

async function executableIn(dir: string, platform: NodeJS.Platform, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const names = platform === 'win32' ? (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').map((ext) => `airlock${ext.toLowerCase()}`) : ['airlock'];
  for (const name of names) {
    const file = platform === 'win32' ? win32.join(dir, name) : join(dir, name);
    try {
      await access(file, platform === 'win32' ? constants.F_OK : constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Writes (or refreshes) the launcher and reports where it is and whether a shell finds it. */
export async function installCommand(self: SelfCommand, options: InstallOptions = {}): Promise<CommandInstallResult> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const target = commandInstallTarget(platform, env, options.home ?? homedir());
  const script = launcherScript(self, platform);

  let existing: string | undefined;
  try {
    existing = await readFile(target.path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new CommandInstallError(`cannot read ${target.path}: ${(err as Error).message}`);
  }
  if (existing !== undefined && !existing.includes(LAUNCHER_MARK) && !options.force) {
    throw new CommandInstallError(`${target.path} already exists and was not written by Airlock; left it as it is (remove it, or install with --force to replace it)`);
  }
  const outcome: InstallOutcome = existing === undefined ? 'installed' : existing === script ? 'unchanged' : 'updated';
  if (outcome !== 'unchanged') {
    try {
      await mkdir(target.dir, { recursive: true });
      await writeFile(target.path, script, { mode: 0o755 });
      if (platform !== 'win32') await chmod(target.path, 0o755);
    } catch (err) {
      throw new CommandInstallError(`cannot write ${target.path}: ${(err as Error).message}`);
    }
  } else if (platform !== 'win32') {
    // Same text but perhaps not executable any more: making sure costs nothing.
    await chmod(target.path, 0o755).catch(() => undefined);
  }

  const dirs = pathDirs(platform, env);
  const index = dirs.findIndex((d) => samePath(d, target.dir, platform));
  let shadowedBy: string | undefined;
  for (const dir of index >= 0 ? dirs.slice(0, index) : []) {
    const found = await executableIn(dir, platform, env);
    if (found) {
      shadowedBy = found;
      break;
    }
  }
  return { ...target, outcome, onPath: index >= 0, ...(shadowedBy !== undefined && { shadowedBy }) };
}

/** What to tell the person, one statement a line. */
export function describeInstall(result: CommandInstallResult, platform: NodeJS.Platform = process.platform): string[] {
  const did = { installed: `Installed the airlock command: ${result.path}`, updated: `Updated the airlock command: ${result.path}`, unchanged: `The airlock command is already installed: ${result.path}` }[result.outcome];
  const lines = [did];
  if (!result.onPath) {
    lines.push(`${result.dir} is not on your PATH, so a shell will not find it yet.`);
    lines.push(
      platform === 'win32'
        ? `Add it to your user PATH (Settings > System > About > Advanced system settings > Environment Variables), or in PowerShell: [Environment]::SetEnvironmentVariable('Path', "$env:Path;${result.dir}", 'User')`
        : `Add it to your shell profile (e.g. ~/.profile or ~/.zshrc): export PATH="${result.dir}:$PATH", then open a new terminal.`,
    );
  } else if (result.shadowedBy) {
    lines.push(`${result.dir} is on your PATH, but ${result.shadowedBy} comes first there: remove that one or put ${result.dir} earlier.`);
  } else {
    lines.push(`${result.dir} is on your PATH: \`airlock\` works in any new terminal.`);
  }
  return lines;
}
