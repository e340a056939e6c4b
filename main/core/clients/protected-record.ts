/**
 * protected.json in the Airlock home: for every client entry Airlock rewrote, the entry as
 * it was (exact text and value) and what Airlock wrote in its place. Unprotect restores from
 * here rather than from a copy of the whole file, so the person's later edits to other
 * entries survive. The originals carry env secrets: the file is private (0600).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ClientIdSchema, ClientScopeSchema, ViaSchema } from '../../../shared/clients.ts';
import { writePrivateJson } from '../home/home.ts';

export const ProtectedEntrySchema = z.object({
  client: ClientIdSchema,
  scope: ClientScopeSchema,
  path: z.string(),
  project: z.string().optional(),
  /** JSON path of the servers object in the file. */
  location: z.array(z.string()),
  /** The entry's name in the client file. */
  name: z.string(),
  /** The Airlock server it now goes to. */
  server: z.string(),
  via: ViaSchema,
  /** The entry's value exactly as it was written in the file. */
  originalText: z.string(),
  original: z.unknown(),
  /** What Airlock wrote. */
  written: z.unknown(),
  protectedAt: z.number(),
  backup: z.string().optional(),
});
export type ProtectedEntry = z.infer<typeof ProtectedEntrySchema>;

const ProtectedFileSchema = z.object({
  version: z.literal(1),
  entries: z.array(ProtectedEntrySchema),
});

export function protectedFile(home: string): string {
  return join(home, 'protected.json');
}

export function backupsDir(home: string): string {
  return join(home, 'backups');
}

export function sameSlot(a: Pick<ProtectedEntry, 'path' | 'location' | 'name'>, b: Pick<ProtectedEntry, 'path' | 'location' | 'name'>): boolean {
  return a.path === b.path && a.name === b.name && JSON.stringify(a.location) === JSON.stringify(b.location);
}

/**
 * The record; empty when there is none. A damaged record is an error, never silently
 * replaced: it is the only copy of what to restore.
 */
export function loadProtected(home: string): ProtectedEntry[] {
  const file = protectedFile(home);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`${file}: cannot read (${(err as Error).message})`, { cause: err });
  }
  try {
    return ProtectedFileSchema.parse(JSON.parse(text)).entries;
  } catch (err) {
    throw new Error(`${file} is damaged (${(err as Error).message.split('\n')[0]}); fix it, or restore client files from ${backupsDir(home)}`, { cause: err });
  }
}

export function saveProtected(home: string, entries: ProtectedEntry[]): void {
  writePrivateJson(protectedFile(home), { version: 1, entries });
}
