/**
 * One wording and one place for a JSON syntax error, whichever reader finds it: the policy
 * loader, a client's config file, the policy editor and the arguments editor all say the same
 * thing at the same line and column.
 */
import { printParseErrorCode, parseTree, type ParseError } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { jsonSyntaxMessage, LineIndex, lineColumn } from '../../shared/json-syntax.ts';
import { parseClientText } from '../../main/core/clients/client-file.ts';
import { formatPolicyIssues, parsePolicy } from '../../main/core/policy/load.ts';
import { checkArguments } from '../../renderer/lib/json-check.ts';
import { parseJsonc } from '../../renderer/views/policy/policy-syntax.ts';

const firstError = (text: string, comments: boolean): ParseError => {
  const errors: ParseError[] = [];
  parseTree(text, errors, { allowTrailingComma: comments, disallowComments: !comments });
  return errors[0]!;
};

describe('line and column of an offset', () => {
  it('counts lines from 1 and columns from 1, after each newline', () => {
    const text = 'ab\ncd\r\n\nef';
    expect(lineColumn(text, 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn(text, 1)).toEqual({ line: 1, column: 2 });
    // The newline itself still belongs to its line.
    expect(lineColumn(text, 2)).toEqual({ line: 1, column: 3 });
    expect(lineColumn(text, 3)).toEqual({ line: 2, column: 1 });
    // \r\n: the \r is a character of line 2, the line ends at \n.
    expect(lineColumn(text, 5)).toEqual({ line: 2, column: 3 });
    expect(lineColumn(text, 7)).toEqual({ line: 3, column: 1 });
    expect(lineColumn(text, 8)).toEqual({ line: 4, column: 1 });
    expect(lineColumn(text, text.length)).toEqual({ line: 4, column: 3 });
    expect(lineColumn('', 0)).toEqual({ line: 1, column: 1 });
  });

  it('gives the same answers from one index as from a fresh count each time', () => {
    const text = Array.from({ length: 200 }, (_, i) => 'x'.repeat(i % 7)).join('\n');
    const index = new LineIndex(text);
    for (let offset = 0; offset <= text.length; offset += 3) {
      let line = 1;
      let start = 0;
      for (let i = 0; i < offset; i++) if (text[i] === '\n') [line, start] = [line + 1, i + 1];
      expect(index.at(offset)).toEqual({ line, column: offset - start + 1 });
    }
  });
});

describe('syntax messages', () => {
  it('names what was expected in words', () => {
    const wording = { comments: true, subject: 'the policy' };
    expect(jsonSyntaxMessage(printParseErrorCode(firstError('{"a": 1 "b": 2}', true).error), wording)).toBe('expected ","');
    expect(jsonSyntaxMessage(printParseErrorCode(firstError('{"a" 1}', true).error), wording)).toBe('expected ":"');
    expect(jsonSyntaxMessage(printParseErrorCode(firstError('{1: 2}', true).error), wording)).toBe('expected a key in double quotes');
    expect(jsonSyntaxMessage(printParseErrorCode(firstError('{"a": "b', true).error), wording)).toBe('string is not closed');
    expect(jsonSyntaxMessage(printParseErrorCode(firstError('{"a": 1} {}', true).error), wording)).toBe('unexpected text after the end of the policy');
    expect(jsonSyntaxMessage('SomethingNew', wording)).toBe('SomethingNew');
  });

  it('says a comment is not allowed where the reader takes none, and that it is broken where it does', () => {
    expect(jsonSyntaxMessage(printParseErrorCode(firstError('{ // note\n}', false).error), { comments: false, subject: 'this file' })).toBe(
      'comments are not allowed in this file',
    );
    expect(jsonSyntaxMessage(printParseErrorCode(firstError('{ /* note\n}', true).error), { comments: true, subject: 'the policy' })).toBe('comment is not closed');
    expect(jsonSyntaxMessage('InvalidCommentToken', { comments: true, subject: 'the policy' })).toBe('invalid comment');
  });
});

describe('every reader reports one mistake the same way', () => {
  const text = '{\n  "version": "1",\n  "default": "deny"\n  "tools": {}\n}';

  it('the policy loader, the policy editor and a client file place and word it alike', () => {
    const loaded = parsePolicy(text);
    expect(loaded.ok).toBe(false);
    expect(loaded.ok === false && formatPolicyIssues(loaded.issues)).toEqual(['policy.json:4:3 /tools: invalid JSON: expected ","']);
    expect(parseJsonc(text)).toEqual([{ path: '', line: 4, column: 3, message: 'expected ","' }]);
    expect(parseClientText(text, false)).toEqual({ error: 'line 4, column 3: expected ","' });
  });

  it('the arguments editor points at the same offset with the same words', () => {
    const check = checkArguments('{"prompt": "a" "size": 2}', undefined);
    expect(check).toEqual({ ok: false, problems: [{ offset: 15, length: 6, message: 'expected ","' }] });
    const comment = checkArguments('{"prompt": "a" /* why */}', undefined);
    expect(comment.ok === false && comment.problems[0]?.message).toBe('comments are not allowed in the arguments');
  });
});
