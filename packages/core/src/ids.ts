// Ids are drawn from a pool of random bytes refilled 4 KiB at a time: one getRandomValues call per
// span costs more than the rest of id generation together.
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let offset = POOL_SIZE;
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function randomHex(bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    globalThis.crypto.getRandomValues(pool);
    offset = 0;
  }
  let out = '';
  for (let i = offset; i < offset + bytes; i++) out += HEX[pool[i] as number];
  offset += bytes;
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
