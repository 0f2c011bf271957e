import { LLMTraceError, type MetadataStore } from '@llmtrace/core';
import {
  createApiKey,
  KEY_ROLES,
  type KeyInfo,
  type KeyRole,
  listApiKeys,
  revokeApiKey,
} from '@llmtrace/gateway';
import { openStorage } from '@llmtrace/storage';
import type { CAC } from 'cac';
import { policiesConfigOf } from '../policies.js';
import { storageOptions } from '../server.js';
import { type ConfigFlags, configFromFlags } from './serve.js';

interface KeysFlags extends ConfigFlags {
  tenant?: string;
  role?: string;
  json?: boolean;
}

function usage(message: string): never {
  throw new LLMTraceError('invalid_request', message);
}

function describeKey(k: KeyInfo): string {
  const state = k.revokedAt === undefined ? 'active' : `revoked ${new Date(k.revokedAt).toISOString()}`;
  return `${k.id}  ${k.role.padEnd(8)}  created ${new Date(k.createdAt).toISOString()}  ${state}`;
}

async function findTenantOf(metadata: MetadataStore, id: string): Promise<string | undefined> {
  for (const t of await metadata.listTenants()) {
    if ((await listApiKeys(metadata, t.id)).some((k) => k.id === id)) return t.id;
  }
  return undefined;
}

/**
 * `keys create --tenant T --role admin|operator|viewer` (prints the key once), `keys list --tenant T`,
 * `keys revoke ID`. Keys are stored only as hashes in the configured metadata store.
 */
export function registerKeysCommand(cli: CAC): void {
  cli
    .command('keys <action> [id]', 'Proxy keys: create --tenant T --role R | list --tenant T | revoke ID')
    .option('--tenant <tenant>', 'Tenant the key belongs to')
    .option('--role <role>', `Role of a new key: ${KEY_ROLES.join(' | ')}`, { default: 'operator' })
    .option('--json', 'Print JSON')
    .action(async (action: string, id: string | undefined, flags: KeysFlags) => {
      const config = configFromFlags(flags);
      const pepper = policiesConfigOf(config).auth.key_pepper;
      const storage = await openStorage(storageOptions(config.storage));
      const out = (text: string, json: unknown): void => {
        process.stdout.write(flags.json ? `${JSON.stringify(json)}\n` : `${text}\n`);
      };
      try {
        const metadata = storage.metadata;
        if (action === 'create') {
          if (!flags.tenant) usage('keys create needs --tenant');
          const role =
            KEY_ROLES.find((r) => r === flags.role) ?? usage(`--role must be one of ${KEY_ROLES.join(', ')}`);
          const { key, info } = await createApiKey(metadata, {
            tenantId: flags.tenant,
            role: role as KeyRole,
            pepper,
          });
          out(
            `${key}\n(key ${info.id} for tenant ${info.tenantId}, role ${info.role}; shown once, store it now)`,
            { key, ...info },
          );
        } else if (action === 'list') {
          if (!flags.tenant) usage('keys list needs --tenant');
          const keys = await listApiKeys(metadata, flags.tenant);
          out(
            keys.length === 0 ? `no keys for tenant ${flags.tenant}` : keys.map(describeKey).join('\n'),
            keys,
          );
        } else if (action === 'revoke') {
          if (!id) usage('keys revoke needs the key id (see keys list)');
          const tenant = flags.tenant ?? (await findTenantOf(metadata, id)) ?? 'default';
          const ok = await revokeApiKey(metadata, id, tenant);
          if (!ok) usage(`no active key ${id}`);
          out(`revoked ${id}`, { id, revoked: true });
        } else {
          usage(`unknown keys action "${action}": use create, list or revoke`);
        }
      } finally {
        await storage.close();
      }
    });
}
