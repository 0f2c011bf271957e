#!/usr/bin/env node
// The published @llmtrace/proxy bundles the workspace libraries but not their third-party
// dependencies, so it must declare every one of them itself. This copies them over (exact
// versions from each library's package.json). `--check` exits 1 when they are out of sync.
import { readFileSync, writeFileSync } from 'node:fs';

const libs = ['core', 'storage', 'security', 'proxy', 'sdk'].map((d) => `packages/${d}/package.json`);
const appPath = 'apps/proxy/package.json';
const app = JSON.parse(readFileSync(appPath, 'utf8'));
const wanted = { ...app.dependencies };
for (const path of libs) {
  const pkg = JSON.parse(readFileSync(path, 'utf8'));
  for (const [name, version] of Object.entries(pkg.dependencies ?? {})) {
    if (String(version).startsWith('workspace:')) continue;
    wanted[name] = version;
  }
}
const sorted = Object.fromEntries(Object.entries(wanted).sort(([a], [b]) => a.localeCompare(b)));
const same = JSON.stringify(sorted) === JSON.stringify(app.dependencies);
if (process.argv.includes('--check')) {
  if (!same) {
    console.error('apps/proxy/package.json dependencies are out of sync; run node scripts/sync-app-deps.mjs');
    process.exit(1);
  }
} else if (!same) {
  app.dependencies = sorted;
  writeFileSync(appPath, `${JSON.stringify(app, null, 2)}\n`);
  console.log('updated apps/proxy/package.json dependencies');
}
