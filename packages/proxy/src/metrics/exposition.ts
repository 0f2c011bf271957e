/**
 * Pieces of the Prometheus text exposition format 0.0.4, written to produce exactly what
 * prom-client 15 wrote for the same metrics: its escaping, its number formatting and its label
 * order, so dashboards, alert rules and tests that read the old output read the new one unchanged.
 */

/** Content type of the text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Label names and values as the registry's default labels give them, in their own order. */
export type DefaultLabels = ReadonlyArray<readonly [string, string]>;

/**
 * Escape a metric name or HELP text: backslash and newline (quotes stay as they are).
 *
 * @example escapeText('a\\b\nc') // 'a\\\\b\\nc'
 */
export function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/**
 * Escape a label value: backslash, newline and double quote.
 *
 * @example escapeLabelValue('say "hi"') // 'say \\"hi\\"'
 */
function escapeLabelValue(value: string): string {
  return escapeText(value).replace(/"/g, '\\"');
}

/**
 * A sample value or a bucket bound as text: JavaScript's own number formatting (`0.25`, `120`,
 * `1e-7`, `1e+21`), with `+Inf`, `-Inf` and prom-client's `Nan` for the non-finite ones.
 *
 * @example formatValue(1e-7) // '1e-7'
 * @example formatValue(Infinity) // '+Inf'
 */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return `${value}`;
}

/**
 * `name="value"` pairs joined by commas, values escaped. A missing value prints as `undefined`,
 * as prom-client printed it.
 *
 * @example formatLabels(['model', 'status'], ['gpt-4o', '200']) // 'model="gpt-4o",status="200"'
 */
export function formatLabels(names: readonly string[], values: readonly (string | undefined)[]): string {
  return names.map((name, i) => `${name}="${escapeLabelValue(`${values[i]}`)}"`).join(',');
}

/**
 * The default labels a sample shows: those whose name is not in `except` (a series' own label
 * with the same name wins), formatted like {@link formatLabels}.
 *
 * @example defaultLabelText([['instance', 'a'], ['model', 'x']], ['model']) // 'instance="a"'
 */
export function defaultLabelText(defaults: DefaultLabels, except: readonly string[]): string {
  const kept = defaults.filter(([name]) => !except.includes(name));
  return formatLabels(
    kept.map(([name]) => name),
    kept.map(([, value]) => value),
  );
}

/**
 * One sample line: the name, the non-empty label groups in braces (none when all are empty), the
 * value.
 *
 * @example sampleLine('llmtrace_requests_total', ['model="gpt-4o"', ''], 3) // 'llmtrace_requests_total{model="gpt-4o"} 3'
 */
export function sampleLine(name: string, labelGroups: readonly string[], value: number): string {
  const labels = labelGroups.filter((group) => group !== '');
  const braces = labels.length > 0 ? `{${labels.join(',')}}` : '';
  return `${name}${braces} ${formatValue(value)}`;
}
