/**
 * The agent is told when a person changed its arguments: otherwise it reads a result for a
 * call it never made and reasons from the wrong inputs. The notice is the result's first
 * content item, so it is read before the result itself.
 */
import type { CallToolResult } from '@modelcontextprotocol/server';
import { canonicalJson } from '../store/canonical-json.ts';
import { createRedactor, DEFAULT_REDACT_KEYS } from '../store/redact.ts';

/** New values up to this long are quoted in the notice; longer ones (images) are only named. */
const QUOTE_MAX_CHARS = 80;

export interface ArgumentChanges {
  changed: string[];
  added: string[];
  removed: string[];
}

/** Which top-level arguments differ (by meaning: key order does not count). */
export function argumentChanges(original: Record<string, unknown>, edited: Record<string, unknown>): ArgumentChanges {
  const changes: ArgumentChanges = { changed: [], added: [], removed: [] };
  for (const key of Object.keys(edited)) {
    if (!(key in original)) changes.added.push(key);
    else if (canonicalJson(original[key]) !== canonicalJson(edited[key])) changes.changed.push(key);
  }
  for (const key of Object.keys(original)) if (!(key in edited)) changes.removed.push(key);
  return changes;
}

/**
 * The notice's text. New values are quoted when short, after the same key and pattern
 * redaction the history applies: a secret a person typed in must not reach the model.
 */
export function editNoticeText(original: Record<string, unknown>, edited: Record<string, unknown>, redactKeys: readonly string[] = []): string {
  const { changed, added, removed } = argumentChanges(original, edited);
  const redacted = createRedactor({ keys: [...DEFAULT_REDACT_KEYS, ...redactKeys] })(edited) as Record<string, unknown>;
  const withValue = (key: string) => {
    const text = JSON.stringify(redacted[key]) ?? 'null';
    return text.length <= QUOTE_MAX_CHARS ? `${key} (now ${text})` : key;
  };
  const parts = [
    changed.length && `changed ${changed.map(withValue).join(', ')}`,
    added.length && `added ${added.map(withValue).join(', ')}`,
    removed.length && `removed ${removed.join(', ')}`,
  ].filter(Boolean);
  return (
    `[Airlock] A person edited the arguments of this call before approving it: ${parts.join('; ') || 'no argument changed in value'}. ` +
    'The result below is for the edited arguments, not the ones you sent.'
  );
}

/** The result with the notice as its first content item. */
export function withEditNotice(result: CallToolResult, original: Record<string, unknown>, edited: Record<string, unknown>, redactKeys?: readonly string[]): CallToolResult {
  return { ...result, content: [{ type: 'text', text: editNoticeText(original, edited, redactKeys) }, ...(result.content ?? [])] };
}
