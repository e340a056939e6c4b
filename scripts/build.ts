/**
 * `npm run build`: everything that ships. The web UI (Vite → dist/renderer), the desktop
 * app's main and preload bundles (dist/electron), and the headless `airlock` command as one
 * file (dist/cli/airlock.mjs, with `airlock hook` alone beside it as hook.mjs), which starts
 * faster and uses less memory than running the TypeScript sources (no type stripping at run
 * time).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildElectron } from './build-electron.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_BUNDLE = join(root, 'dist', 'cli', 'airlock.mjs');
/** `airlock hook` alone, beside it: hook entries run it before every tool (see main/hook.ts). */
export const HOOK_BUNDLE = join(root, 'dist', 'cli', 'hook.mjs');

export async function buildCli(): Promise<string> {
  await build({
    // Two self-contained files: the hook's own entry shares nothing at run time with the full one.
    entryPoints: { airlock: join(root, 'main', 'cli.ts'), hook: join(root, 'main', 'hook.ts') },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    // jsonc-parser's "main" is a UMD build esbuild cannot follow; its ES module build works.
    mainFields: ['module', 'main'],
    outdir: dirname(CLI_BUNDLE),
    outExtension: { '.js': '.mjs' },
    external: ['electron', '@napi-rs/keyring'],
    sourcemap: 'linked',
    logLevel: 'warning',
    legalComments: 'none',
    // Some dependencies are CommonJS (require, __filename); give the ES module bundle those.
    banner: {
      js: [
        "import { createRequire as __airlockRequire } from 'node:module';",
        "import { fileURLToPath as __airlockPath } from 'node:url';",
        "import { dirname as __airlockDirname } from 'node:path';",
        'const require = __airlockRequire(import.meta.url);',
        'const __filename = __airlockPath(import.meta.url);',
        'const __dirname = __airlockDirname(__filename);',
      ].join(' '),
    },
  });
  return CLI_BUNDLE;
}

if (import.meta.main) {
  const vite = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
  if (vite.status !== 0) process.exit(vite.status ?? 1);
  await buildElectron({ production: true });
  await buildCli();
  process.stdout.write(`built dist/renderer, dist/electron, ${CLI_BUNDLE} and ${HOOK_BUNDLE}\n`);
}
