import { describe, expect, it } from 'vitest';
import { CallAbort, upstreamTarget } from './upstream.js';

// What the proxy did before the fast path: join through the WHATWG URL setters every time.
function viaUrl(base: string, path: string, search: string): { origin: string; path: string } {
  const u = new URL(base);
  const basePath = u.pathname.endsWith('/') ? u.pathname.slice(0, -1) : u.pathname;
  u.pathname = basePath + path;
  u.search = search;
  return { origin: u.origin, path: u.pathname + u.search };
}

describe('upstreamTarget', () => {
  const bases = [
    'http://127.0.0.1:4010',
    'https://api.example.com/',
    'https://gw.example/openai/v1/',
    'http://h:1/a b',
  ];
  const paths = [
    '/v1/chat/completions',
    '/',
    '',
    '*',
    '/v1/../admin',
    '/v1/./x',
    '/v1/%2e%2e/admin',
    '/v1/%2E./x',
    '/.hidden/x',
    '/a..b/c.',
    '/a b/"q"/<x>',
    '/a\\b',
    '/x%zz/%41',
    "/it's/~user/(1)+[2]",
    '//double//slash',
    '/ünï/ça',
    '/a?b',
    '/a#b',
    '/x/..',
  ];
  const searches = ['', '?', '?a=1&b=2', "?q='x'", '?q=a b', '?q="<>"', '?a=%zz&b=/?:@', '?#x', '?ü=1'];

  it('gives exactly what the URL parser gives, for plain and hostile paths alike', () => {
    for (const base of bases)
      for (const path of paths)
        for (const search of searches)
          expect(upstreamTarget(base, path, search), `${base} ${path} ${search}`).toEqual(
            viaUrl(base, path, search),
          );
  });

  it('throws on a base that is not a URL, as the parser does', () => {
    expect(() => upstreamTarget('not a url', '/v1', '')).toThrow();
  });
});

describe('CallAbort', () => {
  it('tells its listeners once, and stays aborted', () => {
    const abort = new CallAbort();
    let calls = 0;
    abort.once('abort', () => calls++);
    expect(abort.aborted).toBe(false);
    abort.abort();
    abort.abort();
    expect(abort.aborted).toBe(true);
    expect(calls).toBe(1);
  });
});
