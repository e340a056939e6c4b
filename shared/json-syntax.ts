/**
 * Words and places for JSON syntax errors, shared by every reader of JSON a person writes
 * (policy.json, client config files, the policy editor, edited arguments), so that one
 * mistake reads the same wherever it is made. Pure: the parser stays with the caller
 * (jsonc-parser, whose `printParseErrorCode` names are the keys here).
 */

export interface LineColumn {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units like the offsets. */
  column: number;
}

/** Line and column of offsets in one text; builds the line table once for many lookups. */
export class LineIndex {
  readonly #lineStarts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.#lineStarts.push(i + 1);
  }

  at(offset: number): LineColumn {
    const starts = this.#lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] as number) + 1 };
  }
}

/** Line and column of one offset. */
export function lineColumn(text: string, offset: number): LineColumn {
  return new LineIndex(text).at(offset);
}

export interface SyntaxWording {
  /** Whether this reader accepts comments: if not, a comment is reported as not allowed. */
  comments: boolean;
  /** What the text is, as in "unexpected text after the end of the policy". */
  subject: string;
}

const MESSAGES: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a key in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":"',
  CommaExpected: 'expected ","',
  CloseBraceExpected: 'expected "}"',
  CloseBracketExpected: 'expected "]"',
  UnexpectedEndOfComment: 'comment is not closed',
  UnexpectedEndOfString: 'string is not closed',
  UnexpectedEndOfNumber: 'number is cut off',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape sequence',
  InvalidCharacter: 'control character in a string (escape it)',
};

/** What a parse error code means, in words; an unknown code is shown as it is. */
export function jsonSyntaxMessage(code: string, wording: SyntaxWording): string {
  if (code === 'InvalidCommentToken') return wording.comments ? 'invalid comment' : `comments are not allowed in ${wording.subject}`;
  if (code === 'EndOfFileExpected') return `unexpected text after the end of ${wording.subject}`;
  return MESSAGES[code] ?? code;
}
