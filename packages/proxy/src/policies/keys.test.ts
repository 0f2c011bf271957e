import { createMemoryMetadataStore } from '@llmtrace/storage/memory';
import { describe, expect, it } from 'vitest';
import { createApiKey, generateKey, hashKey, isKeyFormat, listApiKeys, roleOf } from './keys.js';

describe('proxy keys', () => {
  it('are llmt_ plus 256 random bits, never repeated', () => {
    const keys = new Set(Array.from({ length: 200 }, generateKey));
    expect(keys.size).toBe(200);
    for (const k of keys) expect(isKeyFormat(k)).toBe(true);
    expect(isKeyFormat('llmt_short')).toBe(false);
    expect(isKeyFormat(`sk-${generateKey().slice(5)}`)).toBe(false);
  });

  it('are stored only as a hash (peppered when configured), with the role', async () => {
    const metadata = createMemoryMetadataStore();
    const { key, info } = await createApiKey(metadata, {
      tenantId: 'acme',
      role: 'admin',
      pepper: 'pepper-pepper-pepper',
    });
    expect(await metadata.findApiKeyByHash(hashKey(key))).toBeUndefined();
    const record = await metadata.findApiKeyByHash(hashKey(key, 'pepper-pepper-pepper'));
    expect(record?.id).toBe(info.id);
    expect(JSON.stringify(record)).not.toContain(key);
    expect(roleOf(record!)).toBe('admin');
    expect((await metadata.getTenant('acme'))?.id).toBe('acme');
    expect(await listApiKeys(metadata, 'acme')).toEqual([
      { id: info.id, tenantId: 'acme', role: 'admin', createdAt: info.createdAt },
    ]);
  });
});
