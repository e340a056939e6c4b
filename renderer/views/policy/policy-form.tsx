/**
 * The policy as a form: the default action, one row per tool the connected servers offer
 * (with the rule that decides it), rules for names no server offers (globs, other
 * servers), and limits for every tool. Every control edits the draft text in place.
 */
import { useId, useMemo, useState } from 'react';
import type { JSONPath } from 'jsonc-parser';
import type { ServerStatus } from '../../../shared/api/contract.ts';
import { RiskBadges } from '../../components/badges.tsx';
import { ChevronIcon } from '../../components/icons.tsx';
import { plural } from '../../lib/format.ts';
import { conditionPaths, defaultAction, locateRule, normalizeAction, type ActionName, type PolicyDraft, type RuleDraft } from './policy-model.ts';
import { LimitsEditor, RuleEditor, type Edit } from './rule-editor.tsx';

const ACTIONS: ReadonlyArray<{ value: ActionName; label: string; hint: string }> = [
  { value: 'allow', label: 'Allow', hint: 'Calls go through.' },
  { value: 'ask', label: 'Ask', hint: 'Calls wait for a person.' },
  { value: 'deny', label: 'Deny', hint: 'Calls are refused.' },
];
const ACTION_WORD: Record<ActionName, string> = { allow: 'allow', ask: 'ask', deny: 'deny' };

function ruleSummary(rule: RuleDraft | undefined): string[] {
  if (!rule) return [];
  const parts: string[] = [];
  if (rule.limits?.length) parts.push(plural(rule.limits.length, 'limit'));
  const conditions = (rule.require?.length ?? 0) + (rule.deny_if?.length ?? 0) + (rule.ask_if?.length ?? 0);
  if (conditions) parts.push(plural(conditions, 'condition'));
  if (rule.timeout) parts.push(`${rule.timeout} s timeout`);
  return parts;
}

function ActionSelect({ label, value, inherit, onChange }: { label: string; value: ActionName | 'inherit'; inherit?: string | undefined; onChange(value: ActionName | 'inherit'): void }) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value as ActionName | 'inherit')} className={`action-select is-${value}`}>
      {inherit !== undefined && <option value="inherit">{inherit}</option>}
      {ACTIONS.map((a) => (
        <option key={a.value} value={a.value}>
          {a.label}
        </option>
      ))}
    </select>
  );
}

interface ToolRowProps {
  server: ServerStatus;
  tool: ServerStatus['tools'][number];
  policy: PolicyDraft;
  onEdit: Edit;
}

function ToolRow({ server, tool, policy, onEdit }: ToolRowProps) {
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  const location = locateRule(policy, server.name, tool.name);
  const own = location.source === 'server-scoped' || location.source === 'exact';
  // What would decide this tool without its own rule.
  const fallback = own ? locateRule(withoutRule(policy, location.path!), server.name, tool.name) : location;
  const fallbackText = `Default (${ACTION_WORD[fallback.action]}${fallback.source === 'glob' ? `, from ${fallback.key}` : fallback.source === 'server-default' ? `, ${server.name}'s default` : ''})`;
  const hidden = (policy.hide ?? []).includes(tool.name);
  const title = tool.annotations?.title ?? tool.title;

  const setAction = (value: ActionName | 'inherit') => {
    if (value === 'inherit') return own && onEdit(location.path!, undefined);
    if (own) return onEdit([...location.path!, 'action'], value);
    onEdit(['tools', tool.name], { action: value });
  };
  const toggleHidden = () => {
    const hide = policy.hide ?? [];
    const next = hidden ? hide.filter((h) => h !== tool.name) : [...hide, tool.name];
    onEdit(['hide'], next.length ? next : undefined);
  };

  return (
    <li className={`tool-row${open ? ' is-open' : ''}`}>
      <div className="tool-row-main">
        <button type="button" className="disclosure" aria-expanded={open} aria-controls={detailsId} onClick={() => setOpen((v) => !v)} aria-label={`Details for ${tool.name}`}>
          <ChevronIcon />
        </button>
        <div className="tool-row-name">
          <span className="tool-row-title">
            {title ?? tool.name}
            {title && title !== tool.name && <code className="tool-name">{tool.name}</code>}
          </span>
          <RiskBadges annotations={tool.annotations} />
        </div>
        <div className="tool-row-summary">
          {hidden && <span className="badge badge-warn">Hidden</span>}
          {own && location.source === 'server-scoped' && <span className="badge">{server.name} only</span>}
          {ruleSummary(location.rule).map((s) => (
            <span key={s} className="badge">
              {s}
            </span>
          ))}
        </div>
        <ActionSelect label={`Action for ${tool.name}`} value={own ? location.action : 'inherit'} inherit={fallbackText} onChange={setAction} />
      </div>
      {open && (
        <div className="tool-row-details" id={detailsId}>
          {tool.description && <p className="muted tool-description">{tool.description}</p>}
          <label className="check">
            <input type="checkbox" checked={hidden} onChange={toggleHidden} /> Hide from agents (never listed, always denied)
          </label>
          {own && location.rule ? (
            <RuleEditor rule={location.rule} path={location.path!} onEdit={onEdit} paths={conditionPaths(tool.inputSchema)} askable={location.action === 'ask'} />
          ) : (
            <p className="hint">
              {location.source === 'glob' ? `Decided by the rule ${location.key}, listed under Other rules. ` : 'No rule names this tool. '}
              <button type="button" className="link-button" onClick={() => onEdit(['tools', tool.name], { action: fallback.action })}>
                Give it its own rule
              </button>
            </p>
          )}
        </div>
      )}
    </li>
  );
}

/** The draft without the rule at `path`, to see what would decide instead. */
function withoutRule(policy: PolicyDraft, path: JSONPath): PolicyDraft {
  const copy = structuredClone(policy);
  let node: unknown = copy;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)?.[key];
  if (node && typeof node === 'object') delete (node as Record<string, unknown>)[String(path[path.length - 1])];
  return copy;
}

function OtherRuleRow({ ruleKey, path, rule, onEdit }: { ruleKey: string; path: JSONPath; rule: RuleDraft; onEdit: Edit }) {
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  const action = normalizeAction(rule.action) ?? 'allow';
  return (
    <li className={`tool-row${open ? ' is-open' : ''}`}>
      <div className="tool-row-main">
        <button type="button" className="disclosure" aria-expanded={open} aria-controls={detailsId} onClick={() => setOpen((v) => !v)} aria-label={`Details for ${ruleKey}`}>
          <ChevronIcon />
        </button>
        <div className="tool-row-name">
          <code className="tool-row-title">{ruleKey}</code>
        </div>
        <div className="tool-row-summary">
          {ruleSummary(rule).map((s) => (
            <span key={s} className="badge">
              {s}
            </span>
          ))}
        </div>
        <ActionSelect label={`Action for ${ruleKey}`} value={action} onChange={(v) => v !== 'inherit' && onEdit([...path, 'action'], v)} />
        <button type="button" className="btn btn-ghost btn-small" onClick={() => onEdit(path, undefined)} aria-label={`Remove rule ${ruleKey}`}>
          Remove
        </button>
      </div>
      {open && (
        <div className="tool-row-details" id={detailsId}>
          <RuleEditor rule={rule} path={path} onEdit={onEdit} paths={conditionPaths(undefined)} askable={action === 'ask'} />
        </div>
      )}
    </li>
  );
}

function AddRule({ onAdd }: { onAdd(key: string, action: ActionName): void }) {
  const [key, setKey] = useState('');
  const [action, setAction] = useState<ActionName>('ask');
  const valid = key.trim().length > 0 && !key.trim().startsWith('/') && !key.trim().endsWith('/');
  return (
    <form
      className="add-rule"
      onSubmit={(e) => {
        e.preventDefault();
        if (!valid) return;
        onAdd(key.trim(), action);
        setKey('');
      }}
    >
      <input type="text" aria-label="New rule: tool, server/tool or glob" placeholder="tool, server/tool or glob (image_*)" value={key} onChange={(e) => setKey(e.target.value)} />
      <ActionSelect label="New rule action" value={action} onChange={(v) => v !== 'inherit' && setAction(v)} />
      <button type="submit" className="btn btn-small" disabled={!valid}>
        Add rule
      </button>
    </form>
  );
}

export function PolicyForm({ policy, servers, onEdit }: { policy: PolicyDraft; servers: ServerStatus[]; onEdit: Edit }) {
  const offered = useMemo(() => {
    const names = new Set<string>();
    for (const server of servers) for (const tool of server.tools) names.add(tool.name);
    return names;
  }, [servers]);
  const current = defaultAction(policy);
  const defaultName = useId();

  // Rules the tool rows do not show: globs, server/tool keys, and names no server offers now.
  const others: Array<{ key: string; path: JSONPath; rule: RuleDraft }> = [];
  for (const [key, rule] of Object.entries(policy.tools ?? {})) {
    const slash = key.indexOf('/');
    const bare = slash < 0 ? key : undefined;
    const scopedToOffered = slash > 0 && servers.some((s) => s.name === key.slice(0, slash) && s.tools.some((t) => t.name === key.slice(slash + 1)));
    if ((bare && offered.has(bare) && !/[*?]/.test(bare)) || scopedToOffered) continue;
    others.push({ key, path: ['tools', key], rule });
  }
  for (const [server, entry] of Object.entries(policy.servers ?? {})) {
    for (const [key, rule] of Object.entries(entry.tools ?? {})) {
      const status = servers.find((s) => s.name === server);
      if (!/[*?]/.test(key) && status?.tools.some((t) => t.name === key)) continue;
      others.push({ key: `${server} → ${key}`, path: ['servers', server, 'tools', key], rule });
    }
  }

  return (
    <div className="policy-form">
      <section className="form-section" aria-labelledby={`${defaultName}-h`}>
        <h2 id={`${defaultName}-h`}>Default</h2>
        <p className="muted">For tools no rule names.</p>
        <div className="segmented big" role="radiogroup" aria-label="Default action">
          {ACTIONS.map((a) => (
            <label key={a.value} className={current === a.value ? 'is-checked' : undefined} title={a.hint}>
              <input type="radio" name={defaultName} value={a.value} checked={current === a.value} onChange={() => onEdit(['default'], a.value)} />
              {a.label}
            </label>
          ))}
        </div>
      </section>

      <section className="form-section" aria-label="Tools">
        <h2>Tools</h2>
        {servers.length === 0 && <p className="muted">No servers are configured. Tools appear here once a server is connected.</p>}
        {servers.map((server) => {
          const serverDefault = normalizeAction(policy.servers?.[server.name]?.default);
          return (
            <div key={server.name} className="server-group">
              <div className="server-group-head">
                <span className="server-chip">{server.name}</span>
                <span className={`state-dot is-${server.state}`} aria-hidden="true" />
                <span className="muted">{server.state === 'ready' ? plural(server.tools.length, 'tool') : server.state}</span>
                <span className="spacer" />
                <ActionSelect
                  label={`Default for ${server.name}`}
                  value={serverDefault ?? 'inherit'}
                  inherit={`Server default: policy default (${ACTION_WORD[current]})`}
                  onChange={(v) => onEdit(['servers', server.name, 'default'], v === 'inherit' ? undefined : v)}
                />
              </div>
              <ul className="tool-rows">
                {server.tools.map((tool) => (
                  <ToolRow key={tool.name} server={server} tool={tool} policy={policy} onEdit={onEdit} />
                ))}
              </ul>
            </div>
          );
        })}
      </section>

      <section className="form-section" aria-label="Other rules">
        <h2>Other rules</h2>
        <p className="muted">Globs, rules for one server, and tools no connected server offers right now.</p>
        {others.length > 0 && (
          <ul className="tool-rows">
            {others.map((o) => (
              <OtherRuleRow key={o.key} ruleKey={o.key} path={o.path} rule={o.rule} onEdit={onEdit} />
            ))}
          </ul>
        )}
        <AddRule onAdd={(key, action) => onEdit(['tools', key], { action })} />
      </section>

      <section className="form-section" aria-label="Limits for every tool">
        <h2>Limits for every tool</h2>
        <p className="muted">One budget shared by all tools.</p>
        <LimitsEditor limits={policy.all_tools?.limits} path={['all_tools', 'limits']} onEdit={onEdit} label="Limits" />
      </section>
    </div>
  );
}
