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

// Both ids start with the time. The stores index spans by (tenant, span id) and (tenant, trace id);
// with wholly random ids every span of a batch lands on its own page of each of those indexes, and
// each such page is written again (SQLite's write-ahead log, PostgreSQL's) for one entry. With a
// time prefix a batch's entries sit together on a few pages. In the SQLite store the CPU per span
// was a third lower at 20 000 rows and about half from 200 000 on, where random ids kept getting
// dearer (`node bench/storage/insert-ids.mjs`). The random part is as wide as W3C trace context asks.

/** Span id prefix step: 256 ms; 16 bits of them wrap every 4.7 hours. */
const SPAN_TIME_SHIFT = 256;
const SPAN_TIME_STEPS = 0x10000;

/**
 * A new W3C/OpenTelemetry-compatible trace id (32 lowercase hex chars): the Unix time in ms
 * (48 bits, 12 hex chars, as in a UUIDv7) and 80 random bits. The random part covers the rightmost
 * 7 bytes that W3C Trace Context level 2 asks to be random.
 */
export function newTraceId(now: number = Date.now()): string {
  return Math.floor(now).toString(16).padStart(12, '0').slice(-12) + randomHex(10);
}

/**
 * A new W3C/OpenTelemetry-compatible span id (16 lowercase hex chars): the time in 256 ms steps,
 * modulo 2^16 (4 hex chars), then 48 random bits. Over a history longer than one 4.7-hour cycle,
 * two spans collide as often as wholly random 64-bit ids would; within one 256 ms step, only
 * through the 48 random bits (about one pair in 10^8 steps at 10 000 spans a second).
 */
export function newSpanId(now: number = Date.now()): string {
  const step = Math.floor(now / SPAN_TIME_SHIFT) % SPAN_TIME_STEPS;
  return step.toString(16).padStart(4, '0') + randomHex(6);
}
