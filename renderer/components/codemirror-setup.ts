/**
 * The CodeMirror 6 pieces every editor in the UI shares: JSON highlighting through CSS
 * classes (so light and dark come from the stylesheet's variables), line numbers,
 * folding, bracket matching, and a small undo history with Enter-keeps-indentation.
 * Tab is left to the browser so the keyboard can always leave the editor.
 */
import { bracketMatching, codeFolding, foldGutter, foldKeymap, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { json } from '@codemirror/lang-json';
import { lintGutter } from '@codemirror/lint';
import { Annotation, EditorSelection, type ChangeSet, type Extension, StateField } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers, type Command } from '@codemirror/view';
import { classHighlighter } from '@lezer/highlight';

// ---- A minimal undo history -------------------------------------------------------------

const historyEvent = Annotation.define<'undo' | 'redo'>();
/** Typing within this window undoes as one step. */
const GROUP_MS = 600;

interface UndoState {
  done: ChangeSet[];
  undone: ChangeSet[];
  lastAt: number;
}

const undoField = StateField.define<UndoState>({
  create: () => ({ done: [], undone: [], lastAt: 0 }),
  update(state, tr) {
    if (!tr.docChanged) return state;
    const inverse = tr.changes.invert(tr.startState.doc);
    const event = tr.annotation(historyEvent);
    if (event === 'undo') return { done: state.done.slice(0, -1), undone: [...state.undone, inverse], lastAt: 0 };
    if (event === 'redo') return { done: [...state.done, inverse], undone: state.undone.slice(0, -1), lastAt: 0 };
    const now = Date.now();
    const previous = state.done[state.done.length - 1];
    if (previous && now - state.lastAt < GROUP_MS && tr.isUserEvent('input')) {
      return { done: [...state.done.slice(0, -1), inverse.compose(previous)], undone: [], lastAt: now };
    }
    return { done: [...state.done.slice(-300), inverse], undone: [], lastAt: tr.isUserEvent('input') ? now : 0 };
  },
});

function step(kind: 'undo' | 'redo'): Command {
  return (view) => {
    const state = view.state.field(undoField, false);
    const changes = kind === 'undo' ? state?.done.at(-1) : state?.undone.at(-1);
    if (!changes) return false;
    const anchor = Math.min(changes.mapPos(view.state.selection.main.head, 1), changes.newLength);
    view.dispatch({ changes, selection: EditorSelection.cursor(anchor), annotations: historyEvent.of(kind), scrollIntoView: true });
    return true;
  };
}

/** Enter keeps the line's indentation, one level more after an opening bracket. */
const newlineAndIndent: Command = (view) => {
  if (view.state.readOnly) return false;
  view.dispatch(
    view.state.changeByRange((range) => {
      const line = view.state.doc.lineAt(range.from);
      const indent = /^\s*/.exec(line.text)?.[0] ?? '';
      const before = view.state.sliceDoc(range.from - 1, range.from);
      const after = view.state.sliceDoc(range.to, range.to + 1);
      const opens = before === '{' || before === '[';
      const closes = (before === '{' && after === '}') || (before === '[' && after === ']');
      const insert = opens ? `\n${indent}  ${closes ? `\n${indent}` : ''}` : `\n${indent}`;
      const cursor = range.from + (opens ? indent.length + 3 : indent.length + 1);
      return { changes: { from: range.from, to: range.to, insert }, range: EditorSelection.cursor(cursor) };
    }),
    { scrollIntoView: true, userEvent: 'input' },
  );
  return true;
};

const editingKeymap = keymap.of([
  { key: 'Mod-z', run: step('undo'), preventDefault: true },
  { key: 'Mod-y', run: step('redo'), preventDefault: true },
  { key: 'Mod-Shift-z', run: step('redo'), preventDefault: true },
  { key: 'Enter', run: newlineAndIndent },
  { key: 'Mod-a', run: (view) => (view.dispatch({ selection: { anchor: 0, head: view.state.doc.length } }), true), preventDefault: true },
  ...foldKeymap,
]);

const theme = EditorView.theme({
  '&': { fontSize: '12.5px', backgroundColor: 'var(--code-bg)', color: 'var(--text)' },
  '.cm-content': { fontFamily: 'var(--font-mono)', caretColor: 'var(--text)', padding: '6px 0' },
  '.cm-gutters': { backgroundColor: 'var(--code-bg)', color: 'var(--text-3)', border: 'none', borderRight: '1px solid var(--border-soft)' },
  '.cm-activeLine': { backgroundColor: 'var(--code-active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--code-active-line)', color: 'var(--text-2)' },
  '&.cm-focused': { outline: 'none' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground, ::selection': { backgroundColor: 'var(--selection) !important' },
  '.cm-cursor': { borderLeftColor: 'var(--text)' },
  '.cm-foldPlaceholder': { backgroundColor: 'var(--surface-2)', border: '1px solid var(--border)', color: 'var(--text-2)' },
  '.cm-tooltip': { backgroundColor: 'var(--surface)', border: '1px solid var(--border)', color: 'var(--text)' },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--danger)' },
  '.cm-lintRange-error': { backgroundImage: 'none', textDecoration: 'underline wavy var(--danger)', textUnderlineOffset: '3px' },
});

export interface EditorSetupOptions {
  readOnly?: boolean;
  label: string;
}

export function editorSetup(options: EditorSetupOptions): Extension[] {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    codeFolding(),
    foldGutter({ openText: '▾', closedText: '▸' }),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    highlightActiveLine(),
    json(),
    syntaxHighlighting(classHighlighter),
    lintGutter(),
    undoField,
    editingKeymap,
    theme,
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({ 'aria-label': options.label, 'aria-multiline': 'true' }),
    ...(options.readOnly ? [EditorView.editable.of(false)] : []),
  ];
}
