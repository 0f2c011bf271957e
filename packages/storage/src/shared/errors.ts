import { LLMTraceError } from '@llmtrace/core';

/** Wrap a driver error once, at the adapter boundary, with the adapter's name in the message. */
export function storageError(adapter: string, op: string, err: unknown): LLMTraceError {
  if (err instanceof LLMTraceError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new LLMTraceError('storage_error', `${adapter}: ${op} failed: ${msg}`, { cause: err });
}

/** Run `fn`, wrapping whatever it throws with {@link storageError}. */
export async function guard<T>(adapter: string, op: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw storageError(adapter, op, err);
  }
}
