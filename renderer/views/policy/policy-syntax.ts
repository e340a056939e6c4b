/** Syntax errors of a policy text as the core reports them (line, column), found locally while typing. */
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { PolicyProblem } from '../../../shared/api/contract.ts';

const MESSAGES: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a key in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":"',
  CommaExpected: 'expected ","',
  CloseBraceExpected: 'expected "}"',
  CloseBracketExpected: 'expected "]"',
  EndOfFileExpected: 'unexpected text after the end of the policy',
  InvalidCommentToken: 'invalid comment',
  UnexpectedEndOfComment: 'comment is not closed',
  UnexpectedEndOfString: 'string is not closed',
  UnexpectedEndOfNumber: 'number is cut off',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape sequence',
  InvalidCharacter: 'control character in a string (escape it)',
};

function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** The first syntax error, if any. Comments and trailing commas are fine, as in the core's loader. */
export function parseJsonc(text: string): PolicyProblem[] {
  const errors: ParseError[] = [];
  parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  // After the first syntax error the parser's further complaints are mostly echoes of it.
  return errors.slice(0, 1).map((e) => ({ path: '', ...position(text, e.offset), message: MESSAGES[printParseErrorCode(e.error)] ?? printParseErrorCode(e.error) }));
}
