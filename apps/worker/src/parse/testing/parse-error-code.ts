/** Test helper: the EntryParseError code `fn` throws (failing the test on any other error), or undefined. */
import { expect } from 'vitest';
import { EntryParseError } from '../entry-parse-error.js';

export function parseErrorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EntryParseError);
    return (e as EntryParseError).code;
  }
  return undefined;
}
