/**
 * The demo's simulated "rendering": a provider's image model runs in steps (a diffusion
 * model's inference steps), so a generator call takes a moment, reports progress and can be
 * stopped. Here each step is a short pause; the picture itself is made afterwards in a few
 * milliseconds (image-render.ts).
 */
import type { ServerContext } from '@modelcontextprotocol/server';

/** Steps when the caller names none: keeps a default call quick (tests make many). */
export const DEFAULT_STEPS = 4;
/** Enough for a call of several seconds, so a person (or a test) can cancel one mid-way. */
export const MAX_STEPS = 500;
/** One step's pause; DEFAULT_STEPS of them stay under a tenth of a second. */
export const STEP_MS = 20;

export type RenderOutcome = { done: true } | { done: false; step: number };

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `steps` steps, sending `notifications/progress` after each to a caller that sent a
 * progress token (a caller that sent none gets none). Stops at once when the request is
 * cancelled (or the connection closes) and says at which step, so the caller can log it and
 * return without producing anything.
 */
export async function renderSteps(ctx: ServerContext, steps: number): Promise<RenderOutcome> {
  const token = ctx.mcpReq._meta?.progressToken;
  const signal = ctx.mcpReq.signal;
  for (let step = 1; step <= steps; step++) {
    if (!(await pause(STEP_MS, signal))) return { done: false, step };
    if (token !== undefined) {
      await ctx.mcpReq.notify({
        method: 'notifications/progress',
        params: { progressToken: token, progress: step, total: steps, message: `Rendering: step ${step} of ${steps}` },
      });
    }
  }
  return { done: true };
}
