/**
 * One pending call and the decision about it. The card belongs to one call for its whole
 * life (the panel mounts a new card per call), so nothing the person typed or chose can
 * carry over to another call.
 *
 * Accidental decisions are what this card is built against:
 * - shortcuts need the platform's command key (Ctrl/Cmd+Enter approves,
 *   Ctrl/Cmd+Backspace denies), do nothing inside text fields, ignore auto-repeat,
 * - for ARM_MS after a card appears, its buttons are disabled and shortcuts ignored, so a
 *   click or key press meant for the previous call cannot land on this one.
 *
 * The decision bar (countdown, remember, Deny, Approve) is the card's footer and never
 * scrolls away: everything above it (description, arguments, the editor) scrolls inside
 * the card, so two large images or the editor cannot push the buttons below the fold.
 */
import { lazy, Suspense, useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { DecisionInput, PendingCall, PendingResolution, Remember } from '../../../shared/api/contract.ts';
import { OUTCOMES } from '../../../shared/outcomes.ts';
import { ALWAYS_SCOPES, isAlways, REMEMBER_SPANS, rememberScopeText } from '../../../shared/remember-scope.ts';
import { RiskBadges } from '../../components/badges.tsx';
import { ArgumentsView } from '../../components/value-view.tsx';
import { checkValue, parseJson, type JsonCheck } from '../../lib/json-check.ts';
import { formatTime, plural } from '../../lib/format.ts';
import { sameJson } from '../../lib/schema-form.ts';
import { COMMAND_LABEL, commandKey, isEditable, isMac } from '../../lib/keyboard.ts';
import { Countdown } from './countdown.tsx';

export const ARM_MS = 600;

const ArgumentEditor = lazy(() => import('./argument-editor.tsx'));
const ArgumentForm = lazy(() => import('./argument-form.tsx'));

export type CardPhase =
  | { kind: 'open' }
  | { kind: 'deciding'; decision: 'approve' | 'deny' }
  | { kind: 'done'; decision: 'approve' | 'deny' }
  | { kind: 'resolved'; resolution: PendingResolution };

export interface ApprovalCardProps {
  call: PendingCall;
  phase: CardPhase;
  error: string | undefined;
  /** How many other waiting calls are identical (same server, tool, caller, arguments). */
  identical?: number;
  /** `all`: decide the identical calls the same way. */
  onDecide(input: DecisionInput, all: boolean): void;
}

function resolutionText(resolution: PendingResolution): string {
  switch (resolution.outcome) {
    case 'timed_out':
      return 'This call timed out: the agent was told nobody answered.';
    case 'cancelled':
      return resolution.by === 'client' ? 'The agent cancelled this call.' : 'This call was cancelled.';
    case 'approved':
      return resolution.by === 'grant' ? `${OUTCOMES.allowed.label} by a remembered decision.` : `${OUTCOMES.approved.label} in another window.`;
    case 'denied':
      return resolution.by === 'policy' ? `${OUTCOMES.denied.label}.` : `${OUTCOMES.rejected_by_user.label} in another window.`;
  }
}

export function ApprovalCard({ call, phase, error, identical = 0, onDecide }: ApprovalCardProps) {
  const titleId = useId();
  const messageId = useId();
  const [armed, setArmed] = useState(false);
  const [remember, setRemember] = useState<Remember>('once');
  // The scope last picked for "Always", restored when the person comes back to it.
  const [alwaysScope, setAlwaysScope] = useState<Remember>('always');
  const scopeId = useId();
  const [message, setMessage] = useState('');
  const [all, setAll] = useState(false);
  const [editing, setEditing] = useState(false);
  const [tab, setTab] = useState<'form' | 'json'>('form');
  const original = useMemo(() => JSON.stringify(call.arguments, null, 2), [call.arguments]);
  const [draft, setDraft] = useState(original);
  const [formValue, setFormValue] = useState<Record<string, unknown>>(call.arguments);
  const [invalidFields, setInvalidFields] = useState<ReadonlySet<string>>(() => new Set());
  const onInvalid = useCallback((path: string, invalid: boolean) => {
    setInvalidFields((set) => {
      if (set.has(path) === invalid) return set;
      const next = new Set(set);
      if (invalid) next.add(path);
      else next.delete(path);
      return next;
    });
  }, []);
  const [descriptionOpen, setDescriptionOpen] = useState(false);

  const tool = call.toolDefinition;
  // A resource read or a prompt waits here too; it has no arguments to edit and no grant to remember.
  const kind = call.kind ?? 'tool';
  const title = kind === 'resource' ? 'Read a resource' : kind === 'prompt' ? 'Get a prompt' : (tool?.annotations?.title ?? tool?.title ?? call.tool);
  const schema = tool?.inputSchema;
  const [checked, setChecked] = useState<{ text: string; check: JsonCheck } | undefined>();
  const onCheck = useCallback((c: JsonCheck) => setChecked({ text: draft, check: c }), [draft]);
  // Until the editor has checked the current draft, it counts as unchecked (Approve waits).
  const jsonCheck = editing && tab === 'json' && checked?.text === draft ? checked.check : undefined;
  const formCheck = useMemo(() => (editing && tab === 'form' ? checkValue(formValue, schema) : undefined), [editing, tab, formValue, schema]);
  const candidate: { ok: boolean; value?: Record<string, unknown> } = !editing
    ? { ok: true }
    : tab === 'form'
      ? { ok: formCheck?.ok === true && invalidFields.size === 0, value: formValue }
      : jsonCheck?.ok
        ? { ok: true, value: jsonCheck.value as Record<string, unknown> }
        : { ok: false };
  const edited = editing && candidate.ok && candidate.value !== undefined && !sameJson(candidate.value, call.arguments);
  const open = phase.kind === 'open';
  const canAct = open && armed;
  const canApprove = canAct && candidate.ok;
  const many = all && identical > 0;

  // The form and the JSON tab edit the same draft; switching carries it across.
  const draftParse = tab === 'json' ? parseJson(draft) : undefined;
  const jsonIsObject = draftParse?.ok === true && typeof draftParse.value === 'object' && draftParse.value !== null && !Array.isArray(draftParse.value);
  const switchTab = (next: 'form' | 'json') => {
    if (next === tab) return;
    if (next === 'json') setDraft(JSON.stringify(formValue, null, 2));
    else if (draftParse?.ok && jsonIsObject) setFormValue(draftParse.value as Record<string, unknown>);
    else return;
    setTab(next);
  };
  const reset = () => {
    setFormValue(call.arguments);
    setDraft(original);
  };

  const section = useRef<HTMLElement>(null);
  const editor = useRef<HTMLElement>(null);
  // Opening the editor brings it to the top of the scrolling part; the decision bar stays.
  useEffect(() => {
    if (editing) editor.current?.scrollIntoView({ block: 'start', behavior: 'instant' });
  }, [editing]);
  useEffect(() => {
    const timer = setTimeout(() => setArmed(true), ARM_MS);
    // A new card takes the focus only from nowhere (the previous card's button just went
    // away), so screen readers announce it and the keyboard starts from it; never from a
    // field elsewhere the person is using.
    const active = document.activeElement;
    if (!active || active === document.body) section.current?.focus({ preventScroll: true });
    return () => clearTimeout(timer);
  }, []);

  const approve = () => {
    if (!canApprove) return;
    onDecide(
      {
        decision: 'approve',
        remember,
        ...(message.trim() && { message: message.trim() }),
        ...(edited && candidate.value && { arguments: candidate.value }),
      },
      many,
    );
  };
  const deny = () => {
    if (!canAct) return;
    onDecide({ decision: 'deny', remember, ...(message.trim() && { message: message.trim() }) }, many);
  };

  const actions = useRef({ approve, deny });
  actions.current = { approve, deny };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Enter' && event.key !== 'Backspace') return;
      if (!commandKey(event) || isEditable(event.target)) return;
      // Handled here even when ignored, so the browser does not also press a focused button.
      event.preventDefault();
      if (event.repeat) return;
      if (event.key === 'Enter') actions.current.approve();
      else actions.current.deny();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const client = call.client.name ? `${call.client.name}${call.client.version ? ` ${call.client.version}` : ''}` : call.client.id;
  const description = tool?.description?.trim();

  return (
    <section ref={section} tabIndex={-1} className={`approval-card${armed ? ' is-armed' : ''}`} aria-labelledby={titleId} data-call-id={call.id}>
      <header className="approval-head">
        <div className="approval-title">
          <span className="server-chip" title="Server">
            {call.server}
          </span>
          {kind !== 'tool' && <span className="server-chip" title="What is asked">{kind === 'resource' ? 'Resource' : 'Prompt'}</span>}
          <h2 id={titleId}>{title}</h2>
          {title !== call.tool && <code className="tool-name">{call.tool}</code>}
        </div>
        <RiskBadges annotations={tool?.annotations} />
      </header>

      <div className="approval-body">
        {call.answeredEarlyAt !== undefined && open && (
          <p className="notice notice-retry" role="note">
            <strong>The agent was told to retry</strong> ({formatTime(call.answeredEarlyAt)}); the call has not run. Approving now lets the agent&rsquo;s identical
            retry run once, without asking again.
          </p>
        )}
        {description && (
          <div className="approval-description-wrap">
            <p className={`approval-description${descriptionOpen ? ' is-open' : ''}`}>{description}</p>
            {description.length > 160 && (
              <button type="button" className="link-button" aria-expanded={descriptionOpen} onClick={() => setDescriptionOpen((v) => !v)}>
                {descriptionOpen ? 'Show less' : 'Show the whole description'}
              </button>
            )}
          </div>
        )}

        <dl className="approval-meta">
          <div>
            <dt>Requested by</dt>
            <dd>
              {client}
              {call.client.name && call.client.id !== call.client.name && <span className="muted"> ({call.client.id})</span>}
            </dd>
          </div>
          <div>
            <dt>Asked by rule</dt>
            <dd>
              <code>{call.rule || '/default'}</code>
              {call.reason && <span className="reason">{call.reason}</span>}
            </dd>
          </div>
          {call.hook && (
            <div>
              <dt>Asked by hook</dt>
              <dd>
                {call.hook.event ?? 'pre-tool hook'}
                {call.hook.cwd && <span className="muted"> in <code>{call.hook.cwd}</code></span>}
                {call.hook.session && <span className="muted"> (session {call.hook.session.slice(0, 8)})</span>}
              </dd>
            </div>
          )}
          <div>
            <dt>Arrived</dt>
            <dd>{formatTime(call.createdAt)}</dd>
          </div>
        </dl>

        {editing ? (
          <section ref={editor} className="arguments is-editing" aria-label="Edit arguments">
            <div className="section-head">
              <div className="tabs tabs-small" role="tablist" aria-label="Edit as">
                <button type="button" role="tab" className="tab" aria-selected={tab === 'form'} disabled={tab === 'json' && !jsonIsObject} title={tab === 'json' && !jsonIsObject ? 'Fix the JSON to return to the form' : undefined} onClick={() => switchTab('form')}>
                  Form
                </button>
                <button type="button" role="tab" className="tab" aria-selected={tab === 'json'} onClick={() => switchTab('json')}>
                  JSON
                </button>
              </div>
              <span className="spacer" />
              <button type="button" className="btn btn-ghost btn-small" onClick={reset} disabled={tab === 'form' ? sameJson(formValue, call.arguments) : draft === original}>
                Reset
              </button>
              <button type="button" className="btn btn-ghost btn-small" aria-pressed="true" disabled={!open} onClick={() => setEditing(false)}>
                Stop editing
              </button>
            </div>
            <Suspense fallback={<p className="muted">Loading the editor…</p>}>
              {tab === 'form' ? (
                <ArgumentForm value={formValue} schema={schema} problems={formCheck && !formCheck.ok ? formCheck.problems : []} onChange={setFormValue} onInvalid={onInvalid} />
              ) : (
                <ArgumentEditor draft={draft} original={original} schema={schema} onDraft={setDraft} onCheck={onCheck} edited={edited} />
              )}
            </Suspense>
            {tab === 'form' && candidate.ok && <p className="hint">{edited ? 'Approving sends these edited arguments.' : 'Matches the tool’s input schema.'}</p>}
          </section>
        ) : (
          <ArgumentsView
            args={call.arguments}
            schema={schema}
            actions={
              // A client that cannot run edited arguments gets none to run (PendingCall.editable).
              kind === 'tool' && call.editable !== false && (
                <button type="button" className="btn btn-ghost btn-small" disabled={!open} onClick={() => setEditing(true)}>
                  Edit arguments
                </button>
              )
            }
          />
        )}

        <div className="field">
          <label htmlFor={messageId}>Message to the agent</label>
          <textarea
            id={messageId}
            rows={2}
            maxLength={2000}
            value={message}
            disabled={!open}
            onChange={(e) => setMessage(e.target.value)}
            placeholder="Optional. Sent with a denial; kept in history with an approval."
          />
        </div>
      </div>

      <div className="decision" role="group" aria-label="Decision">
        <Countdown createdAt={call.createdAt} expiresAt={call.expiresAt} frozen={!open} />
        {kind === 'tool' && (
          <fieldset className="segmented" disabled={!open}>
            <legend>Remember</legend>
            {REMEMBER_SPANS.map((option) => {
              const checked = option.value === 'always' ? isAlways(remember) : remember === option.value;
              return (
                <label key={option.value} title={option.hint} className={checked ? 'is-checked' : undefined}>
                  <input
                    type="radio"
                    name={`remember-${call.id}`}
                    value={option.value}
                    checked={checked}
                    aria-describedby={checked && remember !== 'once' ? scopeId : undefined}
                    onChange={() => setRemember(option.value === 'always' ? alwaysScope : option.value)}
                  />
                  {option.label}
                </label>
              );
            })}
          </fieldset>
        )}
        {kind === 'tool' && isAlways(remember) && (
          <select
            className="remember-scope-select"
            aria-label="Always for"
            value={remember}
            disabled={!open}
            onChange={(e) => {
              const value = e.target.value as Remember;
              setAlwaysScope(value);
              setRemember(value);
            }}
          >
            {ALWAYS_SCOPES.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        )}
        {kind === 'tool' && remember !== 'once' && (
          <p id={scopeId} className="remember-scope hint" data-testid="remember-scope">
            Remembers: {rememberScopeText(remember, call.client.id, call.tool)}
          </p>
        )}

        {identical > 0 && (
          <label className="check bulk-check">
            <input type="checkbox" checked={all} disabled={!open} onChange={(e) => setAll(e.target.checked)} />
            <span>
              Also decide the {plural(identical, 'identical call')} waiting (same caller, tool and arguments)
            </span>
          </label>
        )}

        {phase.kind === 'resolved' && (
          <p className="notice" role="status">
            {resolutionText(phase.resolution)}
          </p>
        )}
        {phase.kind === 'done' && (
          <p className="notice" role="status">
            {phase.decision === 'approve' ? `${OUTCOMES.approved.label}.` : `${OUTCOMES.rejected_by_user.label}.`}
          </p>
        )}
        {error && (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        )}

        <div className="decision-buttons">
          <button type="button" className="btn btn-danger" disabled={!canAct} onClick={deny} aria-keyshortcuts={isMac ? 'Meta+Backspace' : 'Control+Backspace'}>
            <span>{many ? `Deny ${identical + 1}` : 'Deny'}</span>
            <kbd aria-hidden="true">{COMMAND_LABEL}+⌫</kbd>
          </button>
          <button type="button" className="btn btn-primary" disabled={!canApprove} onClick={approve} aria-keyshortcuts={isMac ? 'Meta+Enter' : 'Control+Enter'}>
            <span>{`Approve${many ? ` ${identical + 1}` : ''}${edited ? ' edited' : ''}`}</span>
            <kbd aria-hidden="true">{COMMAND_LABEL}+↵</kbd>
          </button>
        </div>
      </div>
    </section>
  );
}
