/**
 * The Connect page: how to point an agent at Airlock. Each server's endpoint, the entry to
 * paste into Claude Desktop, Claude Code, Cursor or VS Code (with the MCP token, shown
 * only when the person asks), and the Protect operations of the Clients page, which write
 * those entries into the clients' own files.
 */
import { useEffect, useId, useState } from 'react';
import type { ConnectInfo } from '../../../shared/api/contract.ts';
import { CLIENT_NAMES, ClientIdSchema, type ClientId } from '../../../shared/clients.ts';
import { bridge } from '../../bridge/bridge.ts';
import { href } from '../../lib/router.ts';
import { useClientsStore } from '../../state/clients-store.ts';
import { useServersStore } from '../../state/servers-store.ts';
import { ResultPanel } from '../clients/clients-view.tsx';
import { endpointUrl, snippetsFor, TOKEN_MASK, type Snippet } from './snippets.ts';
import './connect-view.css';

const CLIENTS = ClientIdSchema.options;

/** The token is asked for once, when first needed, and kept for this page only. */
function useToken() {
  const [token, setToken] = useState<string | undefined>();
  const fetchToken = async (): Promise<string> => {
    if (token) return token;
    const { token: fresh } = await bridge().call('connect.token');
    setToken(fresh);
    return fresh;
  };
  return { token, fetchToken };
}

function CopyButton({ label, text, disabled }: { label: string; text: () => Promise<string>; disabled?: boolean }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(await text());
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <button type="button" className="btn btn-small" aria-label={label} disabled={disabled} onClick={() => void copy()}>
      <span aria-live="polite">{state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}</span>
    </button>
  );
}

function PortWarning({ info }: { info: ConnectInfo }) {
  if (info.port === info.configuredPort) return null;
  return (
    <p className="banner banner-warn" role="alert">
      {info.configuredPort === 0
        ? `config.json sets airlock.port to 0, so Airlock takes any free port at each start: the URLs below (port ${info.port}) change with every restart. Set a fixed port (7323 is the default) for entries that last.`
        : `Airlock runs on port ${info.port} for now (it was started with --port), while config.json says ${info.configuredPort}: the URLs below stop working when Airlock restarts on ${info.configuredPort}. Protect writes no HTTP entry until the two agree.`}{' '}
      The stdio bridge (Claude Desktop) names no port and is not affected.
    </p>
  );
}

function ServerCard({ info, server, state, client, token, fetchToken }: { info: ConnectInfo; server: string; state: string; client: ClientId; token: string | undefined; fetchToken: () => Promise<string> }) {
  const headingId = useId();
  const snippet = snippetsFor(info, server, token ?? TOKEN_MASK).find((s) => s.client === client) as Snippet;
  const url = endpointUrl(info, server);
  return (
    <section className="card connect-server" aria-labelledby={headingId}>
      <header className="connect-server-head">
        <h2 id={headingId}>{server}</h2>
        <span className={`connect-state is-${state}`}>{state}</span>
      </header>
      <div className="connect-row">
        <span className="field-label">Endpoint</span>
        <code className="connect-url">{url}</code>
        <CopyButton label={`Copy the endpoint of ${server}`} text={async () => url} />
      </div>
      <p className="muted small connect-where">{snippet.where}</p>
      <div className="connect-snippet">
        <pre aria-label={`${CLIENT_NAMES[client]} entry for ${server}`}>{snippet.text}</pre>
        <CopyButton
          label={`Copy the ${CLIENT_NAMES[client]} entry for ${server}`}
          text={async () => (snippet.hasToken ? (snippetsFor(info, server, await fetchToken()).find((s) => s.client === client) as Snippet).text : snippet.text)}
        />
      </div>
    </section>
  );
}

function ProtectPanel() {
  const busy = useClientsStore((s) => s.busy);
  const last = useClientsStore((s) => s.last);
  const actionError = useClientsStore((s) => s.actionError);
  const headingId = useId();
  return (
    <section className="card connect-protect" aria-labelledby={headingId}>
      <h2 id={headingId}>Or let Airlock rewrite a client's config</h2>
      <p className="small">
        <strong>Protect</strong> (also <code>airlock protect &lt;client&gt;</code>) imports the servers a client already has into Airlock and rewrites its entries to
        go through Airlock, after a backup of the file. Project files get entries without the token or any path of this machine. Restart the client afterwards. See
        every file and undo it in <a href={href('clients')}>Clients</a>.
      </p>
      <div className="connect-protect-buttons">
        {CLIENTS.map((client) => (
          <button key={client} type="button" className="btn btn-small" disabled={busy} onClick={() => void useClientsStore.getState().run('protect', { client })}>
            Protect {CLIENT_NAMES[client]}
          </button>
        ))}
      </div>
      {actionError && (
        <p className="banner banner-error" role="alert">
          {actionError}
        </p>
      )}
      {last?.action === 'protect' && <ResultPanel last={last} onDismiss={() => useClientsStore.getState().dismissResult()} />}
    </section>
  );
}

export function ConnectView() {
  const [info, setInfo] = useState<ConnectInfo | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [client, setClient] = useState<ClientId>('claude-code');
  const [shown, setShown] = useState(false);
  const servers = useServersStore((s) => s.servers);
  const loaded = useServersStore((s) => s.loaded);
  const { token, fetchToken } = useToken();

  useEffect(() => {
    bridge()
      .call('connect.info')
      .then(setInfo, (err: Error) => setError(err.message));
  }, []);

  const reveal = async () => {
    if (shown) return setShown(false);
    try {
      await fetchToken();
      setShown(true);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <div className="page page-connect">
      <header className="page-head">
        <h1>Connect an agent</h1>
      </header>
      <p className="muted small connect-intro">
        Agents reach each server through Airlock at its own endpoint, with the MCP token as a bearer token (<code>Authorization: Bearer …</code>). Paste the entry for
        your client, or let Airlock write it. The token is also <code>mcpToken</code> in <code>auth.json</code> in the Airlock home; never give an agent the admin
        token.
      </p>
      {error && (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      )}
      {info && (
        <>
          <PortWarning info={info} />
          <div className="connect-token card">
            <span className="field-label">MCP token</span>
            <code className="connect-token-value" aria-label="MCP token">
              {shown && token ? token : TOKEN_MASK}
            </code>
            <button type="button" className="btn btn-small" aria-pressed={shown} onClick={() => void reveal()}>
              {shown ? 'Hide token' : 'Show token'}
            </button>
            <CopyButton label="Copy the MCP token" text={fetchToken} />
          </div>
          <div className="tabs" role="tablist" aria-label="Client">
            {CLIENTS.map((id) => (
              <button key={id} type="button" role="tab" className="tab" aria-selected={client === id} onClick={() => setClient(id)}>
                {CLIENT_NAMES[id]}
              </button>
            ))}
          </div>
          {loaded && servers.length === 0 && (
            <p className="muted">
              Airlock has no servers yet: add them to <code>config.json</code> in <code>{info.home}</code>, or import a client's servers below.
            </p>
          )}
          <div className="connect-servers" role="tabpanel" aria-label={CLIENT_NAMES[client]}>
            {servers.map((s) => (
              <ServerCard key={s.name} info={info} server={s.name} state={s.state} client={client} token={shown ? token : undefined} fetchToken={fetchToken} />
            ))}
          </div>
          <ProtectPanel />
        </>
      )}
    </div>
  );
}
