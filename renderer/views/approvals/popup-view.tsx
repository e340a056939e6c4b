/** `#/popup`: the approval card alone, for the tray window. */
import { ApprovalPanel } from './approval-panel.tsx';

export function PopupView() {
  return (
    <main className="popup" aria-label="Approval">
      <ApprovalPanel variant="popup" />
    </main>
  );
}
