/**
 * Two JSON texts side by side with their differences marked (@codemirror/merge), read-only.
 * Used for a tool whose definition changed since it was pinned.
 */
import { MergeView } from '@codemirror/merge';
import { EditorState } from '@codemirror/state';
import { useEffect, useRef } from 'react';
import { editorSetup } from './codemirror-setup.ts';

export function DefinitionDiff({ before, after, beforeLabel, afterLabel }: { before: string; after: string; beforeLabel: string; afterLabel: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const view = new MergeView({
      parent: host.current!,
      a: { doc: before, extensions: [editorSetup({ label: beforeLabel, readOnly: true }), EditorState.readOnly.of(true)] },
      b: { doc: after, extensions: [editorSetup({ label: afterLabel, readOnly: true }), EditorState.readOnly.of(true)] },
      gutter: true,
      highlightChanges: true,
      collapseUnchanged: { margin: 3, minSize: 6 },
    });
    return () => view.destroy();
  }, [before, after, beforeLabel, afterLabel]);
  return (
    <div className="definition-diff">
      <div className="diff-labels" aria-hidden="true">
        <span>{beforeLabel}</span>
        <span>{afterLabel}</span>
      </div>
      <div ref={host} className="json-editor diff-host" />
    </div>
  );
}
