import { describe, expect, test } from 'vitest';
import { trpcUrl } from './trpc-link';

describe('trpcUrl', () => {
  test('one URL for a base with or without trailing slashes, path prefixes kept', () => {
    expect(trpcUrl('https://tasks.example.com')).toBe('https://tasks.example.com/api/trpc');
    expect(trpcUrl('https://tasks.example.com/')).toBe('https://tasks.example.com/api/trpc');
    expect(trpcUrl('https://example.com/tasks//')).toBe('https://example.com/tasks/api/trpc');
  });
});
