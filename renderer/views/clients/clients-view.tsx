/**
 * The Clients page: the MCP configurations of Claude Desktop, Claude Code, Cursor and VS
 * Code on this machine, which of their servers go through Airlock, and the actions that
 * change that (import, protect, unprotect). Servers an agent can reach around Airlock
 * are listed first: each is a way around the policy.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Bypass, ClientConfigFile, ClientId, ClientsList, ClientsResult, DiscoveredClient } from '../../../shared/clients.ts';
import { Badge } from '../../components/badges.tsx';
import { bridge } from '../../bridge/bridge.ts';

type Action = 'import' | 'protect' | 'unprotect';

const ACTION_LABEL: Record<Action, string> = { import: 'Import', protect: 'Protect', unprotect: 'Unprotect' };
const STATUS_TONE: Record<ClientConfigFile['status'], 'ok' | 'bad' | 'warn' | 'neutral'> = { ok: 'ok', missing: 'neutral', unreadable: 'bad', malformed: 'bad' };
const STATUS_TEXT: Record<ClientConfigFile['status'], string> = { ok: 'Found', missing: 'Not found', unreadable: 'Unreadable', malformed: 'Malformed' };

function ResultSummary({ result, onClose }: { result: ClientsResult; onClose: () => void }) {
  return (
    <section className={`notice ${result.ok ? 'notice-info' : 'notice-error'} clients-result`} role="status" aria-label="Result">
      <div className="clients-result-head">
        <strong>{result.ok ? 'Done' : 'Finished with problems'}</strong>
        <button type="button" className="btn btn-ghost btn-small" onClick={onClose}>
          Dismiss
        </button>
      </div>
      <ul>
        {result.files.map((file) => (
          <li key={file.path}>
            <code>{file.path}</code>: {file.status === 'written' ? 'rewritten' : file.status}
            {file.backup && <span className="muted"> (backup: <code>{file.backup}</code>)</span>}
            {file.error && <span> — {file.error}</span>}
            <ul>
              {file.servers.map((s) => (
                <li key={s.name}>
                  {s.name}: {s.status}
                  {s.server && s.server !== s.name && <> as <code>{s.server}</code></>}
                  {s.message && <span className="muted"> — {s.message}</span>}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      {result.notFound.length > 0 && <p>Not found: {result.notFound.join(', ')}</p>}
      {result.notes.map((note) => (
        <p key={note} className="muted">
          {note}
        </p>
      ))}
    </section>
  );
}

function FileCard({ file, busy, act }: { file: ClientConfigFile; busy: boolean; act: (action: Action, client: ClientId, file: string, server?: string) => void }) {
  return (
    <div className="clients-file" aria-label={`Config file ${file.path}`}>
      <div className="clients-file-head">
        <code className="clients-path">{file.path}</code>
        <span className="muted small">{file.scope}</span>
        <Badge tone={STATUS_TONE[file.status]}>{STATUS_TEXT[file.status]}</Badge>
      </div>
      {file.error && (
        <p className="notice notice-error" role="alert">
          {file.error}. Airlock leaves this file untouched.
        </p>
      )}
      {file.servers.length > 0 && (
        <ul className="clients-servers">
          {file.servers.map((server) => (
            <li key={server.name}>
              <span className="clients-server-name">{server.name}</span>
              {server.protected ? <Badge tone="ok">Through Airlock{server.via ? ` (${server.via})` : ''}</Badge> : <Badge tone="warn">Direct</Badge>}
              <code className="muted small clients-target">{server.url ?? [server.command, ...(server.args ?? [])].join(' ')}</code>
              {server.error && <span className="muted small">{server.error}</span>}
              <span className="clients-actions">
                {server.protected ? (
                  server.restorable && (
                    <button type="button" className="btn btn-small" disabled={busy} onClick={() => act('unprotect', file.client, file.path, server.name)} aria-label={`Unprotect ${server.name}`}>
                      Unprotect
                    </button>
                  )
                ) : (
                  <button type="button" className="btn btn-primary btn-small" disabled={busy || Boolean(server.error)} onClick={() => act('protect', file.client, file.path, server.name)} aria-label={`Protect ${server.name}`}>
                    Protect
                  </button>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ClientCard({ client, busy, act }: { client: DiscoveredClient; busy: boolean; act: (action: Action, client: ClientId, file?: string, server?: string) => void }) {
  const present = client.files.filter((f) => f.status !== 'missing');
  const hasServers = present.some((f) => f.servers.length > 0);
  return (
    <section className="card clients-card" aria-label={`Client ${client.name}`}>
      <header className="clients-card-head">
        <h2>{client.name}</h2>
        {client.stdioOnly && <span className="muted small">reaches Airlock through the stdio bridge</span>}
        <span className="clients-actions">
          {(['import', 'protect', 'unprotect'] as const).map((action) => (
            <button key={action} type="button" className={`btn btn-small${action === 'protect' ? ' btn-primary' : ''}`} disabled={busy || !hasServers} onClick={() => act(action, client.id)}>
              {ACTION_LABEL[action]} all
            </button>
          ))}
        </span>
      </header>
      {present.length === 0 ? (
        <p className="muted">No configuration found at {client.files.map((f) => f.path).join(' or ')}.</p>
      ) : (
        present.map((file) => <FileCard key={file.path} file={file} busy={busy} act={act} />)
      )}
    </section>
  );
}

function Bypasses({ bypasses, busy, act }: { bypasses: Bypass[]; busy: boolean; act: (action: Action, client: ClientId, file?: string, server?: string) => void }) {
  if (bypasses.length === 0) return null;
  return (
    <section className="card clients-bypasses" aria-label="Reachable without Airlock">
      <h2>Reachable without Airlock</h2>
      <p className="muted">
        These servers are guarded by Airlock, but a client also runs them directly. An agent in that client can call their tools without any policy,
        limit or approval. Protect the entry to close the gap.
      </p>
      <ul>
        {bypasses.map((b) => (
          <li key={`${b.path}:${b.entry}`}>
            <strong>{b.server}</strong> through <code>{b.entry}</code> in <code>{b.path}</code> <span className="muted small">(same {b.match === 'url' ? 'URL' : 'command line'})</span>
            <button type="button" className="btn btn-primary btn-small" disabled={busy} onClick={() => act('protect', b.client, b.path, b.entry)} aria-label={`Protect ${b.entry} in ${b.path}`}>
              Protect
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ClientsView() {
  const [list, setList] = useState<ClientsList | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ClientsResult | undefined>();
  const [projects, setProjects] = useState<string[]>([]);
  const [projectDraft, setProjectDraft] = useState('');

  const load = useCallback(async () => {
    try {
      setList(await bridge().call('clients.list', projects.length ? { projects } : {}));
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [projects]);

  useEffect(() => {
    void load();
  }, [load]);

  const act = async (action: Action, client: ClientId, file?: string, server?: string) => {
    setBusy(true);
    try {
      const input = { client, ...(projects.length && { projects }), ...(file && { files: [file] }), ...(server && { servers: [server] }) };
      setResult(await bridge().call(`clients.${action}`, input));
      await load();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page page-clients">
      <header className="page-head">
        <h1>Clients</h1>
        <button type="button" className="btn btn-small" onClick={() => void load()} disabled={busy}>
          Refresh
        </button>
      </header>
      <p className="muted clients-intro">
        Route the MCP servers your AI clients already use through Airlock. Protect rewrites an entry to go through Airlock (a backup of the file is kept);
        Unprotect puts the original entry back.
      </p>
      <form
        className="clients-project"
        onSubmit={(e) => {
          e.preventDefault();
          const folder = projectDraft.trim();
          if (folder && !projects.includes(folder)) setProjects([...projects, folder]);
          setProjectDraft('');
        }}
      >
        <label htmlFor="clients-project">Also look in project folder</label>
        <input id="clients-project" type="text" value={projectDraft} onChange={(e) => setProjectDraft(e.target.value)} placeholder="/path/to/project" />
        <button type="submit" className="btn btn-small" disabled={!projectDraft.trim()}>
          Add
        </button>
        {projects.map((p) => (
          <span key={p} className="badge badge-neutral">
            {p}
          </span>
        ))}
      </form>
      {error && (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      )}
      {result && <ResultSummary result={result} onClose={() => setResult(undefined)} />}
      {!list ? (
        <p className="muted">Looking for client configurations…</p>
      ) : (
        <>
          <Bypasses bypasses={list.bypasses} busy={busy} act={(a, c, f, s) => void act(a, c, f, s)} />
          {list.bypassError && <p className="notice notice-error">{list.bypassError}</p>}
          {list.clients.map((client) => (
            <ClientCard key={client.id} client={client} busy={busy} act={(a, c, f, s) => void act(a, c, f, s)} />
          ))}
        </>
      )}
    </div>
  );
}
