import { LLMTraceError } from '@llmtrace/core';

/**
 * Read a request body into memory, refusing more than `max` bytes (413) as early as possible:
 * from `Content-Length` before reading, else while reading.
 */
export async function readBody(req: Request, max: number): Promise<Uint8Array | undefined> {
  if (!req.body) return undefined;
  const declared = Number(req.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) throw tooLarge(max);
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge(max);
    }
    parts.push(value);
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}

/** The 413 for a body over `max` bytes. */
export function tooLarge(max: number): LLMTraceError {
  return new LLMTraceError('payload_too_large', `request body exceeds the proxy's limit of ${max} bytes`);
}
