/** Syntax errors of a policy text as the core reports them (line, column), found locally while typing. */
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { PolicyProblem } from '../../../shared/api/contract.ts';
import { jsonSyntaxMessage, lineColumn } from '../../../shared/json-syntax.ts';

/** The first syntax error, if any. Comments and trailing commas are fine, as in the core's loader. */
export function parseJsonc(text: string): PolicyProblem[] {
  const errors: ParseError[] = [];
  parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  // After the first syntax error the parser's further complaints are mostly echoes of it.
  return errors.slice(0, 1).map((e) => ({
    path: '',
    ...lineColumn(text, e.offset),
    message: jsonSyntaxMessage(printParseErrorCode(e.error), { comments: true, subject: 'the policy' }),
  }));
}
