/** Saving the history export through whatever the bridge offers. */
import type { UiBridge } from '../bridge/bridge.ts';
import { toQuery, type HistoryFilterState } from '../state/history-store.ts';

export function exportFilter(filter: HistoryFilterState): Record<string, string> {
  const query = toQuery(filter);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return out;
}

export async function exportHistory(bridge: UiBridge, format: 'jsonl' | 'csv', filter: HistoryFilterState): Promise<void> {
  if (!bridge.download) throw new Error('Export is not available here.');
  await bridge.download(format, exportFilter(filter));
}
