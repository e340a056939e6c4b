/**
 * Testing one condition against a call. The answer has three values: holds, fails, or
 * mismatch (the value is there but of a kind the op cannot judge, e.g. `gt` on a string).
 * A mismatch never helps the caller: a `require` it meets fails and a `deny_if` or
 * `ask_if` it meets holds, so sending `"1000"` instead of `1000` cannot slip past a limit.
 */
import type { CompiledCondition } from './compile.ts';
import type { PolicyCall } from '../../../shared/policy/schema.ts';
import { conditionText, formatValue, requirementText } from './describe.ts';

export const FAILS = 0;
export const HOLDS = 1;
export const MISMATCH = 2;
export type Outcome = typeof FAILS | typeof HOLDS | typeof MISMATCH;

function isIndex(segment: string): boolean {
  if (segment.length === 0 || segment.length > 9) return false;
  for (let i = 0; i < segment.length; i++) {
    const code = segment.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return segment.length === 1 || segment.charCodeAt(0) !== 48;
}

/** The value a condition's path points at, or undefined when it is not there. */
export function lookup(condition: CompiledCondition, call: PolicyCall): unknown {
  let current: unknown;
  switch (condition.source) {
    case 'client':
      return call.client;
    case 'server':
      return call.server;
    case 'tool':
      return call.tool;
    case 'annotations':
      current = call.annotations;
      break;
    default:
      current = call.args;
  }
  const segments = condition.segments;
  for (let i = 0; i < segments.length; i++) {
    if (current === null || typeof current !== 'object') return undefined;
    const segment = segments[i] as string;
    if (Array.isArray(current)) {
      if (!isIndex(segment)) return undefined;
      current = current[Number(segment)];
    } else {
      // Own keys only: `args.constructor` must not reach Object.prototype.
      if (!Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  for (const key of keysA) {
    if (!Object.hasOwn(b, key)) return false;
    if (!jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

function isMember(condition: CompiledCondition, actual: unknown): boolean {
  if (condition.set) return condition.set.has(actual);
  const list = condition.value as readonly unknown[];
  for (let i = 0; i < list.length; i++) if (jsonEqual(list[i], actual)) return true;
  return false;
}

function sizeOf(actual: unknown): number {
  if (typeof actual === 'string' || Array.isArray(actual)) return actual.length;
  if (actual !== null && typeof actual === 'object') return Object.keys(actual).length;
  return -1;
}

/** Tests a condition against the value its path points at. */
export function testValue(condition: CompiledCondition, actual: unknown): Outcome {
  const op = condition.op;
  if (op === 'exists') return (actual !== undefined) === condition.expect ? HOLDS : FAILS;
  // An absent value equals nothing and is in nothing; it cannot be compared or measured.
  if (actual === undefined) return op === 'neq' || op === 'not_in' ? HOLDS : FAILS;
  switch (op) {
    case 'eq':
      return jsonEqual(actual, condition.value) ? HOLDS : FAILS;
    case 'neq':
      return jsonEqual(actual, condition.value) ? FAILS : HOLDS;
    case 'in':
      return isMember(condition, actual) ? HOLDS : FAILS;
    case 'not_in':
      return isMember(condition, actual) ? FAILS : HOLDS;
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      if (typeof actual !== 'number') return MISMATCH;
      const limit = condition.value as number;
      const holds =
        op === 'lt' ? actual < limit : op === 'lte' ? actual <= limit : op === 'gt' ? actual > limit : actual >= limit;
      return holds ? HOLDS : FAILS;
    }
    case 'matches': {
      const regex = condition.regex as RegExp;
      if (typeof actual === 'string') return regex.test(actual) ? HOLDS : FAILS;
      if (typeof actual === 'number' || typeof actual === 'boolean') return regex.test(String(actual)) ? HOLDS : FAILS;
      return MISMATCH;
    }
    case 'contains': {
      const wanted = condition.value;
      if (typeof actual === 'string') {
        if (wanted === null || typeof wanted === 'object') return MISMATCH;
        return actual.includes(String(wanted)) ? HOLDS : FAILS;
      }
      if (Array.isArray(actual)) {
        for (let i = 0; i < actual.length; i++) if (jsonEqual(actual[i], wanted)) return HOLDS;
        return FAILS;
      }
      if (actual !== null && typeof actual === 'object' && typeof wanted === 'string') {
        return Object.hasOwn(actual, wanted) ? HOLDS : FAILS;
      }
      return MISMATCH;
    }
    case 'length_lt':
    case 'length_gt': {
      const size = sizeOf(actual);
      if (size < 0) return MISMATCH;
      return (op === 'length_lt' ? size < (condition.value as number) : size > (condition.value as number)) ? HOLDS : FAILS;
    }
  }
}

export function testCondition(condition: CompiledCondition, call: PolicyCall): Outcome {
  return testValue(condition, lookup(condition, call));
}

/** Why a condition decided, in words (only built for decisions that need it). */
export function explainCondition(condition: CompiledCondition, call: PolicyCall, outcome: Outcome): string {
  const actual = lookup(condition, call);
  const got = actual === undefined ? `${condition.path} is missing` : `got ${formatValue(actual)}`;
  if (condition.role === 'require') return `${requirementText(condition)} (${got})`;
  if (outcome === MISMATCH) return `${conditionText(condition)} cannot be ruled out (${got})`;
  return actual === undefined ? `${conditionText(condition)} (${got})` : conditionText(condition);
}
