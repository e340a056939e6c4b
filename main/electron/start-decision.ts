/**
 * `npm start` decides between the desktop app and the headless server. The desktop app
 * needs the Electron binary and, on Linux, a display. The `electron` package (45 and
 * later) has no install script: it downloads its binary on the first `require('electron')`
 * or `npx install-electron`, so after `npm install` the binary is usually not there yet and
 * `npm start` fetches it. Without a display, or when the binary cannot be had, Airlock
 * still starts, headless with the browser UI, and says why in one line. Plain Node: runs
 * outside Electron.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type ElectronBinary =
  | { kind: 'found'; path: string }
  /** Not downloaded yet; `npm start` can fetch it into the package's dist/ folder. */
  | { kind: 'missing' }
  | { kind: 'unavailable'; problem: string };

export type StartDecision = { kind: 'electron'; binary: string } | { kind: 'download' } | { kind: 'serve'; reason: string };

/** The executable inside an Electron zip, as node_modules/electron/install.js names it. */
export function platformExecutable(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

/**
 * Where the `electron` package has its binary, found the way its index.js finds it but
 * without requiring it (that would start the download as a side effect):
 * `path.txt` names the executable, inside `$ELECTRON_OVERRIDE_DIST_PATH` when that is set
 * (a prebuilt binary supplied from outside), else inside the package's `dist/`.
 */
export function findElectronBinary(root: string, env: NodeJS.ProcessEnv = process.env, exists = existsSync, platform = process.platform): ElectronBinary {
  const pkg = join(root, 'node_modules', 'electron');
  if (!exists(join(pkg, 'package.json'))) return { kind: 'unavailable', problem: 'the electron package is not installed (run `npm install`)' };
  let relative: string | undefined;
  try {
    relative = readFileSync(join(pkg, 'path.txt'), 'utf8').trim() || undefined;
  } catch {
    relative = undefined;
  }
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    // index.js falls back to plain `electron` without path.txt; a macOS build keeps its app bundle.
    const candidates = [...new Set([relative ?? 'electron', platformExecutable(platform)])].map((r) => join(env.ELECTRON_OVERRIDE_DIST_PATH!, r));
    const path = candidates.find((p) => exists(p));
    return path ? { kind: 'found', path } : { kind: 'unavailable', problem: `ELECTRON_OVERRIDE_DIST_PATH is set but ${candidates[0]} does not exist` };
  }
  const path = join(pkg, 'dist', relative ?? platformExecutable(platform));
  if (relative && exists(path)) return { kind: 'found', path };
  if (env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    return { kind: 'unavailable', problem: 'the Electron binary is not downloaded and ELECTRON_SKIP_BINARY_DOWNLOAD is set, so it is not fetched now' };
  }
  return { kind: 'missing' };
}

export function hasDisplay(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): boolean {
  if (platform !== 'linux' && platform !== 'freebsd' && platform !== 'openbsd') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** No display is checked before the binary: fetching 100 MB that cannot show a window helps nobody. */
export function decideStart(options: { platform: NodeJS.Platform; env: NodeJS.ProcessEnv; binary: ElectronBinary }): StartDecision {
  const { platform, env, binary } = options;
  if (env.AIRLOCK_HEADLESS === '1') return { kind: 'serve', reason: 'AIRLOCK_HEADLESS=1 is set' };
  if (!hasDisplay(platform, env)) return { kind: 'serve', reason: 'there is no display to show windows on (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  if (binary.kind === 'unavailable') return { kind: 'serve', reason: binary.problem };
  if (binary.kind === 'missing') return { kind: 'download' };
  return { kind: 'electron', binary: binary.path };
}

/** One line: why there is no desktop app, and what runs instead. */
export function fallbackMessage(reason: string): string {
  return `airlock: no desktop app because ${reason}; starting \`airlock serve\` with the browser UI instead.\n`;
}

export function downloadMessage(version: string): string {
  return `airlock: the Electron ${version} binary is not downloaded yet; downloading it now (once, about 100 MB)...\n`;
}

/** The first line of a failed download's output, e.g. "TypeError: fetch failed". */
export function downloadFailure(output: string, status: number | null): string {
  const line = output.split('\n').map((l) => l.trim()).find((l) => l.length > 0);
  return `downloading the Electron binary failed (${line ?? `exit ${status ?? 'by signal'}`})`;
}
