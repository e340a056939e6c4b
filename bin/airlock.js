#!/usr/bin/env node
// The `airlock` command. Airlock runs on Node 24 or newer (it uses node:sqlite and runs
// its TypeScript sources directly); say so plainly instead of failing on a syntax error.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`airlock: Node 24 or newer is required (this is Node ${process.versions.node}).\n`);
  process.exit(1);
}
// The bundle `npm run build` makes starts faster and needs less memory than the sources,
// and faster still from V8's code cache (kept in the system's temp folder).
const { existsSync } = await import('node:fs');
(await import('node:module')).enableCompileCache?.();
const bundle = new URL('../dist/cli/airlock.mjs', import.meta.url);
if (existsSync(bundle)) {
  const { main } = await import(bundle.href);
  await main(process.argv);
} else {
  const { main } = await import('../main/cli.ts');
  await main(process.argv);
}
