/**
 * Finding the program of a stdio server. A desktop app started from the Dock, Finder or a
 * desktop launcher gets a minimal PATH (often /usr/bin:/bin), so `npx`, `uvx` or `node`
 * installed by Homebrew, nvm, volta or pipx are not found the way they are in a terminal.
 * We search the inherited PATH, then the usual install locations, then (once, lazily) the
 * PATH of the user's login shell.
 */
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';

/** How this Airlock runs itself: a config entry with command `airlock` means "this program". */
export interface SelfCommand {
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Arguments that run `airlock hook` alone, which starts faster (hook entries use them). */
  hookArgs?: string[];
}

function wellKnownDirs(platform: NodeJS.Platform): string[] {
  const home = homedir();
  if (platform === 'win32') {
    const appData = process.env.APPDATA ?? join(home, 'AppData', 'Roaming');
    return [join(appData, 'npm'), join(home, '.volta', 'bin'), join(home, '.cargo', 'bin'), join(home, '.local', 'bin')];
  }
  const dirs = [
    '/opt/homebrew/bin',
    '/opt/homebrew/sbin',
    '/usr/local/bin',
    '/usr/bin',
    '/bin',
    '/usr/sbin',
    '/sbin',
    '/snap/bin',
    join(home, '.local', 'bin'),
    join(home, '.volta', 'bin'),
    join(home, '.bun', 'bin'),
    join(home, '.cargo', 'bin'),
    join(home, '.deno', 'bin'),
    join(home, '.npm-global', 'bin'),
    join(home, 'Library', 'pnpm'),
    join(home, '.local', 'share', 'pnpm'),
  ];
  // nvm: prefer the newest installed Node.
  const nvm = join(process.env.NVM_DIR ?? join(home, '.nvm'), 'versions', 'node');
  try {
    const versions = readdirSync(nvm).sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
    for (const v of versions) dirs.push(join(nvm, v, 'bin'));
  } catch {
    // no nvm
  }
  return dirs;
}

let loginShellPath: string[] | undefined;

/** The PATH a login shell would set up (macOS/Linux); asked once, only when needed. */
function shellPath(platform: NodeJS.Platform): string[] {
  if (loginShellPath) return loginShellPath;
  loginShellPath = [];
  if (platform === 'win32') return loginShellPath;
  const shell = process.env.SHELL || '/bin/sh';
  try {
    const out = execFileSync(shell, ['-ilc', 'printf "__AIRLOCK_PATH__%s" "$PATH"'], {
      encoding: 'utf8',
      timeout: 3000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const marker = out.lastIndexOf('__AIRLOCK_PATH__');
    if (marker >= 0) loginShellPath = out.slice(marker + 16).trim().split(':').filter(Boolean);
  } catch {
    // a broken shell profile must not stop Airlock
  }
  return loginShellPath;
}

function isExecutable(file: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    if (platform !== 'win32') accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function candidates(dir: string, command: string, platform: NodeJS.Platform): string[] {
  if (platform !== 'win32') return [join(dir, command)];
  const exts = (process.env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean);
  return [join(dir, command), ...exts.map((ext) => join(dir, command + ext.toLowerCase()))];
}

function search(dirs: string[], command: string, platform: NodeJS.Platform): string | undefined {
  for (const dir of dirs) {
    for (const file of candidates(dir, command, platform)) if (isExecutable(file, platform)) return file;
  }
  return undefined;
}

export interface ResolvedCommand {
  command: string;
  args: string[];
  /** PATH to give the child, so `#!/usr/bin/env node` scripts find their interpreter too. */
  path: string;
  env?: Record<string, string>;
}

export class CommandNotFoundError extends Error {
  constructor(command: string, searched: string[]) {
    super(`command "${command}" not found (searched PATH and ${searched.length} usual install folders; give an absolute path in config.json)`);
    this.name = 'CommandNotFoundError';
  }
}

export function resolveCommand(
  command: string,
  args: string[],
  self: SelfCommand,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): ResolvedCommand {
  const inherited = (env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean);
  const known = wellKnownDirs(platform);
  const basePath = [...new Set([...inherited, ...known])];
  if (command === 'airlock') {
    return { command: self.command, args: [...self.args, ...args], path: basePath.join(delimiter), env: self.env };
  }
  if (isAbsolute(command) || command.includes('/') || (platform === 'win32' && command.includes('\\'))) {
    return { command, args, path: basePath.join(delimiter) };
  }
  let found = search(basePath, command, platform);
  let path = basePath;
  if (!found) {
    const fromShell = shellPath(platform);
    found = search(fromShell, command, platform);
    path = [...new Set([...basePath, ...fromShell])];
  }
  if (!found) throw new CommandNotFoundError(command, path);
  return { command: found, args, path: path.join(delimiter) };
}
