#!/usr/bin/env node
// Generates docs/guides/configuration.md from the proxy's zod config schema, its environment
// variable table and the CLI's own --help output, so the reference cannot drift from the code.
//
//   node scripts/gen-config-docs.mjs           write the file (after `pnpm build`)
//   node scripts/gen-config-docs.mjs --check   exit 1 when the committed file is stale
//
// The schema carries no descriptions at runtime, so they live here, keyed by path. A schema key
// without a description (or a description for a key that no longer exists) is an error.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = `${ROOT}docs/guides/configuration.md`;
const CLI = `${ROOT}apps/proxy/dist/cli.js`;

/** One line per key. Paths use `[]` for list items and `<name>` for map entries. */
export const DESCRIPTIONS = {
  listen_addr: 'Address the proxy listens on, `host:port`. Port `0` picks a free port.',
  upstream_url: 'Where requests go when no route claims them.',
  routes: 'Extra upstreams, by path prefix or `x-llmtrace-provider` header; the first match wins.',
  'routes[].prefix': 'Requests whose path starts with this prefix use this route.',
  'routes[].provider': 'Requests sent with `x-llmtrace-provider: <provider>` use this route.',
  'routes[].upstream': 'The upstream base URL for matching requests.',
  'routes[].strip_prefix': 'Remove `prefix` from the path before forwarding (`/azure/v1/…` → `/v1/…`).',
  max_request_body_bytes: 'Largest request body accepted, in bytes; a larger one gets 413.',
  inject_stream_usage:
    'Add `stream_options.include_usage` to OpenAI streams so streamed calls get exact token counts; clients that did not ask never see the extra chunk.',
  tenant_secret:
    'Secret of the keyed hash that turns a caller API key into a tenant id when no `X-LLMTrace-Tenant-ID` is sent. Set your own in production.',
  timeouts: 'Upstream and shutdown timeouts.',
  'timeouts.connect_ms': 'TCP/TLS connect timeout to the upstream, ms; over it the client gets 504.',
  'timeouts.headers_ms': "Wait for the upstream's response headers, ms; over it the client gets 504.",
  'timeouts.body_ms': 'Longest silence while a response streams, ms.',
  'timeouts.shutdown_ms': 'How long shutdown waits for in-flight requests, ms.',
  analysis: 'Where the work after each call (token estimates, cost, the security scan) runs.',
  'analysis.worker':
    "Build spans on a worker thread instead of on the proxy's own thread after each response, so the scan never delays traffic. Worth it with spare cores: it costs a copy of each call record and span between threads and a second copy of the scanner and tokenizer in memory. Request-side checks (blocking, limits) always run before forwarding.",
  'analysis.large_call_bytes':
    "With `worker` off, calls carrying more than this many bytes of prompt and response are still analysed on a worker thread, started at the first such call: a 256 KB prompt's span takes tens of milliseconds to build, which on the proxy's own thread would delay every other call. The worker costs memory (a second scanner and tokenizer) only once it has started. 0 keeps every call on the proxy's own thread.",
  memory: 'What the proxy does with memory it no longer needs.',
  'memory.idle_gc_ms':
    "After this long without a request following traffic, full garbage collections (three passes over the next 7 s) return the heap grown under load to the system; one more runs at start-up, before listening, for the garbage that loading leaves (about 40 ms). 0 turns all of them off. ms. Each idle collection also shrinks V8's young generation, so traffic that resumes soon after runs slower for a few seconds: keep it well above the gaps between bursts.",
  'security.warm_up_calls':
    "Made-up chat calls run through the scanner at start-up, so that V8 has optimized the scanner's code before traffic arrives instead of over its first thousands of real calls (about 0.5 s on a small machine); 0 turns it off.",
  storage: 'Where spans, metadata and shared counters live; `profile` picks the shape.',
  'storage.profile':
    '`sqlite` (embedded file), `memory` (nothing persisted), `postgres`, `clickhouse`, or `production` (ClickHouse spans + PostgreSQL metadata + Redis counters).',
  'storage.database_path': 'The SQLite file; missing folders are created.',
  'storage.postgres_url': 'PostgreSQL connection URL.',
  'storage.clickhouse_url': 'ClickHouse HTTP URL.',
  'storage.redis_url': 'Redis URL for counters shared by every replica (rate limits, budgets).',
  'storage.auto_migrate': 'Create or upgrade the schema at start; otherwise run `llmtrace-proxy migrate`.',
  'storage.retention_days': 'Delete spans older than this many days; `0` keeps everything.',
  'storage.redact_pii':
    'Store spans with PII and secrets replaced by typed placeholders (`[REDACTED:pii.email]`); the scan still sees the original text.',
  'storage.writer': 'The background writer: spans are batched off the request path.',
  'storage.writer.batch_size': 'Spans per batch write.',
  'storage.writer.flush_interval_ms': 'Longest a span waits in memory before a flush, ms.',
  'storage.writer.max_queue':
    'Spans held in memory while the store is slow or down; beyond this they go to the spool.',
  'storage.writer.spool_path':
    'Append-only file for spans the store could not take yet, replayed in order when it is back; empty disables spooling.',
  'storage.writer.spool_max_bytes':
    'Disk budget of the spool, bytes; beyond it spans are dropped (and counted).',
  security: 'The security scan of every prompt and response.',
  'security.enabled': 'Scan every call for injection, jailbreaks, PII, secrets and leaks.',
  'security.flag_threshold': 'Security score (0–100) at or above which the scan verdict is `flag`.',
  'security.block_threshold':
    'Security score (0–100) at or above which the scan verdict is `block`. Refusing a request is up to `enforcement.rules` (or a tenant policy).',
  'security.learned_model': 'Use the built-in learned injection model; off leaves the rule detectors alone.',
  'security.scan_cache_chars':
    'Characters of scanned text whose findings are remembered from the second time a text is scanned (most texts come once), so a system prompt or earlier turn sent again is not scanned a third time (texts over 32 000 characters never are); `0` turns it off.',
  'security.detectors':
    'Switch detectors off or on by name (`injection`, `jailbreak`, `encoding`, `pii`, `secrets`, `leakage`, `learned`).',
  'security.custom_rules': 'Extra rules of your own; each emits findings of type `custom.<name>`.',
  'security.custom_rules[].name': 'Finding type emitted (prefixed with `custom.` unless dotted).',
  'security.custom_rules[].pattern':
    'Regular expression; one that could backtrack catastrophically is refused at start.',
  'security.custom_rules[].keywords': 'Case-insensitive keywords matched as whole words.',
  'security.custom_rules[].severity': 'Severity of the findings.',
  'security.custom_rules[].roles': 'Message roles the rule applies to (default all).',
  'security.allow_list': 'Exact texts that never produce findings (e.g. a documented sample key).',
  pricing: 'Model prices used for `costUsd`. A model with no known price gets no cost (never $0).',
  'pricing.file':
    'A JSON file of extra or overriding prices: `{ "model": { "input": 0.5, "output": 1.5 } }`.',
  'pricing.models': 'Per-model prices, e.g. for self-hosted or fine-tuned models.',
  'pricing.models.<name>.input': 'USD per million input tokens.',
  'pricing.models.<name>.output': 'USD per million output tokens.',
  'pricing.models.<name>.cached_input': 'USD per million cached input tokens (defaults to `input`).',
  'pricing.models.<name>.reasoning': 'USD per million reasoning tokens (defaults to `output`).',
  auth: 'Proxy keys (`llmt_…`, sent as `X-LLMTrace-Key`). Off: the proxy trusts its network.',
  'auth.enabled': 'Require a proxy key on every request and on the REST API.',
  'auth.bootstrap_key':
    'A raw admin key accepted without a look-up, made by `llmtrace-proxy keys create`; set it from the environment, not the file.',
  'auth.bootstrap_tenant': 'Tenant of the bootstrap key.',
  'auth.key_pepper': 'HMAC pepper for stored key hashes; changing it invalidates every key.',
  'auth.cache_ttl_ms': 'How long a verified key is cached, ms; a revocation takes effect within it.',
  rate_limits: 'Requests and tokens per minute, per tenant, key or agent.',
  'rate_limits.backend': '`memory` limits each process; `redis` shares one limit across replicas.',
  'rate_limits.redis_url': 'Redis for `backend: redis` (defaults to `storage.redis_url`).',
  'rate_limits.key_prefix': 'Prefix of the Redis keys of the rate-limit counters.',
  'rate_limits.fail_mode':
    'On a Redis outage (an error, or no answer within 250 ms): `open` keeps serving with per-process limits, `closed` refuses with 429.',
  'rate_limits.default_completion_tokens':
    'Completion tokens counted up front when a request sets no `max_tokens` (corrected to real usage afterwards).',
  'rate_limits.rules': 'The limits; every matching rule is checked.',
  'rate_limits.rules[].scope': 'What the limit is counted per.',
  'rate_limits.rules[].requests_per_minute': 'Requests per minute.',
  'rate_limits.rules[].tokens_per_minute': 'Prompt + completion tokens per minute.',
  'rate_limits.rules[].burst':
    'Extra requests allowed over `burst_window_seconds` on top of the steady rate.',
  'rate_limits.rules[].burst_window_seconds': 'Window of the burst allowance, seconds.',
  budgets: 'Spend limits per tenant or agent over rolling windows, reserved before forwarding.',
  'budgets.fail_mode':
    'On a shared-counter outage (an error, or no answer within 500 ms): `open` counts per process, `closed` refuses with 429.',
  'budgets.default_completion_tokens':
    'Completion tokens assumed for the worst case when a request sets no `max_tokens`.',
  'budgets.key_prefix': 'Prefix of the shared-counter keys of the budgets.',
  'budgets.rules': 'The budgets; every matching rule is checked.',
  'budgets.rules[].scope': 'What the budget is counted per.',
  'budgets.rules[].window': 'The rolling window.',
  'budgets.rules[].soft_usd': 'Crossing it sends a `budget.soft_limit` alert.',
  'budgets.rules[].hard_usd': 'A request that could cross it is refused (429 `budget_exceeded`).',
  token_caps: 'Per-request prompt and completion caps.',
  'token_caps.max_prompt_tokens': 'Largest prompt, in tokens; a larger one is refused.',
  'token_caps.max_completion_tokens': 'Largest `max_tokens` a request may ask for.',
  'token_caps.on_excess': 'Over `max_completion_tokens`: `clamp` lowers it, `reject` answers 400.',
  enforcement: 'What input findings do, per finding type; the first matching rule wins, else `log`.',
  'enforcement.enabled': 'Apply the rules below to the input scan.',
  'enforcement.rules': 'Rules in order; see docs/guides/custom-policies.md.',
  'enforcement.rules[].match': 'Finding type (`pii.email`), a prefix with `*` (`secret.*`), or `*`.',
  'enforcement.rules[].action':
    '`log` records, `flag` adds `x-llmtrace-flagged`, `block` answers 403 `content_policy_violation`, `redact` replaces the match before forwarding.',
  'enforcement.rules[].min_severity': 'Findings below this severity are ignored by the rule.',
  'enforcement.rules[].min_confidence': 'Findings below this confidence (0–1) are ignored by the rule.',
  output_guard: 'Scan responses (streaming too) and redact or stop leaks in flight.',
  'output_guard.enabled': 'Turn the output guard on.',
  'output_guard.holdback_chars':
    'Most characters held back at the end of a stream while a match could still be forming there.',
  'output_guard.max_hold_chars': 'A match still growing is held up to this many characters.',
  'output_guard.rules': 'Rules in order, as for `enforcement.rules`.',
  'output_guard.rules[].match': 'Finding type (`secret.github_pat`), a prefix with `*` (`secret.*`), or `*`.',
  'output_guard.rules[].action': 'What a matching response finding does.',
  'output_guard.rules[].min_severity': 'Findings below this severity are ignored by the rule.',
  'output_guard.rules[].min_confidence': 'Findings below this confidence (0–1) are ignored by the rule.',
  tenant_policies: 'Per-tenant overrides kept in the metadata store (set through the operator API).',
  'tenant_policies.enabled': 'Apply stored per-tenant overrides.',
  'tenant_policies.cache_ttl_ms': 'How long a tenant policy is cached, ms.',
  alerts: 'Where security findings, budget limits, error spikes and anomalies are sent.',
  'alerts.enabled': 'Send alerts.',
  'alerts.channels': 'Delivery channels; each has its own filters.',
  'alerts.channels[].type': 'The channel kind.',
  'alerts.channels[].url': 'Endpoint receiving a signed JSON POST.',
  'alerts.channels[].secret': 'HMAC-SHA256 signing secret of the webhook.',
  'alerts.channels[].webhook_url': 'Slack incoming-webhook URL.',
  'alerts.channels[].routing_key': 'PagerDuty Events API v2 routing key.',
  'alerts.channels[].events_url': 'PagerDuty events endpoint, to override the default.',
  'alerts.channels[].min_severity': 'Lowest severity this channel receives.',
  'alerts.channels[].event_types':
    'Only these event types (e.g. `security.finding`, `budget.hard_limit`, `anomaly.cost_per_request`).',
  'alerts.channels[].tenants': 'Only these tenants.',
  'alerts.finding_severity': 'Findings at or above this severity become alerts.',
  'alerts.cooldown_ms': 'One alert per (tenant, type) per window, ms; a more severe repeat breaks through.',
  'alerts.ui_base_url': 'Base URL of the dashboard, for links to the trace in messages.',
  'alerts.queue_size': 'Deliveries waiting at most; beyond it new alerts are dropped and counted.',
  anomaly: 'Online per-tenant and per-agent baselines for cost, tokens, latency, errors and velocity.',
  'anomaly.enabled': 'Watch the baselines and raise `anomaly.*` events.',
  'anomaly.sensitivity': 'Standard deviations above the baseline that count as an anomaly.',
  'anomaly.min_samples': 'Observations a series needs before it may flag.',
  'anomaly.metrics': 'Metrics to watch (all when unset).',
  otel: 'OpenTelemetry: export spans over OTLP/HTTP and accept spans from your own code.',
  'otel.export': 'Export every span with the GenAI semantic conventions.',
  'otel.export.enabled': 'Turn the export on (`url` is then required).',
  'otel.export.url': 'Collector traces endpoint, e.g. `http://otel-collector:4318/v1/traces`.',
  'otel.export.headers': 'Extra HTTP headers for the collector (e.g. an API key).',
  'otel.export.include_content': 'Send prompts and responses too.',
  'otel.export.service_name': '`service.name` of the exported resource.',
  'otel.ingest': 'Accept OTLP/HTTP GenAI spans at `POST /v1/traces`.',
  ui: 'The dashboard at `/ui` and the REST API at `/api/v1`.',
  'ui.enabled': 'Serve the dashboard and the REST API.',
  logging: "The app's log output (prompts, responses and keys are never logged at info).",
  'logging.level': 'Lowest level written.',
  'logging.format': 'JSON lines, or pretty text for a terminal.',
};

const code = (v) => `\`${v}\``;
const cell = (s) => String(s).replaceAll('|', '\\|').replaceAll('\n', ' ');

function typeOf(s) {
  if (s.const !== undefined) return code(JSON.stringify(s.const));
  if (s.enum) return s.enum.map((v) => code(v)).join(' | ');
  const variants = s.oneOf ?? s.anyOf;
  if (variants) return variants.map(typeOf).join(' or ');
  const min =
    s.exclusiveMinimum !== undefined
      ? `> ${s.exclusiveMinimum}`
      : s.minimum !== undefined
        ? `≥ ${s.minimum}`
        : '';
  const max = s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER ? `≤ ${s.maximum}` : '';
  switch (s.type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
    case 'number':
      return [s.type, [min, max].filter(Boolean).join(', ')].filter(Boolean).join(' ');
    case 'string':
      if (s.format === 'uri') return 'URL';
      return s.minLength > 1 ? `string (≥ ${s.minLength} chars)` : 'string';
    case 'array':
      if (s.items?.type === 'object' || s.items?.oneOf) return 'list of objects';
      return `list of ${s.items?.enum ? `(${typeOf(s.items)})` : typeOf(s.items ?? {})}`;
    case 'object':
      if (s.additionalProperties && typeof s.additionalProperties === 'object')
        return `map of name → ${s.additionalProperties.type === 'object' ? 'object' : typeOf(s.additionalProperties)}`;
      return 'object';
    default:
      return 'any';
  }
}

/**
 * Flatten the JSON schema into rows. Discriminated unions (`storage.profile`, channel `type`) merge
 * into one row per key that records which variants have it and where it is required.
 */
function collect(schema) {
  const rows = new Map();
  const walk = (s, path, { required, parentDefault, variant, union }) => {
    const variants = s.oneOf ?? s.anyOf;
    if (variants?.every((v) => v.type === 'object' && v.properties)) {
      const disc = Object.keys(variants[0].properties).find((k) =>
        variants.every((v) => v.properties[k]?.const !== undefined),
      );
      const names = disc ? variants.map((v) => v.properties[disc].const) : undefined;
      for (const v of variants)
        walk({ ...v, default: s.default }, path, {
          required,
          parentDefault,
          variant: disc ? v.properties[disc].const : variant,
          union: names ?? union,
        });
      return;
    }
    if (path) {
      let row = rows.get(path);
      if (!row) {
        const def = s.default !== undefined ? s.default : parentDefault;
        row = {
          path,
          type: typeOf(s),
          default: def,
          required: new Set(),
          variants: new Set(),
          union,
          schema: s,
        };
        rows.set(path, row);
      } else if (typeOf(s) !== row.type && s.const !== undefined) {
        row.type = `${row.type} | ${typeOf(s)}`;
      }
      if (variant !== undefined) row.variants.add(variant);
      if (required && s.default === undefined && parentDefault === undefined)
        row.required.add(variant ?? '*');
    }
    const def = s.default && typeof s.default === 'object' && !Array.isArray(s.default) ? s.default : {};
    if (s.type === 'object' && s.properties) {
      const req = new Set(s.required ?? []);
      for (const [k, v] of Object.entries(s.properties))
        walk(v, path ? `${path}.${k}` : k, { required: req.has(k), parentDefault: def[k], variant, union });
    } else if (s.type === 'object' && s.additionalProperties?.type === 'object') {
      walk(s.additionalProperties, `${path}.<name>`, {
        required: false,
        parentDefault: undefined,
        variant: undefined,
      });
    } else if (s.type === 'array' && (s.items?.type === 'object' || s.items?.oneOf)) {
      walk(s.items, `${path}[]`, { required: false, parentDefault: undefined, variant: undefined });
    }
  };
  walk(schema, '', { required: false, parentDefault: undefined, variant: undefined });
  // `x[]` and `x.<name>` only hold the item keys; they get no row of their own.
  return [...rows.values()].filter((r) => !r.path.endsWith('[]') && !r.path.endsWith('.<name>'));
}

function defaultText(row) {
  if (row.required.size > 0) {
    const all = row.required.has('*') || row.required.size === row.variants.size;
    return all ? '**required**' : `**required** for ${[...row.required].map(code).join(', ')}`;
  }
  if (row.default === undefined) return '—';
  if (row.default && typeof row.default === 'object' && !Array.isArray(row.default) && row.schema.properties)
    return '';
  return code(JSON.stringify(row.default));
}

function helpOptions(text, { dropGlobal }) {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === 'Options:');
  if (start < 0) return [];
  const global = /^--(config|listen|upstream|log-level|log-format)\b|^-h, --help/;
  return lines
    .slice(start + 1)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !(dropGlobal && global.test(l)))
    .map((l) => {
      const m = /^(\S.*?)\s{2,}(.*)$/.exec(l);
      return m ? { flag: m[1], text: m[2] } : { flag: l, text: '' };
    });
}

function helpCommands(text) {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === 'Commands:');
  const out = [];
  for (const l of lines.slice(start + 1)) {
    if (l.trim() === '') break;
    const m = /^\s+(\S.*?)\s{2,}(.*)$/.exec(l);
    if (m) out.push({ usage: m[1], text: m[2] });
  }
  return out;
}

/**
 * Render the configuration reference.
 * @param {{ schema: { toJSONSchema(o: object): object }, envKeys: Record<string, { path: string, type: string }>, help: { main: string, commands: Record<string, string> } }} input
 * @returns {string} the Markdown text
 */
export function renderConfigDocs({ schema, envKeys, help }) {
  const rows = collect(schema.toJSONSchema({ io: 'input', unrepresentable: 'any' }));
  const paths = new Set(rows.map((r) => r.path));
  const missing = [...paths].filter((p) => !DESCRIPTIONS[p]);
  const stale = Object.keys(DESCRIPTIONS).filter((p) => !paths.has(p));
  if (missing.length > 0 || stale.length > 0) {
    throw new Error(
      [
        missing.length > 0
          ? `config keys without a description in scripts/gen-config-docs.mjs: ${missing.join(', ')}`
          : '',
        stale.length > 0 ? `descriptions for keys the schema no longer has: ${stale.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }
  const envByPath = new Map(Object.entries(envKeys).map(([name, { path }]) => [path, name]));
  const badEnv = Object.entries(envKeys).filter(([, { path }]) => !paths.has(path));
  if (badEnv.length > 0)
    throw new Error(`environment variables for unknown keys: ${badEnv.map(([n]) => n).join(', ')}`);

  const out = [
    '# Configuration reference',
    '',
    '<!-- Generated by scripts/gen-config-docs.mjs from the config schema, the environment table and',
    '     the CLI help. Do not edit by hand: change the schema or the script, then run',
    '     `pnpm build && node scripts/gen-config-docs.mjs`. A test fails when this file is stale. -->',
    '',
    'LLMTrace reads its configuration once, at start, in this order (later wins):',
    '',
    '1. built-in defaults (below),',
    '2. a YAML file: `--config PATH` or `LLMTRACE_CONFIG=PATH`,',
    '3. `LLMTRACE_*` environment variables,',
    '4. command-line flags.',
    '',
    'A bad value stops the proxy with a message that names the key (exit code 2). Check a file',
    'without starting anything: `llmtrace-proxy validate --config my.yaml` prints the resolved',
    'configuration with secrets redacted. Annotated examples: `config.example.yaml` (every key) and',
    '`examples/config-*.yaml` (minimal, production, high-security, cost-control).',
    '',
    'Keys are snake_case. `a[].b` is key `b` of each item of list `a`; `a.<name>.b` is key `b` of',
    'each entry of map `a`. "—" means unset (the feature is off or falls back as described).',
    '',
  ];

  const sections = new Map();
  for (const r of rows) {
    const top = r.path.split(/[.[]/)[0];
    const isLeafTop = r.path === top && !r.schema.properties && r.schema.type !== 'array';
    const key = isLeafTop ? '' : top;
    if (!sections.has(key)) sections.set(key, []);
    sections.get(key).push(r);
  }
  for (const [section, list] of sections) {
    out.push(section === '' ? '## Top-level keys' : `## \`${section}\``, '');
    const head = list.find((r) => r.path === section);
    if (head?.schema.properties) out.push(DESCRIPTIONS[section], '');
    out.push('| key | type | default | env | description |', '|---|---|---|---|---|');
    for (const r of list) {
      if (r.path === section && r.schema.properties) continue;
      let text = DESCRIPTIONS[r.path];
      const variants = [...r.variants].filter((v) => typeof v === 'string');
      const all = r.union !== undefined && variants.length === r.union.length;
      if (variants.length > 0 && !all) text += ` Only with ${variants.map(code).join(', ')}.`;
      const env = envByPath.get(r.path);
      out.push(
        `| ${code(r.path)} | ${cell(r.type)} | ${cell(defaultText(r))} | ${env ? code(env) : ''} | ${cell(text)} |`,
      );
    }
    out.push('');
  }

  out.push(
    '## Environment variables',
    '',
    'Each sets the key beside it. Booleans accept `true/false`, `1/0`, `yes/no`, `on/off`. A storage',
    'variable for a different profile than the active one is ignored; `LLMTRACE_STORAGE_PROFILE`',
    'switches profile and drops file keys the new profile does not have.',
    '',
    '| variable | key |',
    '|---|---|',
    '| `LLMTRACE_CONFIG` | path of the YAML file (same as `--config`) |',
  );
  for (const [name, { path }] of Object.entries(envKeys)) out.push(`| ${code(name)} | ${code(path)} |`);
  out.push('');

  out.push(
    '## Command-line flags',
    '',
    'Flags every command accepts (they override file and environment):',
    '',
  );
  out.push('| flag | meaning |', '|---|---|');
  for (const o of helpOptions(help.main, { dropGlobal: false }))
    out.push(`| ${code(o.flag)} | ${cell(o.text)} |`);
  out.push('', '### Commands', '');
  for (const c of helpCommands(help.main)) {
    out.push(`#### \`llmtrace-proxy ${c.usage}\``, '', cell(c.text), '');
    const name = c.usage.split(' ')[0];
    const opts = helpOptions(help.commands[name] ?? '', { dropGlobal: true });
    if (opts.length > 0) {
      out.push('| flag | meaning |', '|---|---|');
      for (const o of opts) out.push(`| ${code(o.flag)} | ${cell(o.text)} |`);
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The built CLI's --help for the main command and each subcommand. */
export function readCliHelp(cli = CLI) {
  const run = (args) => execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  const main = run(['--help']);
  const commands = {};
  for (const c of helpCommands(main)) {
    const name = c.usage.split(' ')[0];
    if (!name.startsWith('[')) commands[name] = run([name, '--help']);
  }
  return { main, commands };
}

async function main() {
  const { configSchema, ENV_KEYS } = await import(pathToFileURL(`${ROOT}apps/proxy/dist/index.js`).href);
  const text = renderConfigDocs({ schema: configSchema, envKeys: ENV_KEYS, help: readCliHelp() });
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(OUT, 'utf8');
    } catch {}
    if (current !== text) {
      process.stderr.write(
        'docs/guides/configuration.md is stale: run `pnpm build && node scripts/gen-config-docs.mjs`\n',
      );
      process.exit(1);
    }
    return;
  }
  writeFileSync(OUT, text);
  process.stdout.write('wrote docs/guides/configuration.md\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
}
