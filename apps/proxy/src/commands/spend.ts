import { LLMTraceError } from '@llmtrace/core';
import { createBudgetPolicy, createTenantOverrides, type WindowSpend } from '@llmtrace/gateway';
import { openStorage } from '@llmtrace/storage';
import type { CAC } from 'cac';
import { policiesConfigOf } from '../policies.js';
import { storageOptions } from '../server.js';
import { type ConfigFlags, configFromFlags } from './serve.js';

interface SpendFlags extends ConfigFlags {
  tenant?: string;
  agent?: string;
  json?: boolean;
}

const usd = (n: number | undefined): string => (n === undefined ? '-' : `$${n.toFixed(4)}`);

function describe(s: WindowSpend): string {
  const who = s.scope === 'agent' ? `agent ${s.agentId}` : 'tenant';
  return `${s.window.padEnd(8)} ${who.padEnd(16)} spent ${usd(s.spentUsd)}  rolling ${usd(s.rollingUsd)}  soft ${usd(s.softUsd)}  hard ${usd(s.hardUsd)}  window ends ${new Date(s.windowEnd).toISOString()}`;
}

/** `spend --tenant T [--agent A]`: spend per configured budget window, from the shared counters. */
export function registerSpendCommand(cli: CAC): void {
  cli
    .command('spend', 'Show spend per budget window for a tenant')
    .option('--tenant <tenant>', 'Tenant')
    .option('--agent <agent>', 'Also show this agent’s budgets')
    .option('--json', 'Print JSON')
    .action(async (flags: SpendFlags) => {
      if (!flags.tenant) throw new LLMTraceError('invalid_request', 'spend needs --tenant');
      const config = configFromFlags(flags);
      const policy = policiesConfigOf(config);
      const storage = await openStorage(storageOptions(config.storage));
      try {
        if (!('redis_url' in config.storage) || !config.storage.redis_url) {
          process.stderr.write(
            'note: budgets are counted per process without storage.redis_url; this shows this process only\n',
          );
        }
        const budgets = createBudgetPolicy({
          rules: policy.budgets.rules.map((r) => ({
            scope: r.scope,
            window: r.window,
            softUsd: r.soft_usd,
            hardUsd: r.hard_usd,
          })),
          counters: storage.counters,
          keyPrefix: policy.budgets.key_prefix,
          priceOf: () => undefined,
          overrides: policy.tenant_policies.enabled
            ? createTenantOverrides({ metadata: storage.metadata, ttlMs: 0 })
            : undefined,
        });
        const rows = await budgets.spend(flags.tenant, { agentId: flags.agent });
        if (flags.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
        else
          process.stdout.write(
            `${rows.length === 0 ? `no budgets configured for tenant ${flags.tenant}` : rows.map(describe).join('\n')}\n`,
          );
      } finally {
        await storage.close();
      }
    });
}
