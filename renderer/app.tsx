/** The main window: a sidebar of views and the view the hash route names. */
import { lazy, Suspense, useEffect } from 'react';
import { AirlockMark, HistoryIcon, InboxIcon, LaptopIcon, PlugIcon, ServerIcon, ShieldIcon } from './components/icons.tsx';
import { href, useLocation, type Route } from './lib/router.ts';
import { useConnectionStore } from './state/connection-store.ts';
import { usePendingStore } from './state/pending-store.ts';
import { usePolicyStore } from './state/policy-store.ts';
import { useServersStore } from './state/servers-store.ts';
import { ApprovalsView } from './views/approvals/approvals-view.tsx';
import { PopupView } from './views/approvals/popup-view.tsx';

// The editor and the timeline carry CodeMirror and the virtualiser: loaded when first opened,
// so the popup starts fast.
const HistoryView = lazy(() => import('./views/history/history-view.tsx').then((m) => ({ default: m.HistoryView })));
const PolicyView = lazy(() => import('./views/policy/policy-view.tsx').then((m) => ({ default: m.PolicyView })));
const ClientsView = lazy(() => import('./views/clients/clients-view.tsx').then((m) => ({ default: m.ClientsView })));
const ConnectView = lazy(() => import('./views/connect/connect-view.tsx').then((m) => ({ default: m.ConnectView })));
const ServersView = lazy(() => import('./views/servers/servers-view.tsx').then((m) => ({ default: m.ServersView })));

interface NavItem {
  route: Route;
  label: string;
  icon: React.ReactNode;
}

const NAV: NavItem[] = [
  { route: 'approvals', label: 'Approvals', icon: <InboxIcon /> },
  { route: 'history', label: 'History', icon: <HistoryIcon /> },
  { route: 'policy', label: 'Policy', icon: <ShieldIcon /> },
  { route: 'servers', label: 'Servers', icon: <ServerIcon /> },
  { route: 'clients', label: 'Clients', icon: <LaptopIcon /> },
  { route: 'connect', label: 'Connect', icon: <PlugIcon /> },
];

function NavBadge({ route }: { route: Route }) {
  const pending = usePendingStore((s) => s.calls.length);
  const policyBroken = usePolicyStore((s) => (s.policy?.problems.length ?? 0) > 0);
  const serverTrouble = useServersStore((s) => s.servers.filter((x) => x.state === 'failed').length + s.changes.length);
  if (route === 'approvals' && pending > 0) return <span className="nav-badge" aria-label={`${pending} waiting`}>{pending}</span>;
  if (route === 'policy' && policyBroken) return <span className="nav-dot" aria-label="policy.json has errors" />;
  if (route === 'servers' && serverTrouble > 0) return <span className="nav-dot" aria-label="needs attention" />;
  return null;
}

function ConnectionIndicator() {
  const state = useConnectionStore((s) => s.state);
  const status = useConnectionStore((s) => s.status);
  const text = state === 'open' ? 'Connected' : state === 'connecting' ? 'Connecting…' : 'Disconnected, retrying…';
  return (
    <div className={`connection is-${state}`} role="status" title={status ? `Airlock ${status.version} · ${status.home}` : undefined}>
      <span className="connection-dot" aria-hidden="true" />
      {text}
    </div>
  );
}

export function App() {
  const { route } = useLocation();
  const pending = usePendingStore((s) => s.calls.length);

  useEffect(() => {
    const base = route === 'popup' ? 'Airlock approval' : 'Airlock';
    document.title = pending > 0 ? `(${pending}) ${base}` : base;
  }, [pending, route]);

  if (route === 'popup') return <PopupView />;

  const label = NAV.find((n) => n.route === route)?.label ?? 'Approvals';
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Views">
        <div className="brand">
          <AirlockMark />
          <span>Airlock</span>
        </div>
        <ul>
          {NAV.map((item) => (
            <li key={item.route}>
              <a href={href(item.route)} className="nav-item" aria-current={route === item.route ? 'page' : undefined}>
                {item.icon}
                <span className="nav-label">{item.label}</span>
                <NavBadge route={item.route} />
              </a>
            </li>
          ))}
        </ul>
        <div className="sidebar-foot">
          <ConnectionIndicator />
        </div>
      </nav>
      <main className="content" aria-label={label}>
        <Suspense fallback={<div className="page loading">Loading…</div>}>
          {route === 'approvals' && <ApprovalsView />}
          {route === 'history' && <HistoryView />}
          {route === 'policy' && <PolicyView />}
          {route === 'servers' && <ServersView />}
          {route === 'clients' && <ClientsView />}
          {route === 'connect' && <ConnectView />}
        </Suspense>
      </main>
    </div>
  );
}
