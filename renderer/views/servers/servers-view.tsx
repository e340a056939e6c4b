/**
 * The Servers page: each upstream with its state and error, its sign-in for remote servers
 * that use OAuth, its tools with annotations and pin state, and for a tool whose definition changed since it was pinned, the difference
 * and the choice to accept it (calls stay refused until then).
 */
import { useState } from 'react';
import type { ServerStatus, ToolChange } from '../../../shared/api/contract.ts';
import { Badge, RiskBadges } from '../../components/badges.tsx';
import { DefinitionDiff } from '../../components/definition-diff.tsx';
import { formatDateTime, plural } from '../../lib/format.ts';
import { useServersStore } from '../../state/servers-store.ts';
import { SignInPanel } from './sign-in-panel.tsx';

const STATE_TEXT: Record<ServerStatus['state'], string> = { starting: 'Starting', ready: 'Ready', failed: 'Failed', stopped: 'Stopped' };
const STATE_TONE: Record<ServerStatus['state'], 'ok' | 'bad' | 'warn' | 'neutral'> = { starting: 'warn', ready: 'ok', failed: 'bad', stopped: 'neutral' };

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

function ChangeReview({ change }: { change: ToolChange }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [showDiff, setShowDiff] = useState(true);
  const accept = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await useServersStore.getState().accept(change.server, change.tool);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <section className="change-review" aria-label={`Changed definition of ${change.tool}`}>
      <div className="change-head">
        <div>
          <strong>{change.tool}</strong> now describes itself differently than when it was pinned. Calls to it are refused until you accept the new definition.
        </div>
        <div className="change-actions">
          <button type="button" className="btn btn-ghost btn-small" aria-pressed={showDiff} onClick={() => setShowDiff((v) => !v)}>
            {showDiff ? 'Hide difference' : 'Show difference'}
          </button>
          <button type="button" className="btn btn-small" onClick={() => setShowDiff(false)} disabled={busy}>
            Keep refusing
          </button>
          <button type="button" className="btn btn-primary btn-small" onClick={() => void accept()} disabled={busy}>
            Accept new definition
          </button>
        </div>
      </div>
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {showDiff && <DefinitionDiff before={pretty(change.pinned)} after={pretty(change.current)} beforeLabel="Pinned definition" afterLabel="Current definition" />}
    </section>
  );
}

function ServerCard({ server, changes }: { server: ServerStatus; changes: ToolChange[] }) {
  // Until it is signed in, a remote server's connection fails by design (Airlock sends nothing
  // without a token; the server answers 401): the sign-in panel says what to do, not an alarm.
  const awaitsSignIn = server.state === 'failed' && server.signIn !== undefined && server.signIn.state !== 'ready';
  return (
    <section className="server-card card" aria-label={`Server ${server.name}`}>
      <header className="server-head">
        <div className="server-name">
          <h2>{server.name}</h2>
          {awaitsSignIn ? <Badge tone="warn">Not signed in</Badge> : <Badge tone={STATE_TONE[server.state]}>{STATE_TEXT[server.state]}</Badge>}
          <span className="muted small">{server.transport}</span>
          {server.protocolVersion && (
            <span className="muted small" data-testid="server-protocol" title={server.era === 'modern' ? 'Airlock speaks the 2026-07-28 revision to this server' : 'Airlock speaks the 2025 revision (initialize, sessions) to this server'}>
              MCP {server.protocolVersion}
            </span>
          )}
        </div>
        <div className="muted small server-info">
          {server.serverInfo && (
            <span>
              {server.serverInfo.name} {server.serverInfo.version}
            </span>
          )}
          <span>since {formatDateTime(server.since)}</span>
          {server.restarts > 0 && <span>{plural(server.restarts, 'restart')}</span>}
        </div>
      </header>
      {server.error && !awaitsSignIn && (
        <p className="notice notice-error server-error" role="alert">
          {server.error}
        </p>
      )}
      {/* The core's own "needs sign-in" refusal repeats the panel; another error (the server is down) is still said. */}
      {server.error && awaitsSignIn && !server.error.startsWith(`[Airlock] "${server.name}" needs sign-in`) && <p className="muted small server-error-quiet">{server.error}</p>}
      {server.signIn && <SignInPanel server={server} signIn={server.signIn} />}
      {changes.map((change) => (
        <ChangeReview key={change.tool} change={change} />
      ))}
      {server.tools.length > 0 ? (
        <ul className="server-tools">
          {server.tools.map((tool) => (
            <li key={tool.name}>
              <div className="server-tool-name">
                <span>{tool.annotations?.title ?? tool.title ?? tool.name}</span>
                {(tool.annotations?.title ?? tool.title) && <code className="tool-name">{tool.name}</code>}
                {tool.pin === 'changed' ? <Badge tone="bad">Definition changed</Badge> : tool.pin === 'pinned' ? <Badge tone="neutral" title="Definition recorded; a change will be flagged.">Pinned</Badge> : null}
              </div>
              <RiskBadges annotations={tool.annotations} />
              {tool.description && <p className="muted server-tool-description">{tool.description}</p>}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{server.state === 'ready' ? 'This server offers no tools.' : 'Tools appear once the server is ready.'}</p>
      )}
    </section>
  );
}

export function ServersView() {
  const servers = useServersStore((s) => s.servers);
  const changes = useServersStore((s) => s.changes);
  const loaded = useServersStore((s) => s.loaded);
  const error = useServersStore((s) => s.error);
  return (
    <div className="page page-servers">
      <header className="page-head">
        <h1>Servers</h1>
      </header>
      {error && (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      )}
      {loaded && servers.length === 0 && (
        <div className="empty" role="status">
          <p className="empty-title">No servers configured</p>
          <p className="muted">Add MCP servers to config.json under mcpServers, in the format Claude Desktop uses.</p>
        </div>
      )}
      <div className="server-list">
        {servers.map((server) => (
          <ServerCard key={server.name} server={server} changes={changes.filter((c) => c.server === server.name)} />
        ))}
      </div>
    </div>
  );
}
