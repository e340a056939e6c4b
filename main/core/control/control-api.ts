/**
 * The control API dispatcher: the single place where UI and script requests enter the
 * core. The HTTP adapter and the Electron IPC adapter both call `dispatch`, which parses
 * the input with the shared schema before any handler sees it.
 */
import { EventEmitter } from 'node:events';
import type { z } from 'zod';
import {
  methods,
  type AirlockEvent,
  type MethodName,
  type MethodOutput,
  type Methods,
} from '../../../shared/api/contract.ts';
import { InvalidInput, UnknownMethod } from '../errors.ts';
import { formatZodError } from '../util/zod-format.ts';

export type Handlers = {
  [M in MethodName]: (input: z.output<Methods[M]['input']>) => Promise<MethodOutput<M>> | MethodOutput<M>;
};

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}

export class ControlApi {
  private readonly handlers: Handlers;
  private readonly events = new EventEmitter<{ event: [AirlockEvent] }>();
  private subscribers = 0;
  /** Called when the number of connected UIs changes (0 means nobody is watching). */
  onSubscribersChanged: ((count: number) => void) | undefined;

  constructor(handlers: Handlers) {
    this.handlers = handlers;
    this.events.setMaxListeners(0);
  }

  async dispatch(method: string, rawInput: unknown): Promise<unknown> {
    if (!isMethodName(method)) throw new UnknownMethod(`no API method "${method}"`);
    const parsed = methods[method].input.safeParse(rawInput ?? undefined);
    if (!parsed.success) throw new InvalidInput(`${method}: ${formatZodError(parsed.error)}`);
    const handler = this.handlers[method] as (input: unknown) => unknown;
    return await handler(parsed.data);
  }

  /** Typed call for in-process users (the Electron shell, tests). */
  call<M extends MethodName>(method: M, input?: z.input<Methods[M]['input']>): Promise<MethodOutput<M>> {
    return this.dispatch(method, input) as Promise<MethodOutput<M>>;
  }

  emit(event: AirlockEvent): void {
    this.events.emit('event', event);
  }

  /** A UI following the core; its count tells whether anybody can answer an approval. */
  subscribe(listener: (event: AirlockEvent) => void, options: { countsAsUi?: boolean } = {}): () => void {
    const countsAsUi = options.countsAsUi ?? true;
    this.events.on('event', listener);
    if (countsAsUi) this.setSubscribers(this.subscribers + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.events.off('event', listener);
      if (countsAsUi) this.setSubscribers(this.subscribers - 1);
    };
  }

  get uiCount(): number {
    return this.subscribers;
  }

  private setSubscribers(count: number): void {
    this.subscribers = count;
    this.onSubscribersChanged?.(count);
  }
}
