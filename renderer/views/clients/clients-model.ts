/**
 * The Clients page's pure pieces: what a client's buttons may do, which entries bypass
 * Airlock, how a file's scope and an operation's result read. No React, no bridge, so they
 * are tested in Node.
 */
import type { Bypass, ClientConfigFile, ClientsResult, DiscoveredClient, ServerOutcome } from '../../../shared/clients.ts';
import { plural } from '../../lib/format.ts';
import type { ClientAction } from '../../state/clients-store.ts';

export const ACTION_VERB: Record<ClientAction, string> = { import: 'Import', protect: 'Protect', unprotect: 'Unprotect' };

/** What the client-wide buttons can act on: the entries of readable files, by what they allow. */
export function clientCounts(client: DiscoveredClient): { servers: number; guarded: number; movable: number; restorable: number } {
  let servers = 0;
  let guarded = 0;
  let movable = 0;
  let restorable = 0;
  for (const file of client.files) {
    if (file.status !== 'ok') continue;
    for (const server of file.servers) {
      servers++;
      if (server.protected) guarded++;
      else if (!server.error) movable++;
      if (server.restorable) restorable++;
    }
  }
  return { servers, guarded, movable, restorable };
}

/** The key a bypass and a listed entry share: the file, where in it, and the entry's name. */
export function entryKey(path: string, project: string | undefined, entry: string): string {
  return `${path}\0${project ?? ''}\0${entry}`;
}

export function bypassKeys(bypasses: readonly Bypass[]): Set<string> {
  return new Set(bypasses.map((b) => entryKey(b.path, b.project, b.entry)));
}

export function scopeText(file: Pick<ClientConfigFile, 'scope' | 'project'>): string {
  if (file.scope === 'user') return 'User settings';
  if (file.scope === 'local') return `Local to ${file.project ?? 'a project'}`;
  return `Project ${file.project ?? ''}`.trim();
}

/** The command line or URL of an entry, as one line. */
export function entryTarget(server: { command?: string | undefined; args?: string[] | undefined; url?: string | undefined }): string {
  if (server.url) return server.url;
  return [server.command, ...(server.args ?? [])].filter((part) => part !== undefined).join(' ');
}

export const OUTCOME_TEXT: Record<ServerOutcome['status'], string> = {
  added: 'Added to config.json',
  renamed: 'Added under another name',
  reused: 'Already in config.json',
  protected: 'Now goes through Airlock',
  restored: 'Original entry restored',
  unchanged: 'Unchanged',
  skipped: 'Skipped',
  error: 'Failed',
};

export const OUTCOME_TONE: Record<ServerOutcome['status'], 'ok' | 'bad' | 'warn' | 'neutral' | 'info'> = {
  added: 'info',
  renamed: 'warn',
  reused: 'neutral',
  protected: 'ok',
  restored: 'ok',
  unchanged: 'neutral',
  skipped: 'warn',
  error: 'bad',
};

/** One line that says what an operation did, for the top of its result. */
export function resultHeadline(action: ClientAction, clientName: string, result: ClientsResult): string {
  const outcomes = result.files.flatMap((f) => f.servers);
  const count = (...statuses: ServerOutcome['status'][]) => outcomes.filter((o) => statuses.includes(o.status)).length;
  const failed = count('error') + result.files.filter((f) => f.status === 'error').length;
  let done: string;
  if (action === 'import') {
    const added = count('added', 'renamed');
    done = added ? `${plural(added, 'server')} from ${clientName} added to config.json` : `Nothing new to import from ${clientName}`;
  } else if (action === 'protect') {
    const n = count('protected');
    done = n ? `${plural(n, 'entry', 'entries')} in ${clientName} now ${n === 1 ? 'goes' : 'go'} through Airlock` : `Nothing in ${clientName} changed`;
  } else {
    const n = count('restored');
    done = n ? `${plural(n, 'original entry', 'original entries')} restored in ${clientName}` : `Nothing in ${clientName} changed`;
  }
  if (failed) done += `; ${plural(failed, 'problem')}`;
  else if (result.notFound.length) done += `; ${plural(result.notFound.length, 'entry', 'entries')} not found`;
  return done;
}
