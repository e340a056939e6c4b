/**
 * History entry ids and their row numbers. An entry's row number (seq) is
 * `receivedAt * 1024 + n`, n counting calls that arrived in the same millisecond, and its id
 * is that pair in Crockford base 32 (10 + 2 characters). So the id, the row number and
 * (receivedAt, id) all sort the same way, and the keyset cursor is just an id.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const COUNTER_CHARS = 2;
export const PER_MS = 1024;
/** 10 base-32 characters hold 50 bits of milliseconds: far beyond any clock we will see. */
export const MAX_MS = 2 ** 50 - 1;

function encode(value: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = ALPHABET.charAt(value % 32) + out;
    value = Math.floor(value / 32);
  }
  return out;
}

function decode(text: string): number {
  let value = 0;
  for (const char of text) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) throw new RangeError(`not a history id: ${text}`);
    value = value * 32 + digit;
  }
  return value;
}

export function seqToId(seq: number): string {
  const ms = Math.floor(seq / PER_MS);
  return encode(ms, TIME_CHARS) + encode(seq % PER_MS, COUNTER_CHARS);
}

/** The row number of an id, or undefined when the text is not an id. */
export function idToSeq(id: string): number | undefined {
  if (id.length !== TIME_CHARS + COUNTER_CHARS) return undefined;
  try {
    const ms = decode(id.slice(0, TIME_CHARS));
    const n = decode(id.slice(TIME_CHARS));
    if (n >= PER_MS || ms > MAX_MS) return undefined;
    return ms * PER_MS + n;
  } catch {
    return undefined;
  }
}

/** The first row number of a millisecond. */
export function msToSeq(ms: number): number {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_MS) throw new RangeError(`not a time in ms: ${ms}`);
  return ms * PER_MS;
}
