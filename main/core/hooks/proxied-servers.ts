/**
 * Which MCP servers of a client already go through Airlock's proxy: the entries `airlock
 * protect` rewrote for it (protected.json). A hook lets their tools through, so a call is
 * decided once, by the proxy, and shows one card.
 */
import { loadProtected } from '../clients/protected-record.ts';

export function proxiedServerNames(home: string, client: string): Set<string> {
  try {
    return new Set(loadProtected(home).filter((entry) => entry.client === client).map((entry) => entry.name));
  } catch {
    // A damaged record names nothing: every MCP call is then decided by the hook too.
    return new Set();
  }
}
