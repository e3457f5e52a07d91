import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { INFO_NOTICE_MS, useNotices } from './notices';

describe('useNotices', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  test('an informational notice expires by itself; an error stays until dismissed', () => {
    const { result } = renderHook(() => useNotices());
    act(() => {
      result.current.push('error', 'Could not save.');
      result.current.push('info', 'Deleted elsewhere.');
    });
    expect(result.current.notices.map((n) => n.text)).toEqual(['Could not save.', 'Deleted elsewhere.']);
    act(() => vi.advanceTimersByTime(INFO_NOTICE_MS - 1));
    expect(result.current.notices).toHaveLength(2);
    act(() => vi.advanceTimersByTime(1));
    expect(result.current.notices.map((n) => n.text)).toEqual(['Could not save.']);
    act(() => vi.advanceTimersByTime(60_000));
    expect(result.current.notices.map((n) => n.text)).toEqual(['Could not save.']);
  });

  test('keeps at most five, newest last, without repeating a text', () => {
    const { result } = renderHook(() => useNotices());
    act(() => {
      for (const text of ['a', 'b', 'c', 'a', 'd', 'e', 'f']) result.current.push('error', text);
    });
    expect(result.current.notices.map((n) => n.text)).toEqual(['c', 'a', 'd', 'e', 'f']);
  });
});
