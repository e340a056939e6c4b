/**
 * Builds the desktop shell's two bundles into dist/electron/:
 *   main.cjs     the Electron main process, with the core and every dependency inlined, so
 *                the packaged app needs no node_modules at all
 *   preload.cjs  the sandboxed preload: CommonJS, `electron` its only require
 * Usage: node scripts/build-electron.ts [--production]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ELECTRON_OUT_DIR = join(root, 'dist', 'electron');

/** Electron 45 ships Node 22 or newer; Chromium of the same age for the preload. */
const common: BuildOptions = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  external: ['electron', '@napi-rs/keyring'],
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
  metafile: true,
  absWorkingDir: root,
};

export interface ElectronBuild {
  main: Metafile;
  preload: Metafile;
}

export async function buildElectron(options: { production?: boolean; outDir?: string } = {}): Promise<ElectronBuild> {
  const outDir = options.outDir ?? ELECTRON_OUT_DIR;
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const minify = options.production ?? false;
  const main = await build({
    ...common,
    entryPoints: { main: 'main/electron/main.ts' },
    outExtension: { '.js': '.cjs' },
    outdir: outDir,
    target: 'node22',
    minify,
    // Modules that check `import.meta.main` to run themselves are libraries inside the bundle.
    define: { 'import.meta.main': 'false' },
  });
  // `import.meta` is empty in a CommonJS bundle: code that locates files through it would
  // break only at runtime in the app, so it fails the build here.
  const metaWarnings = main.warnings.filter((w) => w.text.includes('import.meta'));
  if (metaWarnings.length > 0) {
    const where = metaWarnings.map((w) => `${w.location?.file}:${w.location?.line}`).join(', ');
    throw new Error(`the main bundle uses import.meta, which is empty in CommonJS: ${where}`);
  }
  const preload = await build({
    ...common,
    entryPoints: { preload: 'main/electron/preload.ts' },
    outExtension: { '.js': '.cjs' },
    outdir: outDir,
    target: 'chrome130',
    minify,
  });
  // The folder is CommonJS whatever the project's package.json says.
  writeFileSync(join(outDir, 'package.json'), JSON.stringify({ type: 'commonjs' }) + '\n');
  return { main: main.metafile!, preload: preload.metafile! };
}

if (import.meta.main) {
  const started = Date.now();
  await buildElectron({ production: process.argv.includes('--production') });
  process.stdout.write(`built dist/electron/main.cjs and preload.cjs in ${Date.now() - started} ms\n`);
}
