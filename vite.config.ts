/**
 * Builds the UI (renderer/) into dist/renderer/, which `airlock serve` serves at `/` and the
 * desktop app loads. The bundle must run under the UI's strict CSP (ui-server.ts): no
 * inline scripts, no eval. And it must never carry Node code: a Node built-in that sneaks
 * into the browser bundle fails the build here, not at runtime in someone's window.
 */
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** Source patterns in emitted chunks that mean Node code reached the browser bundle. */
const NODE_LEAKS: ReadonlyArray<[RegExp, string]> = [
  [/\bfrom\s*["']node:[a-z_/]+["']/, 'an import from node:*'],
  [/\bimport\s*\(\s*["']node:[a-z_/]+["']\s*\)/, 'a dynamic import of node:*'],
  [/\brequire\s*\(\s*["'](?:node:)?(?:fs|path|os|child_process|http|https|net|crypto|url|stream|events|util|module|worker_threads|zlib|tls|dns|readline|process|buffer)(?:\/[a-z]+)?["']\s*\)/, 'a require() of a Node built-in'],
  [/__vite-browser-external/, 'a Node built-in stubbed out by Vite'],
];

/**
 * Fails the build when the renderer imports a Node built-in (at resolution), or when an
 * emitted chunk still refers to one (a dependency that does it behind our back).
 */
function noNodeInBrowser(): Plugin {
  return {
    name: 'airlock:no-node-in-browser',
    enforce: 'pre',
    resolveId(source, importer) {
      if (NODE_BUILTINS.has(source)) {
        this.error(`Node built-in "${source}" imported by ${importer ?? 'the entry'}: the UI runs in a browser (ARCHITECTURE.md §1).`);
      }
      return null;
    },
    generateBundle(_options, bundle) {
      for (const [file, output] of Object.entries(bundle)) {
        if (output.type !== 'chunk') continue;
        for (const [pattern, what] of NODE_LEAKS) {
          if (pattern.test(output.code)) this.error(`${file} contains ${what}: Node code must not reach the browser bundle.`);
        }
      }
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  // Relative asset URLs: the same build is served at `/` and loaded from disk by Electron.
  base: './',
  plugins: [react(), noNodeInBrowser()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // No inline script may be emitted (script-src 'self'); modulepreload is native everywhere we run.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1200,
  },
  server: { port: 5173, strictPort: false },
});
