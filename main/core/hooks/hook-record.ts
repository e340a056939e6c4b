/**
 * What `airlock protect --hooks` installed (protected-hooks.json in the home), and whether
 * an element it added stands in a settings file now. Apart from hook-install.ts so that the
 * hook's own entry, which asks whether another client's entry is in place (hook-command.ts),
 * loads no installer code.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findNodeAtLocation, getNodeValue } from 'jsonc-parser';
import { z } from 'zod';
import { parseClientText, readClientFile } from '../clients/client-file.ts';
import { canonicalJson } from '../store/canonical-json.ts';
import { hookInstall } from './adapters.ts';
import type { HookClientId } from './hook-adapter.ts';

/** One element Airlock adds to an array of a settings file. */
export interface HookSlot {
  location: string[];
  value: unknown;
}

const RecordSchema = z.object({
  client: z.string(),
  path: z.string(),
  slots: z.array(z.object({ location: z.array(z.string()), value: z.unknown() })),
  /** The file's text before Airlock added its entries (null: there was no file). */
  textBefore: z.string().nullable(),
  textAfter: z.string(),
  backup: z.string().optional(),
  installedAt: z.number(),
});
export type HookRecord = z.infer<typeof RecordSchema>;
const RecordFileSchema = z.object({ version: z.literal(1), hooks: z.array(RecordSchema) });

export function hookRecordFile(home: string): string {
  return join(home, 'protected-hooks.json');
}

/** The records (none without a file); what is wrong with the file when it is damaged. An unreadable file throws. */
export function readHookRecords(home: string): HookRecord[] | { damaged: string } {
  let text: string;
  try {
    text = readFileSync(hookRecordFile(home), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  try {
    return RecordFileSchema.parse(JSON.parse(text)).hooks;
  } catch (err) {
    return { damaged: (err as Error).message.split('\n')[0]! };
  }
}

export function treeOf(text: string, jsonc: boolean) {
  const parsed = parseClientText(text, jsonc);
  return 'error' in parsed ? undefined : parsed.root;
}

/** Where the slot's element is in the file's text now (-1: not there). */
export function slotIndex(text: string, jsonc: boolean, slot: HookSlot): number {
  const root = treeOf(text, jsonc);
  const node = root ? findNodeAtLocation(root, slot.location) : undefined;
  if (!node || node.type !== 'array') return -1;
  const want = canonicalJson(slot.value);
  return (node.children ?? []).findIndex((child) => canonicalJson(getNodeValue(child)) === want);
}

/**
 * Whether Airlock's entries for `client` stand, as it wrote them, in `path` (that client's
 * settings file as some other entry found it), in the home's record and in the file, and the
 * file does not switch its own hooks off (`disableAllHooks`, which Copilot CLI applies to the
 * file's inline hooks only). Anything unclear (no record, the file unreadable, a key twice)
 * is a no.
 */
export function hookEntryInstalled(home: string, client: HookClientId, path: string): boolean {
  let records: HookRecord[] | { damaged: string };
  try {
    records = readHookRecords(home);
  } catch {
    return false;
  }
  if (!Array.isArray(records)) return false;
  const record = records.find((r) => r.client === client && resolve(r.path) === resolve(path));
  if (!record) return false;
  const spec = hookInstall(client);
  const read = readClientFile(record.path, spec.jsonc);
  if (read.status !== 'ok' || !read.root) return false;
  const properties = read.root.children ?? [];
  if (properties.filter((property) => property.children?.[0]?.value === 'hooks').length !== 1) return false;
  const switchedOff = properties.some((property) => property.children?.[0]?.value === 'disableAllHooks' && property.children[1] && getNodeValue(property.children[1]) !== false);
  if (switchedOff) return false;
  return record.slots.every((slot) => slotIndex(read.text, spec.jsonc, slot) >= 0);
}
