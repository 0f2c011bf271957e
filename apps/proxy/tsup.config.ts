import { defineConfig } from 'tsup';

// The published CLI bundles the workspace libraries so `npx @llmtrace/proxy` needs nothing else;
// third-party dependencies stay external and are installed from package.json.
export default defineConfig({
  entry: ['src/cli.ts', 'src/index.ts', 'src/analysis-worker.ts', 'src/insert-worker.ts'],
  format: ['esm'],
  target: 'node20',
  dts: { entry: 'src/index.ts', resolve: [/^@llmtrace\//] },
  clean: true,
  noExternal: [/^@llmtrace\//],
  splitting: true,
});
