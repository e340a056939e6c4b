/**
 * The shell's mirror of the approval queue and the pause switch, kept from the control
 * API's events (the same ones every UI follows). The tray, the popup and notifications
 * read it; none of them talks to the core on its own.
 */
import { EventEmitter } from 'node:events';
import type { AirlockEvent, PendingCall } from '../../shared/api/contract.ts';
import type { ControlApi } from '../core/control/control-api.ts';

export type CoreApi = Pick<ControlApi, 'call' | 'subscribe'>;

export interface PendingTrackerEvents {
  /** A call started waiting for a person. */
  added: [PendingCall];
  /** The set of waiting calls changed (added, resolved or resynchronised). */
  changed: [PendingCall[]];
  paused: [boolean];
}

export class PendingTracker extends EventEmitter<PendingTrackerEvents> {
  private readonly api: CoreApi;
  private readonly items = new Map<string, PendingCall>();
  private unsubscribe: (() => void) | undefined;
  private pausedState = false;

  constructor(api: CoreApi) {
    super();
    this.api = api;
  }

  /**
   * Follows events first, then reads the current queue, so a call that arrives or ends
   * in between is neither lost nor resurrected. The shell counts as a UI: the tray can
   * always show an approval to the person.
   */
  async start(): Promise<void> {
    const resolvedMeanwhile = new Set<string>();
    let syncing = true;
    this.unsubscribe = this.api.subscribe((event) => {
      if (syncing && event.type === 'pending.resolved') resolvedMeanwhile.add(event.resolution.id);
      this.apply(event);
    }, { countsAsUi: true });
    const [pending, status] = await Promise.all([this.api.call('pending.list'), this.api.call('status.get')]);
    syncing = false;
    let changed = false;
    for (const call of pending) {
      if (resolvedMeanwhile.has(call.id) || this.items.has(call.id)) continue;
      this.items.set(call.id, call);
      changed = true;
    }
    if (changed) this.emit('changed', this.list());
    this.setPaused(status.paused);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Oldest first, like the queue. */
  list(): PendingCall[] {
    return [...this.items.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  get count(): number {
    return this.items.size;
  }

  get paused(): boolean {
    return this.pausedState;
  }

  private apply(event: AirlockEvent): void {
    switch (event.type) {
      case 'pending.added':
        if (this.items.has(event.pending.id)) return;
        this.items.set(event.pending.id, event.pending);
        this.emit('added', event.pending);
        this.emit('changed', this.list());
        return;
      case 'pending.resolved':
        if (!this.items.delete(event.resolution.id)) return;
        this.emit('changed', this.list());
        return;
      case 'status.changed':
        this.setPaused(event.status.paused);
        return;
      default:
        return;
    }
  }

  private setPaused(paused: boolean): void {
    if (paused === this.pausedState) return;
    this.pausedState = paused;
    this.emit('paused', paused);
  }
}
