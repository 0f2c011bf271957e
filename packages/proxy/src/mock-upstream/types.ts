import type { IncomingMessage, ServerResponse } from 'node:http';

/** Per-request knobs, read from `x-mock-*` request headers (or the server defaults). */
export interface MockControls {
  /** Delay before the response headers, ms (`x-mock-delay-ms`). */
  delayMs: number;
  /** Delay between stream chunks, ms (`x-mock-chunk-delay-ms`). */
  chunkDelayMs: number;
  /** Answer with this HTTP status and an OpenAI-style error body (`x-mock-status`). */
  status?: number;
  /** Exact response text (`x-mock-content`, URI-encoded). */
  content?: string;
  /** Omit `usage` from non-streaming bodies and never send the usage chunk (`x-mock-no-usage: 1`). */
  noUsage: boolean;
}

/** One API the fake upstream speaks. Adding one is a file in this folder plus a line in `index.ts`. */
export interface MockHandler {
  match(method: string, path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse, body: unknown, controls: MockControls): Promise<void>;
}
