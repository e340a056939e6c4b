/** Small labels: a decision, the risk a tool's annotations declare, a pin state. */
import type { ToolAnnotations } from '../../shared/api/contract.ts';
import type { Decision } from '../../shared/history.ts';
import { OUTCOMES, outcomeLabel, outcomeTone } from '../../shared/outcomes.ts';

export function Badge({ tone = 'neutral', children, title }: { tone?: 'ok' | 'bad' | 'warn' | 'neutral' | 'info'; children: React.ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

export function DecisionBadge({ decision, pendingLabel = 'Waiting' }: { decision: Decision | null; pendingLabel?: string }) {
  return (
    <Badge tone={outcomeTone(decision)} {...(decision && { title: OUTCOMES[decision].description })}>
      {outcomeLabel(decision, pendingLabel)}
    </Badge>
  );
}

export interface Risk {
  label: string;
  tone: 'ok' | 'bad' | 'warn' | 'neutral';
  title: string;
}

/**
 * What a tool's annotations say about its risk, with MCP's defaults for hints a server
 * left out (a tool that is not read-only may be destructive; any tool may reach the
 * outside world). The hints are the server's own claims, not guarantees.
 */
export function risksOf(annotations: ToolAnnotations | undefined): Risk[] {
  const a = annotations ?? {};
  const risks: Risk[] = [];
  if (a.readOnlyHint === true) {
    risks.push({ label: 'Read-only', tone: 'ok', title: 'The server says this tool does not change anything.' });
  } else if (a.destructiveHint === false) {
    risks.push({ label: 'Changes data', tone: 'neutral', title: 'The server says this tool may add or change things, but not delete or overwrite.' });
  } else {
    risks.push({
      label: a.destructiveHint === true ? 'Destructive' : 'May be destructive',
      tone: 'bad',
      title: a.destructiveHint === true ? 'The server says this tool may delete or overwrite things.' : 'The server does not say this tool is read-only or harmless.',
    });
  }
  if (a.openWorldHint !== false) {
    risks.push({
      label: 'Open world',
      tone: 'warn',
      title: a.openWorldHint === true ? 'The server says this tool reaches outside this machine (the internet, other services).' : 'The server does not say this tool stays local.',
    });
  }
  return risks;
}

export function RiskBadges({ annotations }: { annotations: ToolAnnotations | undefined }) {
  return (
    <span className="badge-row" aria-label="Risk">
      {risksOf(annotations).map((risk) => (
        <Badge key={risk.label} tone={risk.tone} title={risk.title}>
          {risk.label}
        </Badge>
      ))}
    </span>
  );
}
