/** The Approvals page of the main window: the queue, the approval card, missed calls, and "pause all asks". */
import { useState } from 'react';
import { bridge } from '../../bridge/bridge.ts';
import { useConnectionStore } from '../../state/connection-store.ts';
import { NotificationAsk } from '../../components/notification-ask.tsx';
import { ApprovalPanel } from './approval-panel.tsx';
import { MissedList } from './missed-list.tsx';

export function ApprovalsView() {
  const paused = useConnectionStore((s) => s.status?.paused ?? false);
  const [busy, setBusy] = useState(false);
  const toggle = async () => {
    setBusy(true);
    try {
      useConnectionStore.getState().setStatus(await bridge().call('approvals.pause', { paused: !paused }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="page page-approvals">
      <header className="page-head">
        <h1>Approvals</h1>
        <label className="switch" title="While paused, every call that would ask you is denied at once.">
          <input type="checkbox" role="switch" checked={paused} disabled={busy} onChange={() => void toggle()} />
          <span>Deny all asks</span>
        </label>
      </header>
      <NotificationAsk />
      {paused && (
        <p className="banner banner-warn" role="status">
          Paused: calls that would ask you are denied at once.
        </p>
      )}
      <ApprovalPanel variant="main" />
      <MissedList />
    </div>
  );
}
