import { describe, expect, it } from 'vitest';
import { safeNext, signInPath } from './safe-next';

const ORIGIN = 'http://tasks.example';

/** What the sign-in page gets: `next` as URLSearchParams decodes it from the address bar. */
const fromQuery = (query: string) => new URLSearchParams(query).get('next');

describe('safeNext', () => {
  it.each(['/', '/?filter=active', '/tasks/123', '/?filter=completed#top', '/%2F%2Fevil.example'])(
    'keeps the same-origin path %s',
    (next) => {
      expect(safeNext(next, ORIGIN)).toBe(next);
    },
  );

  it.each([
    ['a tab stripped by the URL parser', fromQuery('next=/%09/evil.example')],
    ['a newline', fromQuery('next=/%0A/evil.example')],
    ['a carriage return', fromQuery('next=/%0D/evil.example')],
    ['a NUL', fromQuery('next=/%00/evil.example')],
    ['DEL', fromQuery('next=/%7F/evil.example')],
    ['a backslash', '/\\evil.example'],
    ['a backslash later on', '/a/..\\..\\evil.example'],
    ['a protocol-relative URL', '//evil.example'],
    ['an absolute URL', 'https://evil.example/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a relative path', 'evil.example'],
    ['nothing', ''],
    ['null', null],
    ['the sign-in page', '/sign-in'],
    ['the sign-up page', '/sign-up?next=/'],
    ['a dot path to the sign-in page', '/x/../sign-in'],
  ])('refuses %s', (_label, next) => {
    expect(safeNext(next, ORIGIN)).toBe('/');
  });

  it('returns what the URL parser read, so the checked path is the one navigated to', () => {
    expect(safeNext('/a/./b/../c?x=1', ORIGIN)).toBe('/a/c?x=1');
  });

  it('defaults to the page origin', () => {
    expect(safeNext('/?filter=active')).toBe('/?filter=active');
    expect(safeNext(fromQuery('next=/%09/evil.example'))).toBe('/');
  });

  it('survives the sign-in round trip', () => {
    const next = '/?filter=active';
    expect(safeNext(fromQuery(signInPath(next).split('?')[1] ?? ''), ORIGIN)).toBe(next);
  });
});
