/**
 * A CodeMirror 6 JSON editor as a controlled React component: `value` in, `onChange` out,
 * `problems` drawn inline (underlined, in the gutter, as tooltips) by line and column.
 */
import { setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { Annotation, EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import { editorSetup } from './codemirror-setup.ts';

export interface EditorProblem {
  /** 1-based. */
  line?: number | undefined;
  /** 1-based. */
  column?: number | undefined;
  /** Alternatively, a character offset into the text. */
  offset?: number | undefined;
  length?: number | undefined;
  message: string;
}

export interface JsonEditorProps {
  value: string;
  onChange?: (value: string) => void;
  problems?: readonly EditorProblem[];
  label: string;
  readOnly?: boolean;
  className?: string;
  /** Called with the view once, e.g. to focus it. */
  onReady?: (view: EditorView) => void;
}

/** Marks changes that came in through `value`, so they are not echoed to onChange. */
const external = Annotation.define<boolean>();

function toDiagnostics(state: EditorState, problems: readonly EditorProblem[]): Diagnostic[] {
  const doc = state.doc;
  return problems.map((problem) => {
    let from: number;
    if (problem.offset !== undefined) from = Math.min(problem.offset, doc.length);
    else if (problem.line !== undefined) {
      const line = doc.line(Math.min(Math.max(problem.line, 1), doc.lines));
      from = Math.min(line.from + Math.max((problem.column ?? 1) - 1, 0), line.to);
    } else from = 0;
    let to = problem.length !== undefined ? Math.min(from + problem.length, doc.length) : from;
    if (to === from) {
      // Underline the token at the position, or at least one character.
      const line = doc.lineAt(from);
      const rest = line.text.slice(from - line.from);
      const token = /^("(?:[^"\\]|\\.)*"?|[^\s,:{}[\]]+)/.exec(rest)?.[0].length ?? 0;
      to = Math.min(from + Math.max(token, 1), doc.length);
      if (to === from && from > 0) from -= 1;
    }
    return { from, to, severity: 'error', message: problem.message };
  });
}

export function JsonEditor({ value, onChange, problems = [], label, readOnly = false, className, onReady }: JsonEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          editorSetup({ label, readOnly }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged && !update.transactions.every((t) => t.annotation(external))) {
              onChangeRef.current?.(update.state.doc.toString());
            }
          }),
        ],
      }),
    });
    view.current = editor;
    onReady?.(editor);
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is created once; value and problems are pushed in by the effects below.
  }, [readOnly, label]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const current = editor.state.doc.toString();
    if (current !== value) {
      editor.dispatch({ changes: { from: 0, to: current.length, insert: value }, annotations: external.of(true) });
    }
  }, [value]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    editor.dispatch(setDiagnostics(editor.state, toDiagnostics(editor.state, problems)));
  }, [problems, value]);

  return <div ref={host} className={['json-editor', className].filter(Boolean).join(' ')} />;
}
