import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const libs = '(core|storage|security|sdk)';

// One root config so `pnpm test` runs every package's tests in one pass. Workspace imports resolve to
// sources, so a library test never depends on a stale build; apps/proxy tests that spawn the CLI use
// the built bundle (`pnpm test` builds first).
export default defineConfig({
  resolve: {
    alias: [
      { find: new RegExp(`^@llmtrace/${libs}/(.+)$`), replacement: `${root}packages/$1/src/$2/index.ts` },
      { find: new RegExp(`^@llmtrace/${libs}$`), replacement: `${root}packages/$1/src/index.ts` },
      { find: /^@llmtrace\/gateway$/, replacement: `${root}packages/proxy/src/index.ts` },
    ],
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'examples/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
