/**
 * Which limits a draft policy changes. The policy review replays recent calls against a
 * draft without the counters each call met, so a changed limit is never replayed; the
 * review names these instead of claiming nothing would change.
 */
import { parse as parseJsonc } from 'jsonc-parser';
import { canonicalJson } from '../store/canonical-json.ts';

/** JSON pointers of every `limits` list in a policy document, with its canonical text. */
function limitsByPointer(doc: unknown, pointer = '', out = new Map<string, string>()): Map<string, string> {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return out;
  for (const [key, value] of Object.entries(doc)) {
    const child = `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (key === 'limits' && Array.isArray(value)) {
      if (value.length) out.set(child, canonicalJson(value));
    } else {
      limitsByPointer(value, child, out);
    }
  }
  return out;
}

/** Policies may hold comments and trailing commas; an unreadable text has no limits. */
function parse(text: string): unknown {
  return parseJsonc(text, [], { allowTrailingComma: true }) ?? {};
}

/** Pointers of the limits lists added, removed or changed from `currentText` to `draftText`, sorted. */
export function limitChanges(currentText: string, draftText: string): string[] {
  const before = limitsByPointer(parse(currentText));
  const after = limitsByPointer(parse(draftText));
  const changed = new Set<string>();
  for (const [pointer, text] of after) if (before.get(pointer) !== text) changed.add(pointer);
  for (const pointer of before.keys()) if (!after.has(pointer)) changed.add(pointer);
  return [...changed].sort();
}
