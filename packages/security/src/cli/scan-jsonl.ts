import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { createScanner } from '../scanner.js';
import type { Scanner, ScannerOptions, ScanRole } from '../types.js';

/** Options for {@link scanJsonl}. */
export interface ScanJsonlOptions {
  /** Scanner to use (default: `createScanner(scannerOptions)`). */
  scanner?: Scanner;
  scannerOptions?: ScannerOptions;
  /** Write counts by verdict and finding type to `summaryStream` at the end (default false). */
  summary?: boolean;
  /** Where the summary and progress go (typically stderr). */
  summaryStream?: Writable;
  /** Draw a progress bar on `summaryStream` (only sensible when it is a terminal). */
  progress?: boolean;
  /** Total input bytes, when known, so the progress bar can show a percentage. */
  totalBytes?: number;
}

/** Counts returned by {@link scanJsonl}. */
export interface ScanJsonlSummary {
  lines: number;
  errors: number;
  verdicts: { allow: number; flag: number; block: number };
  byType: Record<string, number>;
}

const ROLES = new Set(['user', 'assistant', 'system', 'tool']);

async function* linesOf(input: AsyncIterable<string> | Readable): AsyncGenerator<string> {
  if (typeof (input as Readable).pipe === 'function') {
    const rl = createInterface({ input: input as Readable, crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of rl) yield line;
    return;
  }
  // An async iterable yields lines; a yielded string with embedded newlines is split.
  for await (const item of input as AsyncIterable<string>) {
    if (item.includes('\n')) {
      const parts = item.split(/\r?\n/);
      if (parts[parts.length - 1] === '') parts.pop();
      yield* parts;
    } else yield item;
  }
}

type Parsed =
  | { ok: true; id: unknown; text: string; role: ScanRole; systemPrompt?: string }
  | { ok: false; id: unknown; error: string };

function parseLine(line: string): Parsed {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch {
    return { ok: false, id: null, error: 'invalid JSON' };
  }
  if (typeof row !== 'object' || row === null || Array.isArray(row))
    return { ok: false, id: null, error: 'line is not a JSON object' };
  const r = row as Record<string, unknown>;
  const id = r.id ?? null;
  if (typeof r.text !== 'string') return { ok: false, id, error: '"text" must be a string' };
  if (r.role !== undefined && (typeof r.role !== 'string' || !ROLES.has(r.role))) {
    return { ok: false, id, error: '"role" must be one of user, assistant, system, tool' };
  }
  let systemPrompt: string | undefined;
  if (r.context !== undefined) {
    const c = r.context as Record<string, unknown> | null;
    if (typeof c !== 'object' || c === null) return { ok: false, id, error: '"context" must be an object' };
    if (c.system_prompt !== undefined && typeof c.system_prompt !== 'string')
      return { ok: false, id, error: '"context.system_prompt" must be a string' };
    systemPrompt = c.system_prompt as string | undefined;
  }
  return { ok: true, id, text: r.text, role: (r.role as ScanRole | undefined) ?? 'user', systemPrompt };
}

async function write(out: Writable, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}

function bar(done: number, bytes: number, total: number | undefined): string {
  const width = 24;
  if (total && total > 0) {
    const frac = Math.min(1, bytes / total);
    const filled = Math.round(frac * width);
    return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${done} lines`;
  }
  return `\r${done} lines scanned`;
}

/**
 * Scan a JSONL stream: each input line `{"id","text","role"?,"context"?:{"system_prompt"?}}` yields one
 * output line `{"id","verdict","score","findings":[{"type","severity","confidence","start","end"}]}`
 * in input order. Malformed lines yield `{"id","line","error"}` and the run continues. Blank lines are skipped.
 *
 * @example await scanJsonl(process.stdin, process.stdout, { summary: true, summaryStream: process.stderr })
 */
export async function scanJsonl(
  input: AsyncIterable<string> | Readable,
  output: Writable,
  options: ScanJsonlOptions = {},
): Promise<ScanJsonlSummary> {
  const scanner = options.scanner ?? createScanner(options.scannerOptions);
  const summary: ScanJsonlSummary = {
    lines: 0,
    errors: 0,
    verdicts: { allow: 0, flag: 0, block: 0 },
    byType: {},
  };
  const progress = options.progress && options.summaryStream ? options.summaryStream : undefined;
  let lineNo = 0;
  let bytes = 0;
  let lastDraw = 0;
  for await (const line of linesOf(input)) {
    lineNo++;
    bytes += Buffer.byteLength(line) + 1;
    if (line.trim() === '') continue;
    summary.lines++;
    const parsed = parseLine(line);
    if (!parsed.ok) {
      summary.errors++;
      await write(output, `${JSON.stringify({ id: parsed.id, line: lineNo, error: parsed.error })}\n`);
      continue;
    }
    const res =
      parsed.role === 'assistant'
        ? scanner.scanResponse(parsed.text, { systemPrompt: parsed.systemPrompt })
        : scanner.scan(parsed.text, { role: parsed.role, systemPrompt: parsed.systemPrompt });
    summary.verdicts[res.verdict]++;
    for (const f of res.findings) summary.byType[f.type] = (summary.byType[f.type] ?? 0) + 1;
    const findings = res.findings.map((f) => ({
      type: f.type,
      severity: f.severity,
      confidence: f.confidence,
      start: f.location?.start ?? 0,
      end: f.location?.end ?? 0,
    }));
    await write(
      output,
      `${JSON.stringify({ id: parsed.id, verdict: res.verdict, score: res.score, findings })}\n`,
    );
    if (progress && Date.now() - lastDraw > 100) {
      lastDraw = Date.now();
      progress.write(bar(summary.lines, bytes, options.totalBytes));
    }
  }
  if (progress) progress.write(`${bar(summary.lines, bytes, options.totalBytes)}\n`);
  if (options.summary && options.summaryStream) {
    const rows = Object.entries(summary.byType).sort((a, b) => b[1] - a[1]);
    const lines = [
      `scanned ${summary.lines} lines: ${summary.verdicts.allow} allow, ${summary.verdicts.flag} flag, ${summary.verdicts.block} block, ${summary.errors} errors`,
      ...rows.map(([type, n]) => `  ${type.padEnd(32)} ${n}`),
    ];
    options.summaryStream.write(`${lines.join('\n')}\n`);
  }
  return summary;
}
