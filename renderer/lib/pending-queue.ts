/** Pure helpers over the waiting calls: which ones are the same call sent again. */
import type { PendingCall } from '../../shared/api/contract.ts';
import { sameJson } from './schema-form.ts';

/** Same server, tool, caller (the token's identity) and arguments: one decision fits them all. */
export function isIdentical(a: PendingCall, b: PendingCall): boolean {
  return a.server === b.server && a.tool === b.tool && a.client.id === b.client.id && sameJson(a.arguments, b.arguments);
}

export function identicalCalls(call: PendingCall, others: readonly PendingCall[]): PendingCall[] {
  return others.filter((o) => o.id !== call.id && isIdentical(call, o));
}

export function toolTitle(call: Pick<PendingCall, 'tool' | 'toolDefinition'>): string {
  return call.toolDefinition?.annotations?.title ?? call.toolDefinition?.title ?? call.tool;
}
