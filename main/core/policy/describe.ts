/**
 * Policy pieces in words, for refusal texts (read by models), history reasons and the
 * `airlock policy check` summary (read by people). One phrasing for all three, so what
 * the summary promises is what a refusal says.
 */
import type { CompiledCondition, CompiledLimit } from './compile.ts';
import type { Op, Scope } from '../../../shared/policy/schema.ts';

/** A value as JSON, cut short: arguments can be whole files or base64 images. */
export function formatValue(value: unknown, max = 80): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function operand(condition: CompiledCondition): string {
  if (condition.op === 'matches' && condition.regex) return `/${condition.regex.source}/${condition.regex.flags}`;
  return formatValue(condition.value, 200);
}

const HOLDS_PHRASE: Record<Op, string> = {
  eq: 'is',
  neq: 'is not',
  in: 'is one of',
  not_in: 'is not one of',
  lt: 'is less than',
  lte: 'is at most',
  gt: 'is greater than',
  gte: 'is at least',
  matches: 'matches',
  contains: 'contains',
  exists: 'is present',
  length_lt: 'is shorter than',
  length_gt: 'is longer than',
};

const MUST_PHRASE: Record<Op, string> = {
  eq: 'must be',
  neq: 'must not be',
  in: 'must be one of',
  not_in: 'must not be one of',
  lt: 'must be less than',
  lte: 'must be at most',
  gt: 'must be greater than',
  gte: 'must be at least',
  matches: 'must match',
  contains: 'must contain',
  exists: 'must be present',
  length_lt: 'must be shorter than',
  length_gt: 'must be longer than',
};

function phrase(table: Record<Op, string>, condition: CompiledCondition): string {
  if (condition.op === 'exists') {
    const present = table.exists;
    return condition.expect ? present : present.replace('present', 'absent');
  }
  return `${table[condition.op]} ${operand(condition)}`;
}

/** `args.prompt matches /nsfw/i` */
export function conditionText(condition: CompiledCondition): string {
  return `${condition.path} ${phrase(HOLDS_PHRASE, condition)}`;
}

/** `args.size must be one of ["1K","2K"]` */
export function requirementText(condition: CompiledCondition): string {
  return `${condition.path} ${phrase(MUST_PHRASE, condition)}`;
}

/** 60 → "minute", 7200 → "2 hours", 90 → "90 seconds". */
export function windowText(seconds: number): string {
  const units: [number, string][] = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  for (const [size, name] of units) {
    if (seconds % size === 0) {
      const n = seconds / size;
      return n === 1 ? name : `${n} ${name}s`;
    }
  }
  return `${seconds} seconds`;
}

export function scopeText(scope: Scope): string {
  if (scope === 'client') return 'per client';
  if (scope === 'session') return 'per session';
  return 'across all clients';
}

/** "at most 10 calls per minute per client" */
export function limitText(limit: CompiledLimit): string {
  const calls = limit.max === 1 ? 'call' : 'calls';
  return `at most ${limit.max} ${calls} per ${windowText(limit.windowSeconds)} ${scopeText(limit.scope)}`;
}

/** Counters named after their limit's pointer are not worth repeating. */
export function counterText(limit: CompiledLimit): string {
  return limit.counter === limit.pointer ? '' : ` (counter "${limit.counter}")`;
}
