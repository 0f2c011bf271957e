import { Buffer } from 'node:buffer';
import type { Severity } from '@llmtrace/core';
import type { Detector, DetectorInput, RawFinding } from './types.js';

interface SecretRule {
  type: string;
  severity: Severity;
  /** Cheap literal the text must contain (case-sensitive) before the regex runs. */
  prefilter: string | RegExp;
  /**
   * A second necessary condition, copied from the end of `pattern` (every match contains a match
   * of it); tested after `prefilter`, skipped when pre-filters are off.
   */
  requires?: RegExp;
  pattern: RegExp;
  /** Capture group holding the secret itself (default: whole match). */
  group?: number;
  /** Extra validation of the matched secret. */
  validate?: (secret: string, match: RegExpExecArray, text: string) => boolean;
  message: string;
}

// Placeholders and documentation values that look like credentials but are not.
const PLACEHOLDER =
  /example|sample|dummy|placeholder|your[_-]?(?:api[_-]?)?(?:key|token|secret)|x{6,}|\*{4,}|<[^>]*>|\$\{|\{\{|redacted|changeme|insert|replace[_-]?me|test[_-]?key|fake/i;

function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function notPlaceholder(secret: string): boolean {
  if (PLACEHOLDER.test(secret)) return false;
  // Runs like "aaaaaaaa" or "12345678" inside the token betray a made-up value.
  if (/(.)\1{7,}/.test(secret) || /0123456789|abcdefghij/i.test(secret)) return false;
  return true;
}

// The sample token printed by jwt.io and countless tutorials (sub 1234567890, name John Doe).
function documentedJwt(token: string): boolean {
  const payload = token.split('.')[1] ?? '';
  let json: string;
  try {
    json = Buffer.from(payload.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  } catch {
    return false;
  }
  return /"sub"\s*:\s*"1234567890"|"name"\s*:\s*"John Doe"/.test(json);
}

const highEntropy =
  (min: number) =>
  (s: string): boolean =>
    notPlaceholder(s) && entropy(s) >= min;

const DB_PASSWORD_PLACEHOLDER =
  /^(?:password|passwd|pass|pwd|secret|user|username|changeme|\*+|x+|\.\.\.|<.*>|\$\{.*\}|\{\{.*\}\})$/i;
// Upper-case words stand for template variables (`USER:PASSWORD@HOST`).
const DB_PASSWORD_VARIABLE = /^(?:%[A-Z_]+%|\$[A-Z_]+|[A-Z_]+)$/;

/** Secret rules modelled on the credential formats covered by common secret scanners. */
export const SECRET_RULES: readonly SecretRule[] = [
  {
    type: 'secret.aws_access_key',
    severity: 'critical',
    prefilter: /A(?:KIA|SIA|BIA|CCA|3T)/,
    pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b/g,
    validate: (s) => !s.endsWith('EXAMPLE') && notPlaceholder(s),
    message: 'AWS access key id',
  },
  {
    type: 'secret.aws_secret_key',
    severity: 'critical',
    prefilter: /secret|aws/i,
    pattern:
      /\b(?:aws_?secret_?(?:access_?)?key(?:_?id)?|secret_?access_?key|aws.{0,20}secret)["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
    group: 1,
    validate: (s) => highEntropy(4)(s) && !/EXAMPLEKEY/.test(s),
    message: 'AWS secret access key',
  },
  {
    type: 'secret.github_pat',
    severity: 'critical',
    prefilter: /gh[pousr]_|github_pat_/,
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b/g,
    validate: highEntropy(3.5),
    message: 'GitHub token',
  },
  {
    type: 'secret.gitlab_token',
    severity: 'critical',
    prefilter: /gl(?:pat|ptt|dt|rt|cbt|oas|ft|imt|agent|soat)-/,
    pattern:
      /\bgl(?:pat|ptt|dt|rt|cbt|oas|ft|imt|soat)-[A-Za-z0-9_-]{20,64}(?![A-Za-z0-9_-])|\bglagent-[A-Za-z0-9_-]{50,}(?![A-Za-z0-9_-])/g,
    validate: highEntropy(3.3),
    message: 'GitLab token',
  },
  {
    type: 'secret.anthropic_api_key',
    severity: 'critical',
    prefilter: 'sk-ant-',
    pattern: /\bsk-ant-(?:api|admin|sid)\d{2}-[A-Za-z0-9_-]{80,120}(?![A-Za-z0-9_-])/g,
    validate: highEntropy(4),
    message: 'Anthropic API key',
  },
  {
    type: 'secret.openai_api_key',
    severity: 'critical',
    prefilter: 'sk-',
    pattern:
      /\bsk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{16,200}T3BlbkFJ[A-Za-z0-9_-]{16,200}(?![A-Za-z0-9_-])|\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{58,200}(?![A-Za-z0-9_-])|\bsk-[A-Za-z0-9]{48}\b/g,
    validate: highEntropy(4),
    message: 'OpenAI API key',
  },
  {
    type: 'secret.slack_webhook',
    severity: 'high',
    prefilter: 'hooks.slack.com',
    pattern:
      /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9]{8,12}\/[A-Za-z0-9]{8,12}\/[A-Za-z0-9]{18,32}\b/g,
    validate: (s) => notPlaceholder(s.slice(30)),
    message: 'Slack incoming webhook URL',
  },
  {
    type: 'secret.slack_token',
    severity: 'critical',
    prefilter: 'xox',
    pattern:
      /\bxox[baprseo]-(?:\d{10,13}-){1,3}[A-Za-z0-9-]{10,64}(?![A-Za-z0-9-])|\bxapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+\b/g,
    validate: highEntropy(3.3),
    message: 'Slack token',
  },
  {
    type: 'secret.stripe_key',
    severity: 'critical',
    prefilter: /[sr]k_(?:live|test)_/,
    pattern: /\b[sr]k_(?:live|test)_[A-Za-z0-9]{20,247}\b/g,
    validate: highEntropy(3.5),
    message: 'Stripe secret or restricted key',
  },
  {
    type: 'secret.google_api_key',
    severity: 'high',
    prefilter: 'AIza',
    pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g,
    validate: highEntropy(3.5),
    message: 'Google API key',
  },
  {
    type: 'secret.jwt',
    severity: 'high',
    prefilter: 'eyJ',
    pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}(?![A-Za-z0-9_-])/g,
    validate: (s) => notPlaceholder(s.split('.')[2] ?? '') && !documentedJwt(s),
    message: 'JSON Web Token',
  },
  {
    type: 'secret.private_key',
    severity: 'critical',
    prefilter: 'PRIVATE KEY',
    pattern:
      /-----BEGIN[ A-Z0-9]{0,20} PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]{0,12000}?-----END[ A-Z0-9]{0,20} PRIVATE KEY(?: BLOCK)?-----|(?:\s*[A-Za-z0-9+/=]{16,}){1,200})/g,
    validate: (s) =>
      !/-----BEGIN[ A-Z0-9]{0,20} PRIVATE KEY(?: BLOCK)?-----\s*(?:\.\.\.|<|\[|-----END)/.test(s),
    message: 'Private key',
  },
  {
    type: 'secret.db_connection_string',
    severity: 'critical',
    prefilter: '://',
    pattern:
      /\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|clickhouse|cockroachdb|jdbc:[a-z]+|oracle|couchbase|neo4j(?:\+s)?)(?:\+[a-z0-9]+)?:\/\/([^\s:@/"'<>]{1,64}):([^\s@/"'<>]{3,128})@[^\s"'<>`]{3,256}/gi,
    validate: (_s, m) => {
      const pw = m[2] ?? '';
      return !DB_PASSWORD_PLACEHOLDER.test(pw) && !DB_PASSWORD_VARIABLE.test(pw) && notPlaceholder(pw);
    },
    message: 'Database connection string with password',
  },
  {
    type: 'secret.npm_token',
    severity: 'critical',
    prefilter: 'npm_',
    pattern: /\bnpm_[A-Za-z0-9]{36}\b/g,
    validate: highEntropy(3.5),
    message: 'npm access token',
  },
  {
    type: 'secret.huggingface_token',
    severity: 'high',
    prefilter: 'hf_',
    pattern: /\bhf_[A-Za-z0-9]{34,40}\b/g,
    validate: highEntropy(3.5),
    message: 'Hugging Face token',
  },
  {
    type: 'secret.sendgrid_key',
    severity: 'critical',
    prefilter: 'SG.',
    pattern: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g,
    validate: highEntropy(3.5),
    message: 'SendGrid API key',
  },
  {
    type: 'secret.twilio_key',
    severity: 'high',
    prefilter: 'SK',
    pattern: /\bSK[0-9a-f]{32}\b/g,
    validate: highEntropy(3),
    message: 'Twilio API key',
  },
  {
    type: 'secret.discord_webhook',
    severity: 'high',
    prefilter: '/api/webhooks/',
    pattern:
      /https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d{17,20}\/[A-Za-z0-9_-]{60,68}/g,
    message: 'Discord webhook URL',
  },
  {
    type: 'secret.telegram_bot_token',
    severity: 'high',
    prefilter: ':AA',
    pattern: /\b\d{8,10}:AA[A-Za-z0-9_-]{33}\b/g,
    message: 'Telegram bot token',
  },
  {
    type: 'secret.azure_storage_key',
    severity: 'critical',
    prefilter: 'AccountKey=',
    pattern: /AccountKey=([A-Za-z0-9+/]{86}==)/g,
    group: 1,
    validate: highEntropy(4),
    message: 'Azure storage account key',
  },
  {
    type: 'secret.mailgun_key',
    severity: 'high',
    prefilter: 'key-',
    pattern: /\bkey-[0-9a-f]{32}\b/g,
    validate: highEntropy(3.3),
    message: 'Mailgun API key',
  },
  {
    type: 'secret.generic',
    severity: 'medium',
    prefilter: /(?:secret|passw|token|api[_-]?key|apikey|access[_-]?key|auth)/i,
    pattern:
      /\b[\w.-]{0,30}(?:secret|passw(?:or)?d|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|client[_-]?secret)\b["']?\s*(?:[:=]|=>|:=)\s*["']([A-Za-z0-9_\-+/=!@#$%^&*.~]{12,128})["']/gi,
    // The quoted value: rare in prose, while the keywords above are common.
    requires: /["'][A-Za-z0-9_\-+/=!@#$%^&*.~]{12,128}["']/i,
    group: 1,
    validate: (s) => highEntropy(3.7)(s) && !/^[0-9a-f-]+$/i.test(s) && /\d/.test(s) && /[a-z]/i.test(s),
    message: 'Credential assigned to a secret-named variable',
  },
];

function detect(input: DetectorInput): RawFinding[] {
  const text = input.norm.text;
  const out: RawFinding[] = [];
  const taken: Array<[number, number]> = [];
  for (const rule of SECRET_RULES) {
    const present =
      typeof rule.prefilter === 'string' ? text.includes(rule.prefilter) : rule.prefilter.test(text);
    if (!present) continue;
    if (rule.requires && input.prefilters !== false && !rule.requires.test(text)) continue;
    rule.pattern.lastIndex = 0;
    let count = 0;
    for (let m = rule.pattern.exec(text); m !== null; m = rule.pattern.exec(text)) {
      const secret = rule.group ? (m[rule.group] ?? '') : m[0];
      if (rule.validate && !rule.validate(secret, m, text)) continue;
      const start = rule.group ? m.index + m[0].lastIndexOf(secret) : m.index;
      const end = start + secret.length;
      if (taken.some(([a, b]) => start < b && end > a)) continue;
      taken.push([start, end]);
      out.push({
        type: rule.type,
        severity: rule.severity,
        confidence: rule.type === 'secret.generic' ? 0.6 : 0.95,
        start,
        end,
        message: rule.message,
      });
      if (++count >= 100) break;
    }
  }
  return out;
}

/** Secret detector: cloud, VCS, LLM-provider, chat, payment keys, JWTs, private keys, DB URLs with passwords. */
export const secretsDetector: Detector = {
  name: 'secrets',
  roles: ['user', 'assistant', 'tool', 'system'],
  attack: false,
  detect,
};
