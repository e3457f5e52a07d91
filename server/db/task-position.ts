/**
 * Keys of the manual order (decisions D37), made with the `fractional-indexing` package: strings
 * that sort byte by byte (`collate "C"` in the database), with a key between any two.
 */
import { generateKeyBetween, generateNKeysBetween } from 'fractional-indexing';

/**
 * A move whose key would be longer than this rewrites the owner's keys instead (short again).
 * Keys grow by about one character per six moves into the same gap; the database refuses keys
 * over 100 characters (task_position_format), and cursors carry a key.
 */
export const POSITION_RESPACE_LENGTH = 50;

/** A key sorting after `lower` and before `upper` (null: no bound on that side). */
export const positionBetween = (lower: string | null, upper: string | null): string =>
  generateKeyBetween(lower, upper);

/** `count` short keys in ascending order, for rewriting a whole list. */
export const freshPositions = (count: number): string[] => generateNKeysBetween(null, null, count);
