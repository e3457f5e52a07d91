import { z } from 'zod';

/** Length as a person counts it: code points, so an emoji is one character, not two. */
const codePointLength = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/**
 * Trimmed user text with a length counted in code points. Refuses what PostgreSQL cannot
 * store (NUL) and strings that are not valid Unicode (lone surrogates).
 */
export const userText = (label: string, { min, max }: { min: number; max: number }) =>
  z
    .string()
    .trim()
    .refine((s) => !s.includes('\u0000'), `${label} must not contain NUL characters`)
    .refine((s) => s.isWellFormed(), `${label} must be valid Unicode text`)
    .refine(
      (s) => codePointLength(s) >= min,
      min === 1 ? `${label} is required` : `${label} must be at least ${min} characters`,
    )
    .refine((s) => codePointLength(s) <= max, `${label} must be at most ${max} characters`);
