/** Keyboard helpers: the platform's command modifier and whether a key press belongs to a text field. */

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** Ctrl on Windows and Linux, Cmd on macOS; no other modifier held. */
export function commandKey(event: KeyboardEvent | React.KeyboardEvent): boolean {
  const command = isMac ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
  return command && !event.altKey && !event.shiftKey;
}

export const COMMAND_LABEL = isMac ? '⌘' : 'Ctrl';

/** Text fields and editors keep their own keys (Ctrl+Backspace deletes a word there). */
export function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement) return true;
  if (target instanceof HTMLInputElement) return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color'].includes(target.type);
  return target instanceof HTMLSelectElement;
}
