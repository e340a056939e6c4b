/**
 * The Airlock home: where config, policy, history and tokens live. Both shells (desktop
 * and headless) resolve it the same way so they share one configuration.
 */
import { mkdirSync, readFileSync, existsSync, chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { ConfigSchema, type Config } from '../../../shared/config.ts';
import { formatZodError } from '../util/zod-format.ts';

export interface HomePaths {
  dir: string;
  config: string;
  policy: string;
  history: string;
  auth: string;
  runtime: string;
  lock: string;
  logs: string;
}

/** Electron's `appData` for each platform; `userData` is that plus the product name. */
export function platformAppDataDir(platform = process.platform, env = process.env): string {
  const home = homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support');
  if (platform === 'win32') return env.APPDATA ?? join(home, 'AppData', 'Roaming');
  return env.XDG_CONFIG_HOME ?? join(home, '.config');
}

/** `$AIRLOCK_HOME`, else `--home DIR`, else the platform's app-data folder. */
export function resolveHomeDir(flag?: string, env = process.env): string {
  if (env.AIRLOCK_HOME) return resolve(env.AIRLOCK_HOME);
  if (flag) return resolve(flag);
  return join(platformAppDataDir(process.platform, env), 'Airlock');
}

export function homePaths(dir: string): HomePaths {
  return {
    dir,
    config: join(dir, 'config.json'),
    policy: join(dir, 'policy.json'),
    history: join(dir, 'history.db'),
    auth: join(dir, 'auth.json'),
    runtime: join(dir, 'runtime.json'),
    lock: join(dir, 'airlock.lock'),
    logs: join(dir, 'logs'),
  };
}

/**
 * The configuration a new home starts with: the demo image server, so a first
 * `airlock serve` has something to guard. `airlock` as a command means "this Airlock"
 * (see command-resolver.ts), so the entry survives moving or updating the app.
 */
export const DEFAULT_CONFIG = {
  mcpServers: {
    'demo-images': {
      command: 'airlock',
      args: ['demo-server'],
      description: 'Demo image generator shipped with Airlock',
    },
  },
};

/**
 * The policy a new home starts with, written to policy.json so it can be read and edited:
 * the demo's image generators ask a person and are capped, its read-only tool is allowed,
 * anything else asks.
 */
export const STARTER_POLICY = `{
  "version": "1",
  "default": "ask",
  "tools": {
    "get_image_info": { "action": "allow", "reason": "Read-only: reports the size of an image" },
    "*_to_image": {
      "action": "ask",
      "reason": "Generating an image costs money",
      "limits": [{ "counter": "image_generation", "window": "minute", "max": 10, "scope": "client" }],
      "timeout": 120
    }
  }
}
`;

export class ConfigError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ConfigError';
    this.file = file;
  }
}

/** Creates the home (private to the user) and a default config.json on first start. */
export function ensureHome(paths: HomePaths): { created: boolean } {
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  mkdirSync(paths.logs, { recursive: true, mode: 0o700 });
  if (existsSync(paths.config)) return { created: false };
  writeFileAtomic.sync(paths.config, JSON.stringify(DEFAULT_CONFIG, null, 2) + '\n', { mode: 0o600 });
  if (!existsSync(paths.policy)) writeFileAtomic.sync(paths.policy, STARTER_POLICY, { mode: 0o600 });
  return { created: true };
}

export function loadConfig(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return ConfigSchema.parse({});
    throw new ConfigError(file, `cannot read: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, `not valid JSON: ${(err as Error).message}`);
  }
  const parsed = ConfigSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(file, formatZodError(parsed.error));
  return parsed.data;
}

export function writePrivateJson(file: string, value: unknown): void {
  writeFileAtomic.sync(file, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
  // write-file-atomic keeps an existing file's mode; make sure secrets stay private.
  if (process.platform !== 'win32') chmodSync(file, 0o600);
}
