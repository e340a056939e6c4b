/** The parts of one policy rule beyond its action: reason, timeout, limits and conditions. */
import { useEffect, useId, useState } from 'react';
import type { JSONPath } from 'jsonc-parser';
import { OPS } from '../../../shared/policy/schema.ts';
import { XIcon } from '../../components/icons.tsx';
import { formatConditionValue, parseConditionValue, type ConditionDraft, type LimitDraft, type RuleDraft } from './policy-model.ts';

export type Edit = (path: JSONPath, value: unknown) => void;

const WINDOWS = ['second', 'minute', 'hour', 'day'] as const;
const SCOPES = [
  ['client', 'per client'],
  ['global', 'all clients together'],
  ['session', 'per session'],
] as const;

const CONDITION_LISTS = [
  ['require', 'Require', 'All must hold, else the call is denied.'],
  ['deny_if', 'Deny if', 'Any holding denies the call.'],
  ['ask_if', 'Ask if', 'Any holding turns an allow into an ask.'],
] as const;

const numberOrUndefined = (text: string) => (text.trim() === '' || !Number.isFinite(Number(text)) ? undefined : Number(text));

export function LimitsEditor({ limits, path, onEdit, label }: { limits: LimitDraft[] | undefined; path: JSONPath; onEdit: Edit; label: string }) {
  const list = limits ?? [];
  const setList = (next: LimitDraft[]) => onEdit(path, next.length ? next : undefined);
  return (
    <div className="sub-list">
      <div className="sub-list-head">
        <span className="field-label">{label}</span>
        <span className="hint">Calls beyond a limit are refused until the window frees a slot.</span>
        <button type="button" className="btn btn-ghost btn-small" onClick={() => setList([...list, { window: 'minute', max: 10, scope: 'client' }])}>
          Add limit
        </button>
      </div>
      {list.length === 0 && <p className="hint">No limits.</p>}
      {list.map((limit, i) => {
        const at = (key: string): JSONPath => [...path, i, key];
        const customWindow = typeof limit.window === 'number';
        return (
          <div className="limit-row" key={i} role="group" aria-label={`Limit ${i + 1}`}>
            <span>At most</span>
            <input type="number" min={1} step={1} aria-label="Maximum calls" value={limit.max ?? ''} onChange={(e) => onEdit(at('max'), numberOrUndefined(e.target.value))} className="input-narrow" />
            <span>calls per</span>
            <select
              aria-label="Window"
              value={customWindow ? 'custom' : String(limit.window)}
              onChange={(e) => onEdit(at('window'), e.target.value === 'custom' ? 60 : e.target.value)}
            >
              {WINDOWS.map((w) => (
                <option key={w} value={w}>
                  {w}
                </option>
              ))}
              <option value="custom">seconds…</option>
            </select>
            {customWindow && (
              <input type="number" min={1} aria-label="Window in seconds" value={limit.window} onChange={(e) => onEdit(at('window'), numberOrUndefined(e.target.value))} className="input-narrow" />
            )}
            <select aria-label="Counted" value={limit.scope === 'grant' ? 'client' : limit.scope} onChange={(e) => onEdit(at('scope'), e.target.value)}>
              {SCOPES.map(([value, text]) => (
                <option key={value} value={value}>
                  {text}
                </option>
              ))}
            </select>
            <input type="text" aria-label="Shared counter name" placeholder="counter (optional)" value={limit.counter ?? ''} onChange={(e) => onEdit(at('counter'), e.target.value || undefined)} className="input-counter" />
            <button type="button" className="btn btn-ghost btn-small icon-button" aria-label={`Remove limit ${i + 1}`} onClick={() => setList(list.filter((_, j) => j !== i))}>
              <XIcon />
            </button>
          </div>
        );
      })}
    </div>
  );
}

function ConditionsEditor({ conditions, path, onEdit, label, hint, paths }: { conditions: ConditionDraft[] | undefined; path: JSONPath; onEdit: Edit; label: string; hint: string; paths: string[] }) {
  const listId = useId();
  const list = conditions ?? [];
  const setList = (next: ConditionDraft[]) => onEdit(path, next.length ? next : undefined);
  return (
    <div className="sub-list">
      <div className="sub-list-head">
        <span className="field-label" title={hint}>
          {label}
        </span>
        <span className="hint">{hint}</span>
        <button type="button" className="btn btn-ghost btn-small" onClick={() => setList([...list, { path: paths[0] ?? 'args.', op: 'eq', value: '' }])}>
          Add condition
        </button>
      </div>
      <datalist id={listId}>
        {paths.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      {list.map((condition, i) => (
        <div className="condition-row" key={i} role="group" aria-label={`${label} condition ${i + 1}`}>
          <input type="text" list={listId} aria-label="Path" value={condition.path ?? ''} onChange={(e) => onEdit([...path, i, 'path'], e.target.value)} className="input-path" />
          <select aria-label="Operator" value={condition.op} onChange={(e) => onEdit([...path, i, 'op'], e.target.value)}>
            {OPS.map((op) => (
              <option key={op} value={op}>
                {op}
              </option>
            ))}
          </select>
          {condition.op !== 'exists' || condition.value !== undefined ? (
            <ConditionValue value={condition.value} onChange={(value) => onEdit([...path, i, 'value'], value)} />
          ) : (
            <span className="hint">(no value)</span>
          )}
          <button type="button" className="btn btn-ghost btn-small icon-button" aria-label={`Remove condition ${i + 1}`} onClick={() => setList(list.filter((_, j) => j !== i))}>
            <XIcon />
          </button>
        </div>
      ))}
    </div>
  );
}

/** Typed as text: JSON when it parses (numbers, lists), else a string. */
function ConditionValue({ value, onChange }: { value: unknown; onChange(value: unknown): void }) {
  const [text, setText] = useState(() => formatConditionValue(value));
  // Follow the draft when it changes elsewhere, but never reformat what is being typed.
  const same = JSON.stringify(parseConditionValue(text)) === JSON.stringify(value);
  useEffect(() => {
    if (!same) setText(formatConditionValue(value));
  }, [same, value]);
  return (
    <input
      type="text"
      aria-label="Value"
      placeholder='e.g. "1K" or ["1K","2K"]'
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parseConditionValue(e.target.value));
      }}
      className="input-value"
    />
  );
}

export function RuleEditor({ rule, path, onEdit, paths, askable }: { rule: RuleDraft; path: JSONPath; onEdit: Edit; paths: string[]; askable: boolean }) {
  const reasonId = useId();
  const timeoutId = useId();
  return (
    <div className="rule-editor">
      <div className="rule-fields">
        <div className="field grow">
          <label htmlFor={reasonId}>Reason</label>
          <input id={reasonId} type="text" placeholder="Shown in the popup and told to the agent on a denial" value={rule.reason ?? ''} onChange={(e) => onEdit([...path, 'reason'], e.target.value || undefined)} />
        </div>
        {askable && (
          <div className="field">
            <label htmlFor={timeoutId}>Approval timeout (s)</label>
            <input id={timeoutId} type="number" min={1} placeholder="default" value={rule.timeout ?? ''} onChange={(e) => onEdit([...path, 'timeout'], numberOrUndefined(e.target.value))} className="input-narrow" />
          </div>
        )}
      </div>
      <LimitsEditor limits={rule.limits} path={[...path, 'limits']} onEdit={onEdit} label="Limits" />
      {CONDITION_LISTS.map(([key, label, hint]) => (
        <ConditionsEditor key={key} conditions={rule[key]} path={[...path, key]} onEdit={onEdit} label={label} hint={hint} paths={paths} />
      ))}
    </div>
  );
}
