import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

/**
 * Most bytes a compressed body may decode to. The capture keeps at most 8 MiB of what the upstream
 * sent, but a few kilobytes of gzip can stand for gigabytes: past this the body is not decoded.
 */
export const MAX_DECODED_BYTES = 32 * 1024 * 1024;

/** Why {@link decodeBody} gave no bytes. */
export type DecodeFailure = 'unknown_encoding' | 'corrupt' | 'too_large';

/**
 * Decode a captured response body for tracing according to its `Content-Encoding`. The client got
 * the original bytes; this copy is only parsed. Decoding stops at `maxBytes`.
 */
export function decodeBody(
  bytes: Buffer,
  encoding: string | undefined,
  maxBytes = MAX_DECODED_BYTES,
): Buffer | DecodeFailure {
  const enc = (encoding ?? '').trim().toLowerCase();
  const options = { maxOutputLength: maxBytes };
  try {
    if (enc === '' || enc === 'identity') return bytes;
    if (enc === 'gzip' || enc === 'x-gzip') return gunzipSync(bytes, options);
    if (enc === 'deflate') return inflateSync(bytes, options);
    if (enc === 'br') return brotliDecompressSync(bytes, options);
  } catch (err) {
    return (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'too_large' : 'corrupt';
  }
  return 'unknown_encoding';
}

/** A span's note for a body {@link decodeBody} could not decode. */
export function decodeFailureMessage(failure: DecodeFailure, encoding: string | undefined): string {
  const enc = encoding ?? 'identity';
  if (failure === 'too_large')
    return `response body decodes (${enc}) to more than ${MAX_DECODED_BYTES / 1024 / 1024} MiB; not parsed`;
  return `response body could not be decoded (${enc})`;
}
