import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
// @ts-expect-error: a plain ESM script without type declarations
import { readCliHelp, renderConfigDocs } from '../../../scripts/gen-config-docs.mjs';
import { configSchema, ENV_KEYS } from '../src/config/index.js';

// docs/guides/configuration.md is generated from the schema, the env table and the built CLI's help
// (`pnpm build` first; `pnpm test` does it). This test regenerates it and compares.
const docPath = fileURLToPath(new URL('../../../docs/guides/configuration.md', import.meta.url));
const help = readCliHelp();

describe('docs/guides/configuration.md', () => {
  it('is up to date with the config schema, the environment variables and the CLI flags', () => {
    const generated = renderConfigDocs({ schema: configSchema, envKeys: ENV_KEYS, help });
    expect(readFileSync(docPath, 'utf8'), 'stale: run `pnpm build && node scripts/gen-config-docs.mjs`').toBe(
      generated,
    );
  });

  it('documents every key with its default, its env variable and every flag', () => {
    const doc = readFileSync(docPath, 'utf8');
    expect(doc).toMatch(
      /\| `storage\.database_path` \| string \| `"\.\/llmtrace\.db"` \| `LLMTRACE_STORAGE_DATABASE_PATH` \|/,
    );
    expect(doc).toMatch(/\| `alerts\.channels\[\]\.routing_key` \| string \| \*\*required\*\* \|/);
    for (const name of Object.keys(ENV_KEYS)) expect(doc).toContain(`\`${name}\``);
    for (const flag of ['--config <path>', '--listen <addr>', '--chunk-delay <ms>', '--no-learned'])
      expect(doc).toContain(flag);
  });

  it('refuses a schema key that has no description', () => {
    const extended = configSchema.extend({ brand_new_key: z.boolean().default(false) });
    expect(() => renderConfigDocs({ schema: extended, envKeys: ENV_KEYS, help })).toThrow(/brand_new_key/);
  });

  it('refuses an environment variable for a key the schema does not have', () => {
    const envKeys = { ...ENV_KEYS, LLMTRACE_NOPE: { path: 'nope.key', type: 'string' } };
    expect(() => renderConfigDocs({ schema: configSchema, envKeys, help })).toThrow(/LLMTRACE_NOPE/);
  });
});
