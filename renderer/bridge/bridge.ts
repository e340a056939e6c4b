/**
 * The renderer's view of the core: the AirlockBridge of shared/api/contract.ts (with its
 * optional `download`), plus the event stream's state where a bridge has one. Views never
 * ask which bridge they hold; they check for a capability (`download`, `onConnection`)
 * where one matters.
 */
import type { AirlockBridge } from './types.ts';

export type ConnectionState = 'connecting' | 'open' | 'closed' | 'signed-out';

export interface UiBridge extends AirlockBridge {
  /**
   * Reports the event stream's state; `open` again after a drop means events may have been
   * missed and the stores must reload. Returns an unsubscribe function.
   */
  onConnection?(listener: (state: ConnectionState) => void): () => void;
}

declare global {
  interface Window {
    /** Set by the Electron preload. */
    airlock?: AirlockBridge;
  }
}

let current: UiBridge | undefined;

export function setBridge(bridge: UiBridge): void {
  current = bridge;
}

export function bridge(): UiBridge {
  if (!current) throw new Error('the bridge is not set up yet');
  return current;
}
