/**
 * The history timeline as the control API exposes it: one entry per tools/call, and the
 * query that pages through them. Used by the core (history store, HTTP and IPC adapters)
 * and by the UI, so a change here is a change of the public contract (ARCHITECTURE.md §3).
 */
import { z } from 'zod';

/** Result previews keep the first this many characters of the text a tool returned. */
export const HISTORY_TEXT_PREVIEW_CHARS = 500;
/** Images a tool returned are kept as thumbnails only when at most this many bytes. */
export const HISTORY_THUMBNAIL_MAX_BYTES = 24 * 1024;
export const HISTORY_PAGE_DEFAULT = 50;
export const HISTORY_PAGE_MAX = 500;

/**
 * Entry ids sort like the timeline: 10 Crockford base-32 characters of the arrival time
 * (ms) and 2 of a per-millisecond counter, so a string sort is a time sort.
 */
export const HistoryIdSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{12}$/, 'not a history entry id');

export const DECISIONS = [
  'allowed',
  'approved',
  /** A person approved after the agent was told to retry: this call did not run, its retry does. */
  'approved_for_retry',
  /** A person approved, and Airlock stopped before sending it: it did not run, and is never run again. */
  'approved_not_run',
  'denied',
  'rejected_by_user',
  'timed_out',
  'rate_limited',
  'cancelled',
  'upstream_error',
  'quarantined',
] as const;
export const DecisionSchema = z.enum(DECISIONS);
export type Decision = z.infer<typeof DecisionSchema>;

/** Decisions that let the call through to the upstream server. */
export const FORWARDING_DECISIONS: readonly Decision[] = ['allowed', 'approved'];

/** pending: arrived, not decided yet; forwarded: sent upstream, no result yet; completed: done. */
export const CallStateSchema = z.enum(['pending', 'forwarded', 'completed']);
export type CallState = z.infer<typeof CallStateSchema>;

export const DecidedBySchema = z.object({
  kind: z.enum(['rule', 'user', 'timeout', 'limit', 'grant', 'client']),
  /** JSON pointer into the policy of the rule that decided, e.g. `/tools/image_to_image`. */
  rule: z.string().optional(),
  detail: z.string().optional(),
});
export type DecidedBy = z.infer<typeof DecidedBySchema>;

export const ClientInfoSchema = z.object({ name: z.string(), version: z.string() });
export type ClientInfo = z.infer<typeof ClientInfoSchema>;

export const ResultSummarySchema = z.object({
  isError: z.boolean(),
  /** The content block types in the result, each once, in order of first appearance. */
  contentTypes: z.array(z.string()),
  /** The first HISTORY_TEXT_PREVIEW_CHARS characters of the result's text. */
  textPreview: z.string(),
  /** Small images of the result as data: URLs (larger ones are left out, not scaled). */
  thumbnails: z.array(z.string()).optional(),
});
export type ResultSummary = z.infer<typeof ResultSummarySchema>;

const epochMs = z.number().int().nonnegative();

export const HistoryEntrySchema = z.object({
  id: HistoryIdSchema,
  receivedAt: epochMs,
  decidedAt: epochMs.optional(),
  completedAt: epochMs.optional(),
  server: z.string(),
  tool: z.string(),
  /** The caller identity policy uses: the token's name (`airlock-mcp-token` for the shared MCP token), never clientInfo. */
  client: z.string(),
  clientInfo: ClientInfoSchema.optional(),
  sessionId: z.string(),
  /** The protocol era and revision the agent spoke to Airlock for this call. */
  era: z.enum(['legacy', 'modern']).optional(),
  protocolVersion: z.string().optional(),
  /** The call's arguments with secrets already redacted (a person's edit, when there was one: these ran). */
  arguments: z.record(z.string(), z.unknown()),
  /** The arguments the agent sent, when a person edited them before approving (redacted alike). */
  originalArguments: z.record(z.string(), z.unknown()).optional(),
  /** The earlier entry this call repeats: the agent was told to retry it, or retried while it waited. */
  retryOf: HistoryIdSchema.optional(),
  /** The latest entry that repeats this call. */
  retriedBy: HistoryIdSchema.optional(),
  state: CallStateSchema,
  /** null while the call waits for a decision. */
  decision: DecisionSchema.nullable(),
  decidedBy: DecidedBySchema.nullable(),
  reason: z.string().optional(),
  /** What the person wrote when approving or denying. */
  userMessage: z.string().optional(),
  /** How long the call waited for a person. */
  waitMs: z.number().nonnegative().optional(),
  /** How long the upstream server took. */
  upstreamMs: z.number().nonnegative().optional(),
  result: ResultSummarySchema.optional(),
  error: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

/**
 * One or several decisions: an array, a single value, or a comma-separated list
 * (`?decision=denied,timed_out` in the HTTP API).
 */
const DecisionFilterSchema = z.union([
  z.array(DecisionSchema).min(1),
  z
    .string()
    .transform((s) => s.split(',').map((part) => part.trim()))
    .pipe(z.array(DecisionSchema).min(1)),
]);

/**
 * Filters shared by paging and export. Numbers are coerced so the same schema parses
 * JSON (IPC) and query strings (HTTP). Unknown keys are errors: a misspelt filter must
 * not silently return everything.
 */
const filterShape = {
  server: z.string().min(1).optional(),
  tool: z.string().min(1).optional(),
  decision: DecisionFilterSchema.optional(),
  client: z.string().min(1).optional(),
  /** Arrival time, inclusive, ms epoch. */
  from: z.coerce.number<number | string>().int().nonnegative().optional(),
  /** Arrival time, inclusive, ms epoch. */
  to: z.coerce.number<number | string>().int().nonnegative().optional(),
  /**
   * Text search over the tool name and the arguments' keys and values: every word must
   * occur as a whole word, ignoring case and accents ("png" finds "cat.png"); `word*`
   * matches a prefix.
   */
  q: z.string().trim().min(1).max(200).optional(),
};

export const HistoryFilterSchema = z.strictObject(filterShape);
export type HistoryFilter = z.output<typeof HistoryFilterSchema>;
export type HistoryFilterInput = z.input<typeof HistoryFilterSchema>;

export const HistoryQuerySchema = z.strictObject({
  ...filterShape,
  limit: z.coerce.number<number | string>().int().min(1).max(HISTORY_PAGE_MAX).default(HISTORY_PAGE_DEFAULT),
  /** The `nextCursor` of the previous page. */
  cursor: HistoryIdSchema.optional(),
});
export type HistoryQuery = z.output<typeof HistoryQuerySchema>;
export type HistoryQueryInput = z.input<typeof HistoryQuerySchema>;

/** Entries newest first; nextCursor is null on the last page. */
export const HistoryPageSchema = z.object({
  entries: z.array(HistoryEntrySchema),
  nextCursor: HistoryIdSchema.nullable(),
});
export type HistoryPage = z.infer<typeof HistoryPageSchema>;

export const HistoryExportFormatSchema = z.enum(['jsonl', 'csv']);
export type HistoryExportFormat = z.infer<typeof HistoryExportFormatSchema>;

/** How many calls the history holds per value of each filter (for the UI's filter lists). */
export const HistoryFacetsSchema = z.object({
  total: z.number().int().nonnegative(),
  servers: z.array(z.object({ server: z.string(), count: z.number().int() })),
  tools: z.array(z.object({ server: z.string(), tool: z.string(), count: z.number().int() })),
  clients: z.array(z.object({ client: z.string(), count: z.number().int() })),
  /** decision null: calls not decided yet. */
  decisions: z.array(z.object({ decision: DecisionSchema.nullable(), count: z.number().int() })),
});
export type HistoryFacets = z.infer<typeof HistoryFacetsSchema>;
