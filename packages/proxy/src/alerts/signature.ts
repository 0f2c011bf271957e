import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the webhook signature: `t=<unix seconds>,v1=<hex>`. */
export const SIGNATURE_HEADER = 'X-LLMTrace-Signature';

/** Default replay window accepted by {@link verifyWebhookSignature}: 5 minutes. */
export const DEFAULT_SIGNATURE_TOLERANCE_SEC = 300;

function hmacHex(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/**
 * Sign a webhook body: `t=<unix>,v1=<hex hmac_sha256(secret, t + '.' + body)>`.
 *
 * @param timestampSec unix seconds; default now.
 * @example signWebhookPayload('whsec', '{"id":"..."}') // 't=1767225600,v1=5f0c…'
 */
export function signWebhookPayload(
  secret: string,
  body: string,
  timestampSec = Math.floor(Date.now() / 1000),
): string {
  return `t=${timestampSec},v1=${hmacHex(secret, timestampSec, body)}`;
}

/**
 * Verify an `X-LLMTrace-Signature` header for receivers. True when one `v1` value matches the
 * HMAC of the exact raw body and the timestamp is within `toleranceSec` of now (rejects replays).
 * Compares in constant time. Several `v1=` entries are accepted (secret rotation on the sender).
 *
 * @param body the raw request body as received, before any JSON parsing.
 * @param toleranceSec default 300.
 * @param nowSec unix seconds; default now (injectable for tests).
 * @example
 * if (!verifyWebhookSignature(secret, req.headers['x-llmtrace-signature'], rawBody)) return res.writeHead(400).end();
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string | Uint8Array,
  toleranceSec: number = DEFAULT_SIGNATURE_TOLERANCE_SEC,
  nowSec: number = Math.floor(Date.now() / 1000),
): boolean {
  if (!header || !secret) return false;
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d+$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) candidates.push(value.toLowerCase());
  }
  if (timestamp === undefined || candidates.length === 0) return false;
  if (Math.abs(nowSec - timestamp) > toleranceSec) return false;
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  return candidates.some((c) => timingSafeEqual(Buffer.from(c, 'hex'), expected));
}
