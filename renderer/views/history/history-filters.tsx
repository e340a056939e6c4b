/** The timeline's filters: text, server, tool, decision, client and time range. */
import { useEffect, useMemo, useState } from 'react';
import { DECISIONS, type Decision } from '../../../shared/history.ts';
import { decisionsInGroup, OUTCOME_GROUPS, OUTCOMES, type OutcomeGroup } from '../../../shared/outcomes.ts';
import type { HistoryFilterState } from '../../state/history-store.ts';
import { useServersStore } from '../../state/servers-store.ts';

const DECISION_GROUPS = Object.fromEntries(
  (Object.keys(OUTCOME_GROUPS) as OutcomeGroup[]).map((group) => [group, { label: OUTCOME_GROUPS[group], decisions: decisionsInGroup(group) }]),
) as Record<OutcomeGroup, { label: string; decisions: Decision[] }>;

const RANGES: Record<string, { label: string; ms?: number }> = {
  any: { label: 'Any time' },
  hour: { label: 'Last hour', ms: 3600_000 },
  day: { label: 'Last 24 hours', ms: 86_400_000 },
  week: { label: 'Last 7 days', ms: 7 * 86_400_000 },
  month: { label: 'Last 30 days', ms: 30 * 86_400_000 },
  custom: { label: 'Custom…' },
};

function decisionValue(decisions: Decision[] | undefined): string {
  if (!decisions?.length) return '';
  if (decisions.length === 1) return decisions[0]!;
  for (const [key, group] of Object.entries(DECISION_GROUPS)) {
    if (group.decisions.length === decisions.length && group.decisions.every((d) => decisions.includes(d))) return `group:${key}`;
  }
  return '';
}

/** `datetime-local` speaks local time without a zone. */
function toLocalInput(ms: number | undefined): string {
  if (ms === undefined) return '';
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}
function fromLocalInput(value: string): number | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

export interface HistoryFiltersProps {
  filter: HistoryFilterState;
  onChange(filter: HistoryFilterState): void;
  /** Clients and tools seen in the loaded history, offered next to what the servers list. */
  clients: string[];
  seenTools: string[];
}

export function HistoryFilters({ filter, onChange, clients, seenTools }: HistoryFiltersProps) {
  const servers = useServersStore((s) => s.servers);
  const [text, setText] = useState(filter.q ?? '');
  const [range, setRange] = useState(filter.from !== undefined || filter.to !== undefined ? 'custom' : 'any');

  // Typing settles before the query runs.
  useEffect(() => {
    if ((filter.q ?? '') === text) return;
    const timer = setTimeout(() => onChange({ ...filter, q: text || undefined }), 250);
    return () => clearTimeout(timer);
  }, [text, filter, onChange]);

  const tools = useMemo(() => {
    const names = new Set<string>();
    for (const server of servers) {
      if (filter.server && server.name !== filter.server) continue;
      for (const tool of server.tools) names.add(tool.name);
    }
    if (!filter.server) for (const tool of seenTools) names.add(tool);
    if (filter.tool) names.add(filter.tool);
    return [...names].sort();
  }, [servers, filter.server, filter.tool, seenTools]);

  const set = (patch: Partial<HistoryFilterState>) => {
    const next = { ...filter, ...patch };
    for (const key of Object.keys(next) as (keyof HistoryFilterState)[]) if (next[key] === undefined || next[key] === '') delete next[key];
    onChange(next);
  };

  const setRangeKey = (key: string) => {
    setRange(key);
    const option = RANGES[key];
    if (key === 'custom') return;
    set({ from: option?.ms ? Date.now() - option.ms : undefined, to: undefined });
  };

  const active = Object.keys(filter).length > 0;

  return (
    <div className="filters" role="search" aria-label="Filter history">
      <input type="search" className="filter-text" aria-label="Search arguments and tools" placeholder="Search…" value={text} onChange={(e) => setText(e.target.value)} />
      <select aria-label="Server" value={filter.server ?? ''} onChange={(e) => set({ server: e.target.value || undefined, tool: undefined })}>
        <option value="">All servers</option>
        {servers.map((s) => (
          <option key={s.name} value={s.name}>
            {s.name}
          </option>
        ))}
      </select>
      <select aria-label="Tool" value={filter.tool ?? ''} onChange={(e) => set({ tool: e.target.value || undefined })}>
        <option value="">All tools</option>
        {tools.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      <select
        aria-label="Decision"
        value={decisionValue(filter.decision)}
        onChange={(e) => {
          const value = e.target.value;
          if (!value) return set({ decision: undefined });
          if (value.startsWith('group:')) return set({ decision: DECISION_GROUPS[value.slice(6) as OutcomeGroup]?.decisions });
          set({ decision: [value as Decision] });
        }}
      >
        <option value="">Any decision</option>
        <optgroup label="Groups">
          {Object.entries(DECISION_GROUPS).map(([key, group]) => (
            <option key={key} value={`group:${key}`}>
              {group.label}
            </option>
          ))}
        </optgroup>
        <optgroup label="Decisions">
          {DECISIONS.map((d) => (
            <option key={d} value={d}>
              {OUTCOMES[d].label}
            </option>
          ))}
        </optgroup>
      </select>
      <input type="text" list="history-clients" aria-label="Client" placeholder="Any client" value={filter.client ?? ''} onChange={(e) => set({ client: e.target.value || undefined })} className="filter-client" />
      <datalist id="history-clients">
        {clients.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
      <select aria-label="Time range" value={range} onChange={(e) => setRangeKey(e.target.value)}>
        {Object.entries(RANGES).map(([key, option]) => (
          <option key={key} value={key}>
            {option.label}
          </option>
        ))}
      </select>
      {range === 'custom' && (
        <>
          <input type="datetime-local" aria-label="From" value={toLocalInput(filter.from)} onChange={(e) => set({ from: fromLocalInput(e.target.value) })} />
          <input type="datetime-local" aria-label="To" value={toLocalInput(filter.to)} onChange={(e) => set({ to: fromLocalInput(e.target.value) })} />
        </>
      )}
      {active && (
        <button
          type="button"
          className="btn btn-ghost btn-small"
          onClick={() => {
            setText('');
            setRange('any');
            onChange({});
          }}
        >
          Clear filters
        </button>
      )}
    </div>
  );
}
