const WHITESPACE_RUN = /\s+/g;
// Whitespace that collapsing would change: anything but a lone space.
const UNEVEN_WHITESPACE = /[^\S ]| {2}/;

/** `s` with every whitespace run made one space (`s` itself when that changes nothing). */
function collapseWhitespace(s: string): string {
  return UNEVEN_WHITESPACE.test(s) ? s.replace(WHITESPACE_RUN, ' ') : s;
}

/**
 * Build a redacted excerpt for a finding: a little context on each side and the match itself
 * masked so that a secret or an identifier never appears in full in logs or storage.
 *
 * @example
 * redactExcerpt('mail jane@example.com now', 5, 21, 'pii.email'); // 'mail [REDACTED:pii.email:16] now'
 */
export function redactExcerpt(text: string, start: number, end: number, type: string): string {
  // Never copy or regex-scan a huge match: only its ends are shown.
  const match =
    end - start > 200
      ? `${text.slice(start, start + 100)} ${text.slice(end - 40, end)}`
      : text.slice(start, end);
  const matchLength = end - start;
  const before = collapseWhitespace(text.slice(Math.max(0, start - 24), start));
  const after = collapseWhitespace(text.slice(end, end + 24));
  let shown: string;
  if (type.startsWith('secret.') || type.startsWith('pii.') || type.startsWith('leak.credentials')) {
    // Keep at most a 4-character prefix (enough to tell `sk-p…` from `AKIA…`) and the length.
    const keep = type.startsWith('secret.') ? Math.min(4, Math.floor(matchLength / 4)) : 0;
    shown = `${match.slice(0, keep)}[REDACTED:${type}:${matchLength}]`;
  } else {
    const flat = collapseWhitespace(match);
    shown = flat.length > 80 ? `${flat.slice(0, 60)}…${flat.slice(-16)}` : flat;
  }
  const customLike = !type.startsWith('secret.') && !type.startsWith('pii.');
  const ctxBefore = customLike ? before : before.replace(/[A-Za-z0-9+/=_-]{12,}/g, '…');
  const ctxAfter = customLike ? after : after.replace(/[A-Za-z0-9+/=_-]{12,}/g, '…');
  return `${start > 24 ? '…' : ''}${ctxBefore}${shown}${ctxAfter}${end + 24 < text.length ? '…' : ''}`;
}
