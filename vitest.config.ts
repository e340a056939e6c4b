import { defineConfig } from 'vitest/config';

// Integration tests spawn real MCP servers and a real browser; on a 2-core machine
// a few files at a time keeps them from starving each other.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default'],
  },
});
