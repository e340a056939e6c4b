/**
 * The CodeMirror 6 pieces every editor in the UI shares: JSON highlighting through CSS
 * classes (so light and dark come from the stylesheet's variables), line numbers,
 * folding, bracket matching, and @codemirror/commands' editing keys and undo history.
 * Tab is left to the browser so the keyboard can always leave the editor.
 */
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, codeFolding, foldGutter, foldKeymap, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { json } from '@codemirror/lang-json';
import { lintGutter } from '@codemirror/lint';
import type { Extension } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { classHighlighter } from '@lezer/highlight';

/**
 * The standard editing keys (arrows, Enter keeping the indentation, Mod-A, Mod-[ and Mod-],
 * line moves), undo and redo, and folding. Tab is not bound (no `indentWithTab`): a
 * keyboard user must be able to Tab from the arguments editor to Approve, and from the
 * policy text to Save; Mod-] and Mod-[ indent instead.
 */
const editingKeymap = keymap.of([...defaultKeymap, ...historyKeymap, ...foldKeymap]);

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
    history(),
    editingKeymap,
    theme,
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({ 'aria-label': options.label, 'aria-multiline': 'true' }),
    ...(options.readOnly ? [EditorView.editable.of(false)] : []),
  ];
}
