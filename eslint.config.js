// Lint, including the layer rule of ARCHITECTURE.md §1: each layer may only import
// what it is allowed to, so a stray import fails `npm test` instead of a release.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'http', 'https', 'net', 'crypto', 'url', 'stream', 'events', 'util'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The engine runs headless and inside Electron alike: no Electron, no UI, no renderer.
    files: ['main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*', 'electron-store'], message: 'main/core must run without Electron (ARCHITECTURE.md §1).' },
          { group: ['**/renderer/**', 'react', 'react-dom', 'zustand'], message: 'main/core must not import UI code.' },
          { group: ['**/electron/**'], message: 'main/core must not import the desktop shell.' },
        ],
      }],
    },
  },
  {
    // The UI runs in a browser: no Node built-ins, no main process code.
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/main/**', 'electron', 'electron/*', 'electron-store'], message: 'renderer talks to the core only through the bridge (shared/api).' },
          { group: nodeBuiltins, message: 'renderer runs in a browser: no Node built-ins.' },
        ],
      }],
    },
  },
  {
    // The desktop shell talks IPC only through the typed channels; only the preload may
    // touch ipcRenderer, and it exposes the bridge and nothing else (GitHub Desktop's rule).
    files: ['main/electron/**/*.ts'],
    ignores: ['main/electron/preload.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: "Identifier[name='ipcRenderer']", message: 'only main/electron/preload.ts may use ipcRenderer.' }],
    },
  },
  {
    // Contracts only: pure TypeScript and zod.
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^(?!zod(/|$)|\\.{1,2}/)', message: 'shared/ imports only zod and other shared/ files.' },
          { group: ['**/main/**', '**/renderer/**'], message: 'shared/ must not import main/ or renderer/.' },
        ],
      }],
    },
  },
);
