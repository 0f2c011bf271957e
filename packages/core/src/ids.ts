function randomHex(bytes: number): string {
  const buf = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buf);
  let out = '';
  for (const b of buf) out += b.toString(16).padStart(2, '0');
  return out;
}

/** A new W3C/OpenTelemetry-compatible trace id (32 lowercase hex chars). */
export function newTraceId(): string {
  return randomHex(16);
}

/** A new W3C/OpenTelemetry-compatible span id (16 lowercase hex chars). */
export function newSpanId(): string {
  return randomHex(8);
}
