import { createReadStream, statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { LLMTraceError } from '@llmtrace/core';
import { createScanner, scanJsonl } from '@llmtrace/security';
import type { CAC } from 'cac';

/** Streams the scan command uses; tests pass their own. */
export interface ScanCommandIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
}

interface ScanFlags {
  summary?: boolean;
  flag?: number;
  block?: number;
  learned?: boolean;
}

/**
 * `scan <file>`: scan a JSONL file (`-` or no file = stdin) with the security engine and write one JSONL result
 * per input line to stdout. `--summary` prints counts by finding type to stderr at the end; a
 * progress bar is drawn on stderr when it is a terminal.
 *
 * @example llmtrace scan prompts.jsonl --summary > results.jsonl
 */
export function registerScanCommand(cli: CAC, io?: ScanCommandIO): void {
  cli
    .command(
      'scan [file]',
      'Scan JSONL lines {"id","text","role"?,"context"?} for attacks, secrets and PII (- or none = stdin)',
    )
    .option('--summary', 'Print counts by verdict and finding type to stderr at the end')
    .option('--flag <score>', 'Score at which a text is flagged (default 50)')
    .option('--block <score>', 'Score at which a text is blocked (default 85)')
    .option('--no-learned', 'Disable the built-in learned classifier')
    .action(async (file: string | undefined, flags: ScanFlags) => {
      const { stdin, stdout, stderr } = io ?? {
        stdin: process.stdin,
        stdout: process.stdout,
        stderr: process.stderr,
      };
      let input: Readable;
      let totalBytes: number | undefined;
      // cac's argument parser swallows a lone `-`, so a missing file also means stdin.
      if (file === undefined || file === '-') {
        input = stdin;
      } else {
        try {
          totalBytes = statSync(file).size;
        } catch {
          throw new LLMTraceError('invalid_request', `scan: cannot read ${file}`);
        }
        input = createReadStream(file, { encoding: 'utf8' });
      }
      const threshold = (v: unknown, name: string): number | undefined => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0 || n > 100)
          throw new LLMTraceError('invalid_config', `scan: --${name} must be a number from 0 to 100`);
        return n;
      };
      const scanner = createScanner({
        thresholds: { flag: threshold(flags.flag, 'flag'), block: threshold(flags.block, 'block') },
        learnedModel: flags.learned !== false,
      });
      await scanJsonl(input, stdout, {
        scanner,
        summary: flags.summary === true,
        summaryStream: stderr,
        progress: stderr.isTTY === true,
        totalBytes,
      });
    });
}
