/**
 * The Clients page: the MCP configuration of Claude Desktop, Claude Code, Cursor and VS
 * Code on this machine, which of their servers go through Airlock, and the operations that
 * change that (import, protect, unprotect), with what each one did. Servers an agent can
 * reach around Airlock come first: each is a way around the policy.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { Bypass, ClientConfigFile, ClientServer, DiscoveredClient, FileOutcome } from '../../../shared/clients.ts';
import { CLIENT_NAMES } from '../../../shared/clients.ts';
import { Badge } from '../../components/badges.tsx';
import { CheckIcon, WarningIcon } from '../../components/icons.tsx';
import { plural } from '../../lib/format.ts';
import { useClientsStore, type ActionTarget, type ClientAction, type LastResult } from '../../state/clients-store.ts';
import { useServersStore } from '../../state/servers-store.ts';
import { ACTION_VERB, bypassKeys, clientCounts, entryKey, entryTarget, OUTCOME_TEXT, OUTCOME_TONE, resultHeadline, scopeText } from './clients-model.ts';

const FILE_STATUS: Record<ClientConfigFile['status'], { text: string; tone: 'ok' | 'bad' | 'neutral' }> = {
  ok: { text: 'Found', tone: 'ok' },
  missing: { text: 'Not found', tone: 'neutral' },
  unreadable: { text: 'Unreadable', tone: 'bad' },
  malformed: { text: 'Malformed', tone: 'bad' },
};

const WRITTEN_TEXT: Record<FileOutcome['status'], { text: string; tone: 'ok' | 'bad' | 'neutral' }> = {
  written: { text: 'Rewritten', tone: 'ok' },
  unchanged: { text: 'Not changed', tone: 'neutral' },
  error: { text: 'Failed', tone: 'bad' },
};

type Run = (action: ClientAction, target: ActionTarget) => void;

export function ResultPanel({ last, onDismiss }: { last: LastResult; onDismiss: () => void }) {
  const headingId = useId();
  const panel = useRef<HTMLElement>(null);
  const { action, target, result } = last;
  const clientName = CLIENT_NAMES[target.client];
  // The button that was pressed may be gone (Protect becomes Unprotect): the result takes the focus.
  useEffect(() => {
    panel.current?.focus();
  }, [last.seq]);
  return (
    <section ref={panel} tabIndex={-1} className={`card clients-result${result.ok ? '' : ' has-problems'}`} aria-labelledby={headingId}>
      <header className="clients-result-head">
        <span className={result.ok ? 'clients-result-icon is-ok' : 'clients-result-icon is-bad'}>{result.ok ? <CheckIcon /> : <WarningIcon />}</span>
        <h2 id={headingId}>{resultHeadline(action, clientName, result)}</h2>
        <button type="button" className="btn btn-ghost btn-small" onClick={onDismiss}>
          Dismiss
        </button>
      </header>
      {result.files.length > 0 && (
        <ul className="clients-result-files">
          {result.files.map((file) => (
            <li key={`${file.path}\0${file.project ?? ''}\0${file.scope}`}>
              <div className="clients-result-file">
                <code className="clients-path">{file.path}</code>
                <Badge tone={WRITTEN_TEXT[file.status].tone}>{WRITTEN_TEXT[file.status].text}</Badge>
              </div>
              {file.error && <p className="notice notice-error small">{file.error}</p>}
              {file.backup && (
                <p className="muted small">
                  Backup of the file as it was: <code className="clients-path">{file.backup}</code>
                </p>
              )}
              {file.servers.length > 0 && (
                <ul className="clients-outcomes">
                  {file.servers.map((s, i) => (
                    <li key={`${s.name}-${i}`}>
                      <span className="clients-entry-name">{s.name}</span>
                      <Badge tone={OUTCOME_TONE[s.status]}>{OUTCOME_TEXT[s.status]}</Badge>
                      {s.server && s.server !== s.name && (
                        <span className="small">
                          as <code>{s.server}</code>
                        </span>
                      )}
                      {s.message && <span className="muted small">{s.message}</span>}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
      {result.notFound.length > 0 && (
        <p className="small">
          Not in {clientName}'s files: {result.notFound.join(', ')}
        </p>
      )}
      {result.configChanged && <p className="small">Airlock's config.json now has the imported servers.</p>}
      {result.notes.length > 0 && (
        <ul className="clients-notes small">
          {result.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

function BypassPanel({ bypasses, busy, run }: { bypasses: Bypass[]; busy: boolean; run: Run }) {
  const headingId = useId();
  return (
    <section className="card clients-bypasses" aria-labelledby={headingId}>
      <header className="clients-bypasses-head">
        <WarningIcon className="clients-bypasses-icon" />
        <h2 id={headingId}>Reachable without Airlock</h2>
        <Badge tone="warn">{plural(bypasses.length, 'way around', 'ways around')}</Badge>
      </header>
      <p className="clients-bypasses-text">
        Airlock guards these servers, but a client also starts or calls them directly. An agent in that client can use their tools with no policy, no limits,
        no approval and no history: each entry below is a way around the policy. Protect it to send it through Airlock.
      </p>
      <ul className="clients-bypass-list">
        {bypasses.map((b) => {
          const client = CLIENT_NAMES[b.client];
          return (
            <li key={`${entryKey(b.path, b.project, b.entry)}\0${b.server}`}>
              <div className="grow">
                <div>
                  <span className="clients-entry-name">{b.entry}</span> in {client} runs Airlock's server <code>{b.server}</code> directly{' '}
                  <span className="muted">(same {b.match === 'url' ? 'URL' : 'command line'})</span>
                </div>
                <code className="clients-path muted small">{b.path}</code>
                {b.scope !== 'user' && <span className="muted small"> · {scopeText(b)}</span>}
              </div>
              <button
                type="button"
                className="btn btn-primary btn-small"
                disabled={busy}
                aria-label={`Protect ${b.entry} in ${client}`}
                onClick={() => run('protect', { client: b.client, file: b.path, server: b.entry })}
              >
                Protect
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function EntryRow({ file, server, bypass, busy, run }: { file: ClientConfigFile; server: ClientServer; bypass: boolean; busy: boolean; run: Run }) {
  const target = { client: file.client, file: file.path, server: server.name };
  const via = server.via === 'stdio' ? 'stdio bridge' : 'HTTP';
  const line = entryTarget(server);
  return (
    <li className="clients-entry">
      <div className="clients-entry-main">
        <span className="clients-entry-name">{server.name}</span>
        {server.protected ? (
          <Badge tone="ok" title={`Goes to Airlock's server "${server.airlockServer ?? server.name}" over ${via}.`}>
            Through Airlock · {via}
          </Badge>
        ) : server.error ? (
          <Badge tone="bad">Cannot be used</Badge>
        ) : (
          <Badge tone="warn" title="The client runs this server itself; Airlock does not see its calls.">
            Direct
          </Badge>
        )}
        {bypass && <Badge tone="bad">Bypasses Airlock</Badge>}
        {server.protected && server.airlockServer && server.airlockServer !== server.name && (
          <span className="muted small">
            as <code>{server.airlockServer}</code>
          </span>
        )}
      </div>
      <code className="clients-entry-target muted" title={line}>
        {server.transport && server.transport !== 'stdio' ? `${server.transport} ` : ''}
        {line}
      </code>
      <div className="clients-entry-actions">
        {server.error ? (
          <span className="muted small">{server.error}</span>
        ) : server.protected ? (
          server.restorable ? (
            <button type="button" className="btn btn-small" disabled={busy} aria-label={`Unprotect ${server.name}`} onClick={() => run('unprotect', target)}>
              Unprotect
            </button>
          ) : (
            <span className="muted small" title="Airlock did not write this entry, so it has no original to put back.">
              No original on record
            </span>
          )
        ) : (
          <>
            <button
              type="button"
              className="btn btn-ghost btn-small"
              disabled={busy}
              aria-label={`Import ${server.name}`}
              title="Copy into Airlock's config.json; the client's file stays as it is."
              onClick={() => run('import', target)}
            >
              Import
            </button>
            <button type="button" className="btn btn-small" disabled={busy} aria-label={`Protect ${server.name}`} onClick={() => run('protect', target)}>
              Protect
            </button>
          </>
        )}
      </div>
    </li>
  );
}

function FileBlock({ file, bypasses, busy, run }: { file: ClientConfigFile; bypasses: Set<string>; busy: boolean; run: Run }) {
  const status = FILE_STATUS[file.status];
  return (
    <div className={`clients-file is-${file.status}`} role="group" aria-label={file.path}>
      <div className="clients-file-head">
        <span className="clients-scope">{scopeText(file)}</span>
        <Badge tone={status.tone}>{status.text}</Badge>
        <code className="clients-path muted">{file.path}</code>
      </div>
      {file.error && (
        <p className="notice notice-error clients-file-error">
          <span className="mono">{file.error}</span>
          <br />
          Airlock does not change this file until it {file.status === 'malformed' ? 'parses again' : 'can be read'}.
        </p>
      )}
      {file.status === 'ok' &&
        (file.servers.length > 0 ? (
          <ul className="clients-entries">
            {file.servers.map((server) => (
              <EntryRow key={server.name} file={file} server={server} bypass={bypasses.has(entryKey(file.path, file.project, server.name))} busy={busy} run={run} />
            ))}
          </ul>
        ) : (
          <p className="muted small">No MCP servers in this file.</p>
        ))}
    </div>
  );
}

function ClientCard({ client, bypasses, busy, run }: { client: DiscoveredClient; bypasses: Set<string>; busy: boolean; run: Run }) {
  const headingId = useId();
  const counts = clientCounts(client);
  const present = client.files.filter((f) => f.status !== 'missing');
  const missing = client.files.filter((f) => f.status === 'missing');
  const summary =
    present.length === 0
      ? 'No configuration found'
      : present.every((f) => f.status !== 'ok')
        ? 'The configuration cannot be read'
        : counts.servers === 0
        ? 'No MCP servers'
        : `${plural(counts.servers, 'server')}, ${counts.guarded === counts.servers ? 'all' : counts.guarded} through Airlock`;
  const enabled: Record<ClientAction, boolean> = { import: counts.movable > 0, protect: counts.movable > 0, unprotect: counts.restorable > 0 };
  return (
    <section className={`card clients-card${present.length === 0 ? ' is-absent' : ''}`} aria-labelledby={headingId}>
      <header className="clients-card-head">
        <div className="grow">
          <h2 id={headingId}>{client.name}</h2>
          <p className="muted small">
            {summary}
            {client.stdioOnly && present.length > 0 && ' · starts commands only, so protected entries use the stdio bridge'}
          </p>
        </div>
        {counts.servers > 0 && (
          <div className="clients-card-actions">
            {(['import', 'unprotect', 'protect'] as const).map((action) => (
              <button
                key={action}
                type="button"
                className={`btn btn-small${action === 'protect' ? ' btn-primary' : ''}`}
                disabled={busy || !enabled[action]}
                aria-label={`${ACTION_VERB[action]} all of ${client.name}`}
                onClick={() => run(action, { client: client.id })}
              >
                {ACTION_VERB[action]} all
              </button>
            ))}
          </div>
        )}
      </header>
      {present.map((file) => (
        <FileBlock key={`${file.path}\0${file.project ?? ''}\0${file.scope}`} file={file} bypasses={bypasses} busy={busy} run={run} />
      ))}
      {missing.length > 0 && (
        <details className="clients-missing">
          <summary className="muted small">
            {present.length === 0 ? 'Looked for' : 'Also looked for'} {plural(missing.length, 'file')}
          </summary>
          <ul>
            {missing.map((file) => (
              <li key={`${file.path}\0${file.project ?? ''}`}>
                <code className="clients-path">{file.path}</code> <span className="muted small">{scopeText(file)}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

function ProjectFolders({ disabled }: { disabled: boolean }) {
  const projects = useClientsStore((s) => s.projects);
  const defaults = useClientsStore((s) => s.defaultProjects) ?? [];
  const [draft, setDraft] = useState('');
  const inputId = useId();
  const add = (event: React.FormEvent) => {
    event.preventDefault();
    useClientsStore.getState().addProject(draft);
    setDraft('');
  };
  return (
    <form className="clients-projects" onSubmit={add} aria-label="Project folders">
      <label htmlFor={inputId} className="field-label">
        Project folders
      </label>
      <div className="clients-projects-row">
        {defaults.map((folder) => (
          <span key={folder} className="chip mono" title="Looked at by default">
            {folder}
          </span>
        ))}
        {projects
          .filter((p) => !defaults.includes(p))
          .map((folder) => (
            <span key={folder} className="chip mono clients-project-chip">
              {folder}
              <button type="button" className="clients-chip-remove" aria-label={`Stop looking in ${folder}`} onClick={() => useClientsStore.getState().removeProject(folder)}>
                ×
              </button>
            </span>
          ))}
        <input id={inputId} type="text" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="/path/to/a/project" spellCheck={false} autoComplete="off" />
        <button type="submit" className="btn btn-small" disabled={disabled || !draft.trim()}>
          Look here too
        </button>
      </div>
      <p className="hint">Project files (.mcp.json, .cursor/mcp.json, .vscode/mcp.json) are looked for in these folders.</p>
    </form>
  );
}

export function ClientsView() {
  const list = useClientsStore((s) => s.list);
  const busy = useClientsStore((s) => s.busy);
  const error = useClientsStore((s) => s.error);
  const actionError = useClientsStore((s) => s.actionError);
  const last = useClientsStore((s) => s.last);
  const heading = useRef<HTMLHeadingElement>(null);
  const guarded = useServersStore((s) => s.servers.length);

  useEffect(() => {
    const { load } = useClientsStore.getState();
    void load();
    // Client files are edited outside Airlock: look again when the person comes back.
    const onFocus = () => void load();
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, []);

  const run: Run = (action, target) => void useClientsStore.getState().run(action, target);
  // The focus was on the result's Dismiss button: it goes back to the top of the page.
  const dismiss = () => {
    useClientsStore.getState().dismissResult();
    heading.current?.focus();
  };
  const bypasses = list?.bypasses ?? [];
  const bypassSet = bypassKeys(bypasses);
  // Clients with a configuration first; the others are short cards at the end.
  const clients = list ? [...list.clients].sort((a, b) => Number(b.files.some((f) => f.status !== 'missing')) - Number(a.files.some((f) => f.status !== 'missing'))) : [];

  return (
    <div className="page page-clients" aria-busy={busy || !list}>
      <header className="page-head">
        <div className="grow">
          <h1 ref={heading} tabIndex={-1}>
            Clients
          </h1>
          <p className="muted small clients-intro">
            The MCP servers your AI clients are set up with. <strong>Protect</strong> rewrites an entry so it goes through Airlock (the file is backed up first and
            nothing else in it changes); <strong>Unprotect</strong> puts the original entry back; <strong>Import</strong> only copies the server into Airlock's
            config.json.
          </p>
        </div>
        <button type="button" className="btn btn-small" onClick={() => void useClientsStore.getState().load()} disabled={busy}>
          Refresh
        </button>
      </header>

      {error && (
        <p className="banner banner-error" role="alert">
          Could not look at the clients' configuration: {error}
        </p>
      )}
      {actionError && (
        <p className="banner banner-error" role="alert">
          {actionError}
        </p>
      )}
      {last && <ResultPanel last={last} onDismiss={dismiss} />}

      {!list ? (
        !error && <p className="muted">Looking for client configurations…</p>
      ) : (
        <>
          {bypasses.length > 0 && <BypassPanel bypasses={bypasses} busy={busy} run={run} />}
          {list.bypassError && (
            <p className="banner banner-warn" role="alert">
              Could not check for servers reachable without Airlock: {list.bypassError}
            </p>
          )}
          {bypasses.length === 0 && !list.bypassError && guarded > 0 && (
            <p className="banner banner-ok clients-no-bypass" role="status">
              <CheckIcon /> None of the client files below runs a server Airlock guards without going through Airlock.
            </p>
          )}
          <div className="clients-list">
            {clients.map((client) => (
              <ClientCard key={client.id} client={client} bypasses={bypassSet} busy={busy} run={run} />
            ))}
          </div>
          <ProjectFolders disabled={busy} />
        </>
      )}
    </div>
  );
}
