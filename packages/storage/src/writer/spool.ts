import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import type { Span } from '@llmtrace/core';

/**
 * An append-only local file of spans (one JSON line each) that the writer spills to when the store
 * is down longer than memory may hold. Lines are read back in the order they were written; when
 * everything has been replayed the file is truncated. A file left by a previous run is replayed
 * too (re-inserting a span is a no-op in every store, so a crash between insert and truncate
 * cannot duplicate).
 */
export interface Spool {
  /** Append a span; returns false (and writes nothing) when the byte budget would be exceeded. */
  append(span: Span): boolean;
  /** Up to `max` of the oldest unread spans, without consuming them. */
  peek(max: number): Span[];
  /** Mark everything the last {@link peek} read (including unreadable lines) as replayed. */
  consume(): void;
  /** Spans written but not yet replayed. */
  pending(): number;
  /** Bytes currently in the file. */
  bytes(): number;
  close(): void;
}

/** Options for {@link openSpool}. */
export interface SpoolOptions {
  path: string;
  maxBytes: number;
}

/** Open (or create) a spool file; replays whatever a previous run left in it. */
export function openSpool(options: SpoolOptions): Spool {
  const fd = openSync(options.path, existsSync(options.path) ? 'r+' : 'w+');
  let size = fstatSync(fd).size;
  let readOffset = 0;
  let pendingCount = 0;
  // Byte lengths of the lines returned by the last peek, so consume can advance exactly.
  let peeked: number[] = [];

  // Count lines left from a previous run.
  if (size > 0) {
    const buf = Buffer.alloc(size);
    readSync(fd, buf, 0, size, 0);
    for (const b of buf) if (b === 10) pendingCount += 1;
  }

  const readLines = (max: number): { spans: Span[]; lengths: number[] } => {
    const spans: Span[] = [];
    const lengths: number[] = [];
    let offset = readOffset;
    let carry = Buffer.alloc(0);
    const chunk = Buffer.alloc(1 << 20);
    while (spans.length < max && offset < size) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, size - offset), offset);
      if (n <= 0) break;
      offset += n;
      let data = Buffer.concat([carry, chunk.subarray(0, n)]);
      let nl = data.indexOf(10);
      while (nl !== -1 && spans.length < max) {
        const line = data.subarray(0, nl);
        lengths.push(nl + 1);
        try {
          spans.push(JSON.parse(line.toString('utf8')) as Span);
        } catch {
          // A torn last line from a crash mid-write: skip it rather than block the replay forever.
          spans.push(undefined as unknown as Span);
        }
        data = data.subarray(nl + 1);
        nl = data.indexOf(10);
      }
      carry = Buffer.from(data);
    }
    // A trailing fragment without a newline (torn write): count it so the replay can move past it.
    if (spans.length < max && offset >= size && carry.length > 0) {
      lengths.push(carry.length);
      spans.push(undefined as unknown as Span);
    }
    return { spans, lengths };
  };

  return {
    append(span: Span): boolean {
      const line = Buffer.from(`${JSON.stringify(span)}\n`, 'utf8');
      if (size + line.length > options.maxBytes) return false;
      writeSync(fd, line, 0, line.length, size);
      size += line.length;
      pendingCount += 1;
      return true;
    },
    peek(max: number): Span[] {
      const { spans, lengths } = readLines(max);
      peeked = lengths;
      return spans.filter((s) => s !== undefined);
    },
    consume(): void {
      const lengths = peeked;
      peeked = [];
      for (const l of lengths) readOffset += l;
      pendingCount = Math.max(0, pendingCount - lengths.length);
      if (readOffset >= size) {
        ftruncateSync(fd, 0);
        size = 0;
        readOffset = 0;
        pendingCount = 0;
      }
    },
    pending: () => pendingCount,
    bytes: () => size,
    close(): void {
      closeSync(fd);
    },
  };
}
