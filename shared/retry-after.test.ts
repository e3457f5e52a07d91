import { describe, expect, it } from 'vitest';
import { retryAfterMessage, retryAfterSeconds } from './retry-after';

describe('retry-after', () => {
  it('reads Retry-After, then X-Retry-After, and ignores HTTP dates and junk', () => {
    expect(retryAfterSeconds(new Headers({ 'retry-after': '30' }))).toBe(30);
    expect(retryAfterSeconds(new Headers({ 'x-retry-after': '12' }))).toBe(12);
    expect(retryAfterSeconds(new Headers({ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }))).toBeNull();
    expect(retryAfterSeconds(new Headers({ 'retry-after': '-1' }))).toBeNull();
    expect(retryAfterSeconds(new Headers())).toBeNull();
  });

  it('words the wait for a person', () => {
    expect(retryAfterMessage(1)).toBe('Too many attempts. Try again in 1 second.');
    expect(retryAfterMessage(45)).toBe('Too many attempts. Try again in 45 seconds.');
    expect(retryAfterMessage(61)).toBe('Too many attempts. Try again in 2 minutes.');
    expect(retryAfterMessage(null)).toBe('Too many attempts. Try again later.');
  });
});
