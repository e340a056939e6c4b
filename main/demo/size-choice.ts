/**
 * `size: "ask"`: the generator asks the person which size to render, through a form
 * elicitation started by the server. Written once for both protocol eras: the handler
 * returns `inputRequired(...)`, a 2026-07-28 client answers it and retries the call, and on a
 * 2025-11-25 connection the SDK's legacy shim sends a real `elicitation/create` and re-enters
 * the handler with the answer. Each entry re-derives where it is from `inputResponses`.
 */
import {
  acceptedContent,
  inputRequired,
  inputResponse,
  type CallToolResult,
  type InputRequiredResult,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { SIZE_EDGES, type SizeName } from './image-render.ts';

/** The `size` value that asks the person instead of naming a size. */
export const ASK_SIZE = 'ask';

/** What each size "costs" at the pretend provider; larger pictures cost more. */
export const SIZE_CREDITS: Record<SizeName, number> = { '1K': 1, '2K': 2, '4K': 4 };

const SIZE_NAMES = Object.keys(SIZE_EDGES) as [SizeName, ...SizeName[]];

/** The form the person fills in: one choice among the sizes (a flat enum, as elicitation allows). */
export const sizeChoiceSchema = z.object({
  size: z.enum(SIZE_NAMES).meta({ title: 'Size', description: 'Larger sizes cost more credits.' }),
});

/** The key of the embedded request, and of its answer in `inputResponses`. */
const KEY = 'size';

export type SizeChoice = { size: SizeName } | { reply: CallToolResult | InputRequiredResult };

function costs(): string {
  return SIZE_NAMES.map((s) => `${s} costs ${SIZE_CREDITS[s]} credit${SIZE_CREDITS[s] === 1 ? '' : 's'}`).join(', ');
}

/**
 * The size the person picked, or what the handler must return now: the question (first
 * entry) or a tool error (the person declined or cancelled, or answered with something that
 * is not a size).
 */
export function chooseSize(ctx: ServerContext, what: string): SizeChoice {
  const responses = ctx.mcpReq.inputResponses;
  const view = inputResponse(responses, KEY);
  if (view.kind === 'elicit' && view.action !== 'accept') {
    const verb = view.action === 'decline' ? 'declined' : 'cancelled';
    return {
      reply: {
        content: [{ type: 'text', text: `No size chosen: the person ${verb} the question, so nothing was generated and no credits were used.` }],
        isError: true,
      },
    };
  }
  const chosen = acceptedContent(responses, KEY, sizeChoiceSchema);
  if (chosen !== undefined) return { size: chosen.size };
  if (view.kind === 'elicit') {
    // Accepted, but not one of the sizes: asking again could loop, so say what went wrong.
    return {
      reply: {
        content: [{ type: 'text', text: `The answer to the size question was not one of ${SIZE_NAMES.join(', ')}: nothing was generated.` }],
        isError: true,
      },
    };
  }
  return {
    reply: inputRequired({
      inputRequests: {
        [KEY]: inputRequired.elicit({ message: `Which size should ${what} be rendered at? ${costs()}.`, requestedSchema: sizeChoiceSchema }),
      },
    }),
  };
}
