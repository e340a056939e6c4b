/**
 * Editing a pending call's arguments as JSON (the card's second tab, beside the form): a
 * JSON editor checked against the tool's inputSchema as you type. Loaded only when the
 * person asks for it, so the popup opens fast.
 */
import { useEffect, useMemo } from 'react';
import { JsonEditor } from '../../components/json-editor.tsx';
import { checkArguments, type JsonCheck } from '../../lib/json-check.ts';

export interface ArgumentEditorProps {
  draft: string;
  original: string;
  schema: Record<string, unknown> | undefined;
  onDraft(text: string): void;
  /** Reports every check, so the card knows whether Approve may send the draft. */
  onCheck(check: JsonCheck): void;
  edited: boolean;
}

export default function ArgumentEditor({ draft, schema, onDraft, onCheck, edited }: ArgumentEditorProps) {
  const check = useMemo(() => checkArguments(draft, schema), [draft, schema]);
  useEffect(() => onCheck(check), [check, onCheck]);
  return (
    <div className="arguments-json">
      <JsonEditor value={draft} onChange={onDraft} problems={check.ok ? [] : check.problems} label="Arguments JSON" className="args-editor" />
      {check.ok ? (
        <p className="hint">{edited ? 'Approving sends these edited arguments.' : 'Matches the tool’s input schema.'}</p>
      ) : (
        <ul className="problems" role="alert">
          {check.problems.slice(0, 4).map((p, i) => (
            <li key={i}>{p.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
