/**
 * Checking JSON text a person edits: syntax errors with their position, and problems
 * against a JSON Schema (a tool's inputSchema) located at the offending value.
 */
import { findNodeAtLocation, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { jsonSyntaxMessage } from '../../shared/json-syntax.ts';
import type { EditorProblem } from '../components/json-editor.tsx';

export type JsonCheck = { ok: true; value: unknown } | { ok: false; problems: EditorProblem[] };

/** Strict JSON (no comments, no trailing commas): what a tool receives. */
export function parseJson(text: string): JsonCheck {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length > 0 || !tree) {
    // After the first syntax error the parser's further complaints are mostly echoes of it.
    const problems = errors.slice(0, 1).map((e) => ({ offset: e.offset, length: e.length, message: jsonSyntaxMessage(printParseErrorCode(e.error), { comments: false, subject: 'the arguments' }) }));
    return { ok: false, problems: problems.length ? problems : [{ offset: 0, message: 'expected a JSON value' }] };
  }
  return { ok: true, value: JSON.parse(text) as unknown };
}

const schemaCache = new WeakMap<object, z.ZodType | null>();

function compile(schema: Record<string, unknown>): z.ZodType | null {
  if (schemaCache.has(schema)) return schemaCache.get(schema)!;
  let compiled: z.ZodType | null;
  try {
    compiled = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch {
    // A schema this checker cannot read: the core still validates on approval.
    compiled = null;
  }
  schemaCache.set(schema, compiled);
  return compiled;
}

/** Checks edited arguments: JSON syntax, an object, then the tool's inputSchema. */
export function checkArguments(text: string, schema: Record<string, unknown> | undefined): JsonCheck {
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed;
  if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
    return { ok: false, problems: [{ offset: 0, message: 'arguments must be a JSON object' }] };
  }
  const validator = schema ? compile(schema) : null;
  if (!validator) return parsed;
  const result = validator.safeParse(parsed.value);
  if (result.success) return parsed;
  const tree = parseTree(text);
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const node = tree ? findNodeAtLocation(tree, path) : undefined;
    const where = path.length ? `${path.join('.')}: ` : '';
    // A missing key is reported at its parent object.
    const at = node ?? (tree ? findNodeAtLocation(tree, path.slice(0, -1)) : undefined);
    return { offset: at?.offset ?? 0, length: node ? node.length : 1, message: `${where}${issue.message}` };
  });
  return { ok: false, problems };
}

export interface ValueProblem {
  path: Array<string | number>;
  message: string;
}

/** Checks arguments edited in a form (a value, not text) against the tool's inputSchema. */
export function checkValue(value: Record<string, unknown>, schema: Record<string, unknown> | undefined): { ok: true } | { ok: false; problems: ValueProblem[] } {
  const validator = schema ? compile(schema) : null;
  if (!validator) return { ok: true };
  const result = validator.safeParse(value);
  if (result.success) return { ok: true };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      return { path, message: `${path.length ? `${path.join('.')}: ` : ''}${issue.message}` };
    }),
  };
}
