/** The History page: filters, the virtualised timeline, the selected call's details, export. */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { HistoryEntry } from '../../../shared/history.ts';
import { bridge } from '../../bridge/bridge.ts';
import { DownloadIcon } from '../../components/icons.tsx';
import { exportHistory } from '../../lib/export.ts';
import { isEditable } from '../../lib/keyboard.ts';
import { href, navigate, useLocation } from '../../lib/router.ts';
import { useHistoryStore, type HistoryFilterState } from '../../state/history-store.ts';
import { HistoryDetail } from './history-detail.tsx';
import { HistoryFilters } from './history-filters.tsx';
import { Timeline } from './timeline.tsx';

export function HistoryView() {
  const { param } = useLocation();
  const entries = useHistoryStore((s) => s.entries);
  const filter = useHistoryStore((s) => s.filter);
  const loaded = useHistoryStore((s) => s.loaded);
  const loading = useHistoryStore((s) => s.loading);
  const loadingMore = useHistoryStore((s) => s.loadingMore);
  const nextCursor = useHistoryStore((s) => s.nextCursor);
  const error = useHistoryStore((s) => s.error);
  const [exportError, setExportError] = useState<string | undefined>();
  const [exporting, setExporting] = useState(false);
  const [fetched, setFetched] = useState<HistoryEntry | undefined>();

  useEffect(() => useHistoryStore.getState().ensureLoaded(), []);

  // The selection lives in the URL (#/history/<id>) so a link can open one call.
  const selectedId = param;
  const selected = entries.find((e) => e.id === selectedId) ?? (fetched?.id === selectedId ? fetched : undefined);
  useEffect(() => {
    if (!selectedId || entries.some((e) => e.id === selectedId)) return;
    let stale = false;
    bridge()
      .call('history.get', { id: selectedId })
      .then((entry) => !stale && setFetched(entry))
      .catch(() => undefined);
    return () => {
      stale = true;
    };
  }, [selectedId, entries]);

  const clients = useMemo(() => [...new Set(entries.slice(0, 2000).map((e) => e.client))].sort(), [entries]);
  const seenTools = useMemo(() => [...new Set(entries.slice(0, 2000).map((e) => e.tool))], [entries]);
  const setFilter = useCallback((f: HistoryFilterState) => useHistoryStore.getState().setFilter(f), []);
  const loadMore = useCallback(() => void useHistoryStore.getState().loadMore(), []);
  // Replace, not push: moving through the list with the arrow keys must not fill the back button.
  const select = useCallback((id: string) => {
    history.replaceState(null, '', href('history', id));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  }, []);

  const doExport = async (format: 'jsonl' | 'csv') => {
    setExporting(true);
    setExportError(undefined);
    try {
      await exportHistory(bridge(), format, filter);
    } catch (err) {
      setExportError((err as Error).message);
    } finally {
      setExporting(false);
    }
  };

  // Escape closes the details, unless a field or menu wants it.
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === 'Escape' && selectedId && !isEditable(event.target)) {
      event.preventDefault();
      navigate('history');
    }
  };

  return (
    <div className="page page-fill page-history" onKeyDown={onKeyDown}>
      <header className="page-head">
        <h1>History</h1>
        <button type="button" className="btn btn-small" disabled={exporting} onClick={() => void doExport('jsonl')}>
          <DownloadIcon /> Export JSONL
        </button>
        <button type="button" className="btn btn-small" disabled={exporting} onClick={() => void doExport('csv')}>
          <DownloadIcon /> Export CSV
        </button>
      </header>
      <HistoryFilters filter={filter} onChange={setFilter} clients={clients} seenTools={seenTools} />
      {(error || exportError) && (
        <p className="banner banner-error" role="alert">
          {error ?? exportError}
        </p>
      )}
      <div className={`history-split${selected ? ' has-detail' : ''}`}>
        <div className="history-list" aria-busy={loading}>
          {loaded && entries.length === 0 ? (
            <div className="empty" role="status">
              <p className="empty-title">{Object.keys(filter).length ? 'No calls match these filters' : 'No calls yet'}</p>
              <p className="muted">{Object.keys(filter).length ? 'Try a wider time range or clear the filters.' : 'Calls your agents make through Airlock show up here.'}</p>
            </div>
          ) : (
            // A new filter is a new list: start it at the top.
            <Timeline key={JSON.stringify(filter)} entries={entries} selectedId={selectedId} onSelect={select} onNearEnd={loadMore} loadingMore={loadingMore} hasMore={nextCursor !== null} />
          )}
          {loaded && entries.length > 0 && (
            <div className="history-foot">
              {entries.length.toLocaleString()} {entries.length === 1 ? 'call' : 'calls'}
              {nextCursor !== null ? (loadingMore ? ' · loading older calls…' : ' loaded · older calls load as you scroll') : ' · start of history'}
            </div>
          )}
        </div>
        {selected && <HistoryDetail entry={selected} onClose={() => navigate('history')} />}
      </div>
    </div>
  );
}
