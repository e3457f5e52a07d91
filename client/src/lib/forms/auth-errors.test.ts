import { afterEach, beforeEach, describe, expect, test, vi, type MockInstance } from 'vitest';
import { describeAuthError } from './auth-errors';

describe('describeAuthError', () => {
  let warn: MockInstance<typeof console.warn>;
  beforeEach(() => {
    warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  test.each([
    ['INVALID_ORIGIN', 403, 'Invalid origin'],
    ['MISSING_OR_NULL_ORIGIN', 403, 'Missing or null Origin'],
    ['CROSS_SITE_NAVIGATION_LOGIN_BLOCKED', 403, 'Cross-site navigation login blocked'],
  ])('%s is explained as an address problem, never in the server’s words', (code, status, raw) => {
    const problem = describeAuthError({ status, code, message: raw }, 'sign-in', null);
    expect(problem.message).toContain('Open the app from its usual address');
    expect(problem.message).not.toContain(raw);
    expect(warn).toHaveBeenCalledWith(`[auth] sign-in refused: ${status} ${code}`);
  });

  test('every refusal is a sentence with something to do, not the raw message', () => {
    const cases = [
      { status: 400, code: 'VALIDATION_ERROR', message: 'Invalid body' },
      { status: 413, message: 'Request body too large' },
      { status: 503, message: 'unavailable' },
      { status: 500, message: 'Internal Server Error' },
      { status: 0, message: 'Failed to fetch' },
      { status: 418, code: 'SOMETHING_NEW', message: 'Something new' },
    ];
    for (const error of cases) {
      const { message } = describeAuthError(error, 'sign-up', null);
      expect(message).not.toContain(error.message);
      expect(message).toMatch(/try again/i);
    }
  });

  test('429 says how long to wait', () => {
    expect(describeAuthError({ status: 429 }, 'sign-in', 120).message).toBe(
      'Too many attempts. Try again in 2 minutes.',
    );
  });
});
