// The proxy benchmarks' load generator: chat completion calls in a closed loop.
import { Pool } from 'undici';
import { chatBody } from './chat-body.mjs';

/**
 * Closed-loop load: `conc` workers each send requests back to back for `seconds`, or until `calls`
 * requests have been sent in all.
 */
export async function load(
  url,
  conc,
  seconds,
  { stream = false, calls = Number.POSITIVE_INFINITY, documentKb = 0 } = {},
) {
  const origin = new URL(url).origin;
  const pool = new Pool(origin, { connections: conc, pipelining: 1 });
  const lat = [];
  const ttfb = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  let sent = 0;
  const worker = async () => {
    while (performance.now() < end && sent++ < calls) {
      const t0 = performance.now();
      try {
        const res = await pool.request({
          path: '/v1/chat/completions',
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
          body: chatBody(stream, documentKb),
        });
        let first = true;
        for await (const _ of res.body) {
          if (first) {
            ttfb.push(performance.now() - t0);
            first = false;
          }
        }
        if (res.statusCode !== 200) errors++;
        lat.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: conc }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  await pool.close();
  return { lat, ttfb, count: lat.length, errors, elapsed };
}

/** The `p`th percentile (0–100) of ascending numbers, or NaN for none. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
