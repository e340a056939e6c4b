/**
 * The Policy page: the draft as a form and as JSON (one text, two views), checked against
 * the core as you type (`policy.validate`, problems located by line and column), a review
 * of what would change (`policy.simulate`) before `policy.put`, and the remembered grants.
 */
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { JSONPath } from 'jsonc-parser';
import type { MethodOutput, PolicyProblem } from '../../../shared/api/contract.ts';
import { bridge } from '../../bridge/bridge.ts';
import { JsonEditor, type EditorProblem } from '../../components/json-editor.tsx';
import { commandKey } from '../../lib/keyboard.ts';
import { plural } from '../../lib/format.ts';
import { parseJsonc } from './policy-syntax.ts';
import { usePolicyStore } from '../../state/policy-store.ts';
import { useServersStore } from '../../state/servers-store.ts';
import { GrantsList } from './grants-list.tsx';
import { PolicyForm } from './policy-form.tsx';
import { editDraft, parseDraft } from './policy-model.ts';
import { SimulationReview } from './simulation-review.tsx';

type Tab = 'rules' | 'json' | 'grants';
const TABS: ReadonlyArray<[Tab, string]> = [
  ['rules', 'Rules'],
  ['json', 'JSON'],
  ['grants', 'Remembered'],
];
const VALIDATE_DELAY_MS = 250;
const SIMULATE_LIMIT = 500;

interface Validation {
  text: string;
  problems: PolicyProblem[];
}

function problemText(p: PolicyProblem): string {
  const where = p.line !== undefined ? `Line ${p.line}${p.column !== undefined ? `:${p.column}` : ''}` : p.path || 'Policy';
  return `${where}: ${p.message}`;
}

export function PolicyView() {
  const policy = usePolicyStore((s) => s.policy);
  const draft = usePolicyStore((s) => s.draft);
  const externalChange = usePolicyStore((s) => s.externalChange);
  const grantCount = usePolicyStore((s) => s.grants.length);
  const servers = useServersStore((s) => s.servers);
  const [tab, setTab] = useState<Tab>('rules');
  const [validation, setValidation] = useState<Validation | undefined>();
  const [simulation, setSimulation] = useState<MethodOutput<'policy.simulate'> | undefined>();
  const [busy, setBusy] = useState<'simulating' | 'saving' | undefined>();
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>();
  const tabsId = useId();

  const text = draft ?? policy?.text ?? '';
  const dirty = draft !== undefined;
  const syntax = useMemo(() => parseJsonc(text), [text]);
  const parsed = useMemo(() => (syntax.length === 0 ? parseDraft(text) : undefined), [syntax, text]);

  // Ask the core about every new text (debounced); stale answers are dropped by comparing texts.
  useEffect(() => {
    if (!policy) return;
    if (!dirty) {
      setValidation({ text, problems: policy.problems });
      return;
    }
    if (syntax.length > 0) {
      setValidation({ text, problems: syntax });
      return;
    }
    const timer = setTimeout(() => {
      bridge()
        .call('policy.validate', { text })
        .then((result) => setValidation((v) => (usePolicyStore.getState().draft === text ? { text, problems: result.problems } : v)))
        .catch((err: Error) => setValidation({ text, problems: [{ path: '', message: `Could not check the policy: ${err.message}` }] }));
    }, VALIDATE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, dirty, syntax, policy]);

  // A stale review must not be saved, nor a stale "saved" stay up: any edit clears both.
  useEffect(() => {
    setSimulation(undefined);
    if (dirty) setMessage((m) => (m?.kind === 'ok' ? undefined : m));
  }, [text, dirty]);

  // Say so when the policy in force changes underneath a clean editor. The version this
  // editor saved is not such a change, whether its answer or its change event comes first.
  const version = policy?.version;
  const lastVersion = useRef(version);
  const savedVersion = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (version !== undefined && version === savedVersion.current) {
      savedVersion.current = undefined;
    } else if (lastVersion.current !== undefined && version !== lastVersion.current && !dirty && busy !== 'saving') {
      setMessage({ kind: 'ok', text: 'policy.json changed on disk; showing the new version.' });
    }
    lastVersion.current = version;
  }, [version, dirty, busy]);

  const checked = validation?.text === text;
  const problems = checked ? validation.problems : syntax;
  const canReview = dirty && checked && problems.length === 0 && !busy && !simulation;

  const edit = useCallback(
    (path: JSONPath, value: unknown) => {
      setMessage(undefined);
      usePolicyStore.getState().setDraft(editDraft(text, path, value));
    },
    [text],
  );

  const review = useCallback(async () => {
    if (!canReview) return;
    setBusy('simulating');
    setMessage(undefined);
    try {
      const result = await bridge().call('policy.simulate', { text, limit: SIMULATE_LIMIT });
      if (result.problems.length > 0) setValidation({ text, problems: result.problems });
      else setSimulation(result);
    } catch (err) {
      setMessage({ kind: 'error', text: (err as Error).message });
    } finally {
      setBusy(undefined);
    }
  }, [canReview, text]);

  const save = async () => {
    setBusy('saving');
    try {
      const state = await bridge().call('policy.put', { text });
      if (state.version !== lastVersion.current) savedVersion.current = state.version;
      usePolicyStore.getState().set(state);
      if (usePolicyStore.getState().draft === text) usePolicyStore.getState().discardDraft();
      setSimulation(undefined);
      setMessage({ kind: 'ok', text: 'Saved. The new policy is in force.' });
    } catch (err) {
      // A refusal of an invalid policy carries its located problems (any bridge).
      const located = (err as { problems?: PolicyProblem[] }).problems;
      if (Array.isArray(located) && located.length > 0) setValidation({ text, problems: located });
      setSimulation(undefined);
      setMessage({ kind: 'error', text: (err as Error).message });
    } finally {
      setBusy(undefined);
    }
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (commandKey(event) && event.key.toLowerCase() === 's') {
        event.preventDefault();
        void review();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [review]);

  useEffect(() => void usePolicyStore.getState().loadGrants(), []);

  const editorProblems: EditorProblem[] = useMemo(() => problems.map((p) => ({ line: p.line, column: p.column, message: p.message })), [problems]);

  if (!policy) {
    return (
      <div className="page">
        <h1>Policy</h1>
        <p className="muted">Loading…</p>
      </div>
    );
  }

  const onTabKey = (event: React.KeyboardEvent, index: number) => {
    const next = event.key === 'ArrowRight' ? index + 1 : event.key === 'ArrowLeft' ? index - 1 : undefined;
    if (next === undefined) return;
    const [key] = TABS[(next + TABS.length) % TABS.length]!;
    setTab(key);
    document.getElementById(`${tabsId}-${key}`)?.focus();
  };

  return (
    <div className="page page-policy">
      <header className="page-head">
        <div className="grow">
          <h1>Policy</h1>
          <p className="muted mono small" title="The policy file">
            {policy.source === 'file' ? policy.path : 'Built-in default (no policy.json yet)'}
          </p>
        </div>
        {dirty && <span className="badge badge-info">Unsaved changes</span>}
        <button type="button" className="btn" disabled={!dirty || !!busy} onClick={() => usePolicyStore.getState().discardDraft()}>
          Discard
        </button>
        <button type="button" className="btn btn-primary" disabled={!canReview} onClick={() => void review()} aria-keyshortcuts="Control+S Meta+S">
          {busy === 'simulating' ? 'Checking…' : 'Review and save'}
        </button>
      </header>

      {externalChange && (
        <div className="banner banner-warn" role="alert">
          policy.json was changed outside the editor while you had unsaved edits.{' '}
          <button type="button" className="link-button" onClick={() => usePolicyStore.getState().discardDraft()}>
            Load the file
          </button>{' '}
          ·{' '}
          <button type="button" className="link-button" onClick={() => usePolicyStore.getState().dismissExternalChange()}>
            Keep my edits
          </button>
        </div>
      )}
      {!dirty && policy.problems.length > 0 && (
        <p className="banner banner-error" role="alert">
          policy.json has {plural(policy.problems.length, 'error')}; the last good policy stays in force until it is fixed.
        </p>
      )}
      {message && (
        <p className={`banner ${message.kind === 'ok' ? 'banner-ok' : 'banner-error'}`} role={message.kind === 'ok' ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}

      {simulation && <SimulationReview simulation={simulation} saving={busy === 'saving'} onSave={() => void save()} onBack={() => setSimulation(undefined)} />}

      <div className="tabs" role="tablist" aria-label="Policy views">
        {TABS.map(([key, label], i) => (
          <button
            key={key}
            id={`${tabsId}-${key}`}
            type="button"
            role="tab"
            aria-selected={tab === key}
            aria-controls={`${tabsId}-${key}-panel`}
            tabIndex={tab === key ? 0 : -1}
            onClick={() => setTab(key)}
            onKeyDown={(e) => onTabKey(e, i)}
            className="tab"
          >
            {label}
            {key === 'grants' && grantCount > 0 && <span className="tab-count">{grantCount}</span>}
            {key === 'json' && problems.length > 0 && <span className="tab-count is-error">{problems.length}</span>}
          </button>
        ))}
      </div>

      {problems.length > 0 && tab !== 'grants' && (
        <ul className="problem-list" role="alert" aria-label="Problems">
          {problems.slice(0, 8).map((p, i) => (
            <li key={i}>{problemText(p)}</li>
          ))}
          {problems.length > 8 && <li>And {plural(problems.length - 8, 'more problem')}.</li>}
        </ul>
      )}

      <div role="tabpanel" id={`${tabsId}-${tab}-panel`} aria-labelledby={`${tabsId}-${tab}`} className="tab-panel">
        {tab === 'rules' &&
          (parsed ? (
            <PolicyForm policy={parsed} servers={servers} onEdit={edit} />
          ) : (
            <p className="notice notice-error">The policy text does not parse, so the form cannot show it. Fix it in the JSON tab.</p>
          ))}
        {tab === 'json' && <JsonEditor value={text} onChange={(t) => usePolicyStore.getState().setDraft(t)} problems={editorProblems} label="Policy JSON" className="policy-editor" />}
        {tab === 'grants' && <GrantsList />}
      </div>
    </div>
  );
}
