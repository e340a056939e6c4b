/**
 * A modern (2026-07-28) tools/call that outlives one HTTP exchange.
 *
 * Modern clients have no session and no server→client requests. When a call must wait
 * (for a person's approval) or needs the client's input (a legacy upstream raised
 * elicitation/sampling/roots mid-call, or a modern upstream answered input_required), the
 * exchange ends with an `input_required` result that carries Airlock's own signed
 * `requestState`; the client's retry re-attaches to the same call, which kept running in
 * Airlock the whole time. So an approval asks once, the call runs once, and the upstream
 * call parked on an elicitation stays open between rounds.
 *
 * The state is HMAC-signed by the SDK's codec with a per-process key, bound to the caller,
 * server, tool and arguments digest, short-lived, and single use: each round mints a fresh
 * nonce and a nonce is forgotten once a retry claims it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  createRequestStateCodec,
  inputRequired,
  ProtocolError,
  ProtocolErrorCode,
  type CallToolResult,
  type InputRequests,
  type InputRequiredResult,
  type ServerContext,
} from '@modelcontextprotocol/server';

/** What a requestState is bound to: a retry with other values is refused. */
export interface RoundBinding {
  caller: string;
  server: string;
  tool: string;
  argsDigest: string;
}

interface RoundState extends RoundBinding {
  nonce: string;
}

/** The client's input a running call waits for. */
interface Park {
  inputRequests: InputRequests;
  resolve(responses: Record<string, unknown>): void;
  reject(err: Error): void;
}

export class InvalidRequestStateError extends ProtocolError {
  constructor(detail: string) {
    super(ProtocolErrorCode.InvalidParams, `[Airlock] ${detail}; nothing was run. Send the call again without requestState.`);
  }
}

/** One call across its rounds. */
export class OpenCall {
  readonly controller = new AbortController();
  readonly binding: RoundBinding;
  result!: Promise<CallToolResult>;
  private settled = false;
  private parks: Park[] = [];
  private current: Park | undefined;
  private waiting = false;
  private attached: ServerContext | undefined;
  private readonly wake = new Set<() => void>();
  private readonly attachWaiters = new Set<() => void>();

  constructor(binding: RoundBinding) {
    this.binding = binding;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The exchange the client is attached to now (progress goes there). */
  get exchange(): ServerContext | undefined {
    return this.attached;
  }

  run(start: (call: OpenCall) => Promise<CallToolResult>): void {
    this.result = start(this);
    void this.result.then(
      () => this.settle(),
      () => this.settle(),
    );
  }

  private settle(): void {
    this.settled = true;
    this.notify();
  }

  get isSettled(): boolean {
    return this.settled;
  }

  waitingForPerson(waiting: boolean): void {
    this.waiting = waiting;
    this.notify();
  }

  /** The running call needs the client's answers to these requests; resolves with them. */
  needInput(inputRequests: InputRequests): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      if (this.signal.aborted) return reject(new Error('the call was cancelled'));
      this.parks.push({ inputRequests, resolve, reject });
      this.notify();
    });
  }

  /** Resolves once a client exchange is attached (nothing is forwarded while nobody waits). */
  whenAttached(): Promise<void> {
    if (this.attached || this.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.attachWaiters.delete(done);
        this.signal.removeEventListener('abort', done);
        resolve();
      };
      this.attachWaiters.add(done);
      this.signal.addEventListener('abort', done, { once: true });
    });
  }

  attach(ctx: ServerContext): void {
    this.attached = ctx;
    for (const waiter of [...this.attachWaiters]) waiter();
  }

  detach(): void {
    this.attached = undefined;
  }

  /** The client answered the current park (a retry carried inputResponses). */
  answer(responses: Record<string, unknown> | undefined): void {
    const park = this.current;
    if (!park) return;
    const keys = Object.keys(park.inputRequests);
    // A retry that omits an answer gets the same question again.
    if (!responses || !keys.every((k) => k in responses)) {
      this.parks.unshift(park);
    } else {
      park.resolve(responses);
    }
    this.current = undefined;
  }

  cancel(reason: string): void {
    this.controller.abort(new Error(reason));
    for (const park of [...this.parks, ...(this.current ? [this.current] : [])]) park.reject(new Error(reason));
    this.parks = [];
    this.current = undefined;
    this.notify();
  }

  /** Waits for the next thing that ends this exchange: the result, a park, or the early answer. */
  async next(earlyMs: number): Promise<{ kind: 'done' } | { kind: 'input'; inputRequests: InputRequests } | { kind: 'early' }> {
    let earlyTimer: NodeJS.Timeout | undefined;
    let early = false;
    const armEarly = (kick: () => void) => {
      if (earlyTimer || !this.waiting || earlyMs <= 0) return;
      earlyTimer = setTimeout(() => {
        early = true;
        kick();
      }, earlyMs);
    };
    try {
      for (;;) {
        if (this.settled) return { kind: 'done' };
        const park = this.parks.shift();
        if (park) {
          this.current = park;
          return { kind: 'input', inputRequests: park.inputRequests };
        }
        if (early && this.waiting) return { kind: 'early' };
        if (!this.waiting && earlyTimer) {
          clearTimeout(earlyTimer);
          earlyTimer = undefined;
        }
        await new Promise<void>((resolve) => {
          const kick = () => {
            this.wake.delete(kick);
            resolve();
          };
          this.wake.add(kick);
          armEarly(kick);
        });
      }
    } finally {
      clearTimeout(earlyTimer);
    }
  }

  private notify(): void {
    for (const kick of [...this.wake]) kick();
  }
}

export interface CallRoundsOptions {
  /** Seconds a suspended call waits for the client's retry before it is cancelled. */
  retryGraceSeconds: () => number;
  /** Seconds a round may wait for a person before the client is told to retry. */
  earlyAnswerSeconds: () => number;
}

export class CallRounds {
  private readonly codec = createRequestStateCodec<RoundState>({ key: randomBytes(32), ttlSeconds: 3600 });
  private readonly suspended = new Map<string, { call: OpenCall; timer: NodeJS.Timeout }>();
  private readonly options: CallRoundsOptions;

  constructor(options: CallRoundsOptions) {
    this.options = options;
  }

  get size(): number {
    return this.suspended.size;
  }

  /** Starts a call and serves its first round. */
  start(ctx: ServerContext, binding: RoundBinding, start: (call: OpenCall) => Promise<CallToolResult>): Promise<CallToolResult | InputRequiredResult> {
    const call = new OpenCall(binding);
    call.run(start);
    return this.round(call, ctx);
  }

  /** A retry carrying a requestState: re-attach to the call it names, or refuse. */
  async resume(ctx: ServerContext, state: string, binding: RoundBinding): Promise<CallToolResult | InputRequiredResult> {
    let payload: RoundState;
    try {
      payload = await this.codec.verify(state, ctx);
    } catch {
      throw new InvalidRequestStateError('this requestState was not issued by Airlock or has expired');
    }
    const entry = this.suspended.get(payload.nonce);
    if (!entry) throw new InvalidRequestStateError('this requestState was already used or its call has ended');
    const bound = entry.call.binding;
    if (bound.caller !== binding.caller || bound.server !== binding.server || bound.tool !== binding.tool || bound.argsDigest !== binding.argsDigest) {
      throw new InvalidRequestStateError('this requestState belongs to another call (caller, server, tool or arguments differ)');
    }
    this.suspended.delete(payload.nonce);
    clearTimeout(entry.timer);
    entry.call.answer(ctx.mcpReq.inputResponses);
    return this.round(entry.call, ctx);
  }

  private async round(call: OpenCall, ctx: ServerContext): Promise<CallToolResult | InputRequiredResult> {
    call.attach(ctx);
    const onAbort = () => call.cancel('the client cancelled the call');
    ctx.mcpReq.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const event = await call.next(this.options.earlyAnswerSeconds() * 1000);
      if (event.kind === 'done') return await call.result;
      const requestState = await this.suspend(call);
      return inputRequired({ ...(event.kind === 'input' && { inputRequests: event.inputRequests }), requestState });
    } finally {
      ctx.mcpReq.signal.removeEventListener('abort', onAbort);
      call.detach();
    }
  }

  private async suspend(call: OpenCall): Promise<string> {
    const nonce = randomUUID();
    const timer = setTimeout(() => {
      this.suspended.delete(nonce);
      call.cancel('the client did not come back for the call');
    }, this.options.retryGraceSeconds() * 1000);
    timer.unref();
    this.suspended.set(nonce, { call, timer });
    return this.codec.mint({ ...call.binding, nonce });
  }

  /** Ends every suspended call (shutdown). */
  closeAll(): void {
    for (const { call, timer } of this.suspended.values()) {
      clearTimeout(timer);
      call.cancel('Airlock is shutting down');
    }
    this.suspended.clear();
  }
}
