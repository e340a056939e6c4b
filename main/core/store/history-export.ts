/**
 * The export formats of the history. JSONL is the faithful one (one entry per line, parses
 * back to the same entries); CSV is for spreadsheets: one flat row per call, times in ISO
 * 8601, RFC 4180 quoting.
 */
import type { HistoryEntry } from '../../../shared/history.ts';
import { OUTCOMES } from '../../../shared/outcomes.ts';

export function toJsonLine(entry: HistoryEntry): string {
  return JSON.stringify(entry) + '\n';
}

const iso = (ms: number | undefined): string => (ms === undefined ? '' : new Date(ms).toISOString());

const CSV_FIELDS: ReadonlyArray<readonly [string, (entry: HistoryEntry) => string | number | boolean | undefined]> = [
  ['id', (e) => e.id],
  ['receivedAt', (e) => iso(e.receivedAt)],
  ['server', (e) => e.server],
  ['tool', (e) => e.tool],
  ['client', (e) => e.client],
  ['clientName', (e) => e.clientInfo?.name],
  ['clientVersion', (e) => e.clientInfo?.version],
  ['sessionId', (e) => e.sessionId],
  ['state', (e) => e.state],
  ['decision', (e) => e.decision ?? undefined],
  ['decidedBy', (e) => e.decidedBy?.kind],
  ['decidedByRule', (e) => e.decidedBy?.rule],
  ['decidedByDetail', (e) => e.decidedBy?.detail],
  ['decidedAt', (e) => iso(e.decidedAt)],
  ['completedAt', (e) => iso(e.completedAt)],
  ['waitMs', (e) => e.waitMs],
  ['upstreamMs', (e) => e.upstreamMs],
  ['reason', (e) => e.reason],
  ['userMessage', (e) => e.userMessage],
  ['isError', (e) => e.result?.isError],
  ['contentTypes', (e) => e.result?.contentTypes.join(' ')],
  ['textPreview', (e) => e.result?.textPreview],
  ['error', (e) => e.error],
  ['arguments', (e) => JSON.stringify(e.arguments)],
  // Added later, so after the first columns: sheets built on the old order keep working.
  ['outcome', (e) => (e.decision ? OUTCOMES[e.decision].label : 'Waiting')],
  ['originalArguments', (e) => (e.originalArguments ? JSON.stringify(e.originalArguments) : undefined)],
  ['retryOf', (e) => e.retryOf],
  ['retriedBy', (e) => e.retriedBy],
];

export const CSV_HEADER = CSV_FIELDS.map(([name]) => name).join(',') + '\r\n';

/**
 * One CSV field. Quoted when it holds a comma, quote or line break (quotes doubled). Text
 * that a spreadsheet would run as a formula (= + - @ at the start) gets a leading
 * apostrophe: arguments and results come from agents and servers, and opening an export
 * must not execute what they wrote.
 */
export function csvField(value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsvRow(entry: HistoryEntry): string {
  return CSV_FIELDS.map(([, get]) => csvField(get(entry))).join(',') + '\r\n';
}
