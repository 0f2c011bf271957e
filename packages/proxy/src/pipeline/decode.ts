import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

/**
 * Decode a captured response body for tracing according to its `Content-Encoding`. The client got
 * the original bytes; this copy is only parsed. Returns `undefined` when the encoding is unknown
 * or the bytes are corrupt.
 */
export function decodeBody(bytes: Buffer, encoding: string | undefined): Buffer | undefined {
  const enc = (encoding ?? '').trim().toLowerCase();
  try {
    if (enc === '' || enc === 'identity') return bytes;
    if (enc === 'gzip' || enc === 'x-gzip') return gunzipSync(bytes);
    if (enc === 'deflate') return inflateSync(bytes);
    if (enc === 'br') return brotliDecompressSync(bytes);
  } catch {
    return undefined;
  }
  return undefined;
}
