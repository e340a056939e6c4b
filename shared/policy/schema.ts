/**
 * policy.json as users write it (ARCHITECTURE.md §3): a superset of PolicyLayer's JSON
 * policies. Every object is strict: a misspelt key must fail loudly, never weaken a policy
 * by being ignored. The schema validates the file as written (aliases kept); the engine
 * compiles the result (main/core/policy/compile.ts). The end of this file holds what the
 * engine is asked (a call) and what it answers (a decision), which the history and the UI
 * read too.
 *
 * Self-contained on purpose: shared/ files import only zod.
 */
import { z } from 'zod';

export const ACTIONS = ['allow', 'deny', 'ask'] as const;
export type Action = (typeof ACTIONS)[number];

/** Spellings people bring from other tools; all mean `ask`. */
export const ACTION_ALIASES = { approve: 'ask', require_approval: 'ask' } as const satisfies Record<string, Action>;
export type ActionInput = Action | keyof typeof ACTION_ALIASES;

export const SCOPES = ['global', 'client', 'session'] as const;
export type Scope = (typeof SCOPES)[number];
/** PolicyLayer calls a per-client counter a `grant`. */
export const SCOPE_ALIASES = { grant: 'client' } as const satisfies Record<string, Scope>;
export type ScopeInput = Scope | keyof typeof SCOPE_ALIASES;

export const WINDOW_SECONDS = { second: 1, minute: 60, hour: 3600, day: 86400 } as const;
export type WindowName = keyof typeof WINDOW_SECONDS;

export const OPS = [
  'eq',
  'neq',
  'in',
  'not_in',
  'lt',
  'lte',
  'gt',
  'gte',
  'matches',
  'contains',
  'exists',
  'length_lt',
  'length_gt',
] as const;
export type Op = (typeof OPS)[number];

const ACTION_MESSAGE = 'expected allow|deny|ask (approve and require_approval mean ask)';
const WINDOW_MESSAGE = 'expected second|minute|hour|day or a number of seconds';

export const ActionSchema = z.enum(['allow', 'deny', 'ask', 'approve', 'require_approval'], { error: ACTION_MESSAGE });

export const WindowSchema = z.union(
  [
    z.enum(['second', 'minute', 'hour', 'day']),
    z.number({ error: WINDOW_MESSAGE }).positive({ error: WINDOW_MESSAGE }).finite({ error: WINDOW_MESSAGE }),
  ],
  { error: WINDOW_MESSAGE },
);

export const ScopeSchema = z.enum(['global', 'client', 'session', 'grant'], {
  error: 'expected global|client|session (grant means client)',
});

/**
 * Counter names become part of counter keys (`<counter>|<scope>|<identity>`), so they may
 * not hold the `|` separator.
 */
export const CounterNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:/-]{1,128}$/, 'use letters, digits, "_", ".", ":", "/" or "-" (at most 128 characters)');

export const LimitSchema = z.strictObject({
  /** Rules naming the same counter share its slots; without a name each limit has its own. */
  counter: CounterNameSchema.optional(),
  window: WindowSchema,
  max: z.number({ error: 'expected a whole number of calls (at least 1)' }).int({ error: 'expected a whole number of calls (at least 1)' }).min(1, { error: 'expected a whole number of calls (at least 1); use "action": "deny" to block a tool' }),
  scope: ScopeSchema,
});

/**
 * Where a condition looks: `args.<key>[.<key>|.<index>]…`, a tool annotation
 * (`annotations.readOnlyHint`), or the call's `client`, `server` or `tool`.
 */
export const CONDITION_PATH = /^(?:args(?:\.[^.]+)*|annotations\.[^.]+|client|server|tool)$/;

export const ConditionPathSchema = z
  .string({ error: 'expected a path such as args.size, annotations.readOnlyHint, client, server or tool' })
  .regex(CONDITION_PATH, 'expected args.<key>[.<key>…], annotations.<hint>, client, server or tool');

/**
 * A leading inline flag group as RE2 / PCRE write it (`(?i)nsfw`) becomes JS flags, so
 * patterns copied from Go or Python policies keep their meaning.
 */
export function parsePattern(pattern: string): { source: string; flags: string } {
  const inline = /^\(\?([ims]+)\)/.exec(pattern);
  if (!inline) return { source: pattern, flags: '' };
  const flags = [...new Set(inline[1])].join('');
  return { source: pattern.slice(inline[0].length), flags };
}

/** Throws a SyntaxError when the pattern does not compile. */
export function compilePattern(pattern: string): RegExp {
  const { source, flags } = parsePattern(pattern);
  return new RegExp(source, flags);
}

/** What `value` must be for each op; undefined when it is fine. */
function valueProblem(op: Op, value: unknown): string | undefined {
  switch (op) {
    case 'eq':
    case 'neq':
    case 'contains':
      return value === undefined ? `"${op}" needs a value` : undefined;
    case 'in':
    case 'not_in':
      return Array.isArray(value) ? undefined : `"${op}" needs a list of values, e.g. ["1K", "2K"]`;
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `"${op}" needs a number`;
    case 'length_lt':
    case 'length_gt':
      return typeof value === 'number' && Number.isInteger(value) && value >= 0
        ? undefined
        : `"${op}" needs a whole number (0 or more)`;
    case 'exists':
      return value === undefined || typeof value === 'boolean' ? undefined : '"exists" takes true, false or no value';
    case 'matches': {
      if (typeof value !== 'string') return '"matches" needs a regular expression as a string';
      try {
        compilePattern(value);
        return undefined;
      } catch (error) {
        return `invalid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`;
      }
    }
  }
}

export const ConditionSchema = z
  .strictObject({
    path: ConditionPathSchema,
    op: z.enum(OPS, { error: `expected one of ${OPS.join(' ')}` }),
    value: z.unknown().optional(),
  })
  .superRefine((condition, ctx) => {
    const problem = valueProblem(condition.op, condition.value);
    if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: problem, input: condition.value });
  });

export const TimeoutSchema = z
  .number({ error: 'expected a number of seconds' })
  .positive({ error: 'expected a number of seconds greater than 0' })
  .finite({ error: 'expected a number of seconds' });

export const RuleSchema = z.strictObject({
  /** A tool the policy names is allowed unless the rule says otherwise. */
  action: ActionSchema.optional(),
  reason: z.string().optional(),
  limits: z.array(LimitSchema).optional(),
  /** All must hold, else the call is denied. */
  require: z.array(ConditionSchema).optional(),
  /** Any holding denies the call. */
  deny_if: z.array(ConditionSchema).optional(),
  /** Any holding turns an allow into an ask. */
  ask_if: z.array(ConditionSchema).optional(),
  /** Seconds a pending approval waits before it times out. */
  timeout: TimeoutSchema.optional(),
});

/**
 * A tool key: a bare name, `server/tool`, or a glob of either (`*` any run of characters,
 * `?` one). Server names cannot hold `/` (config.ts), so the first `/` splits the key.
 */
export const ToolKeySchema = z
  .string()
  .min(1, 'a tool key cannot be empty')
  .refine((key) => key !== '__proto__', 'not a tool key')
  .refine((key) => {
    const slash = key.indexOf('/');
    return slash < 0 || (slash > 0 && slash < key.length - 1);
  }, 'expected tool, server/tool or a glob such as image_*');

/** Inside `servers.<name>.tools` a key is only ever a tool name or glob. */
export const ServerToolKeySchema = z
  .string()
  .min(1, 'a tool key cannot be empty')
  .refine((key) => key !== '__proto__', 'not a tool key');

/**
 * The rule for server names in config.ts (they are URL path segments), repeated here
 * because the policy schema stands alone; a key no server can have is a typo.
 */
export const PolicyServerNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use letters, digits, ".", "_" or "-" (at most 64 characters)');

/**
 * A rule for reading a resource (`resources`, keyed by URI or URI glob) or getting a prompt
 * (`prompts`, keyed by name or glob). Without any rule that matches, the read is allowed:
 * resources and prompts are content the agent asked for, not actions (README "The policy").
 */
export const AccessRuleSchema = z.strictObject({
  action: ActionSchema,
  reason: z.string().optional(),
  /** Seconds a pending approval waits. */
  timeout: TimeoutSchema.optional(),
});

/** A resource URI or prompt name, or a glob of one (`*` any run of characters, `/` included). */
export const AccessKeySchema = z
  .string()
  .min(1, 'a key cannot be empty')
  .refine((key) => key !== '__proto__', 'not a resource or prompt key');

export const ServerPolicySchema = z.strictObject({
  /** For tools of this server that no rule names; falls back to the policy's default. */
  default: ActionSchema.optional(),
  tools: z.record(ServerToolKeySchema, RuleSchema).optional(),
  /** Resource rules for this server only; they come before the top-level ones. */
  resources: z.record(AccessKeySchema, AccessRuleSchema).optional(),
  prompts: z.record(AccessKeySchema, AccessRuleSchema).optional(),
});

export const AllToolsSchema = z.strictObject({
  /** Counted across every tool: one budget, not one per tool. */
  limits: z.array(LimitSchema).optional(),
});

export const PolicySchema = z
  .strictObject({
    /** Lets editors offer completion; not read. */
    $schema: z.string().optional(),
    version: z.literal('1', { error: 'expected "1"' }),
    /** For tools no rule names. Missing means ask: a policy never allows everything by omission. */
    default: ActionSchema.optional(),
    /** Never listed in tools/list and always denied. */
    hide: z.array(ToolKeySchema).optional(),
    all_tools: AllToolsSchema.optional(),
    tools: z.record(ToolKeySchema, RuleSchema).optional(),
    servers: z.record(PolicyServerNameSchema, ServerPolicySchema).optional(),
    /** resources/read by URI; absent or unmatched: allowed. */
    resources: z.record(AccessKeySchema, AccessRuleSchema).optional(),
    /** prompts/get by name; absent or unmatched: allowed. */
    prompts: z.record(AccessKeySchema, AccessRuleSchema).optional(),
  })
  .superRefine((policy, ctx) => {
    // `tools["x/t"]` and `servers.x.tools.t` name the same rule; two answers is a conflict.
    for (const [server, entry] of Object.entries(policy.servers ?? {})) {
      for (const tool of Object.keys(entry.tools ?? {})) {
        if (policy.tools && Object.hasOwn(policy.tools, `${server}/${tool}`)) {
          ctx.addIssue({
            code: 'custom',
            path: ['servers', server, 'tools', tool],
            message: `the rule for ${server}/${tool} is also defined as tools["${server}/${tool}"]; keep one`,
          });
        }
      }
    }
  });

export type PolicyFile = z.infer<typeof PolicySchema>;
export type RuleInput = z.infer<typeof RuleSchema>;
export type LimitInput = z.infer<typeof LimitSchema>;
export type ConditionInput = z.infer<typeof ConditionSchema>;
export type ServerPolicyInput = z.infer<typeof ServerPolicySchema>;
export type AccessRuleInput = z.infer<typeof AccessRuleSchema>;
export type WindowInput = z.infer<typeof WindowSchema>;

/** Keys each kind of object accepts, for "did you mean" hints on unknown keys. */
export const KNOWN_KEYS = {
  policy: Object.keys(PolicySchema.shape),
  rule: Object.keys(RuleSchema.shape),
  limit: Object.keys(LimitSchema.shape),
  condition: ['path', 'op', 'value'],
  server: Object.keys(ServerPolicySchema.shape),
  all_tools: Object.keys(AllToolsSchema.shape),
  access: Object.keys(AccessRuleSchema.shape),
} as const;

export function normalizeAction(action: ActionInput): Action {
  return action === 'approve' || action === 'require_approval' ? ACTION_ALIASES[action] : action;
}

export function normalizeScope(scope: ScopeInput): Scope {
  return scope === 'grant' ? SCOPE_ALIASES.grant : scope;
}

export function windowSeconds(window: WindowInput): number {
  return typeof window === 'number' ? window : WINDOW_SECONDS[window];
}

// ---- What the engine is asked and what it answers ----

/** The tool annotations a server declared (MCP `ToolAnnotations`); hints, not guarantees. */
export interface ToolAnnotationsLike {
  readonly readOnlyHint?: boolean;
  readonly destructiveHint?: boolean;
  readonly idempotentHint?: boolean;
  readonly openWorldHint?: boolean;
  readonly title?: string;
  readonly [key: string]: unknown;
}

export interface PolicyCall {
  readonly server: string;
  readonly tool: string;
  readonly args: Readonly<Record<string, unknown>> | undefined;
  /** The caller identity: the token's name (`airlock-mcp-token` for the shared MCP token), never clientInfo. */
  readonly client: string;
  readonly sessionId: string;
  /** From the server's tools/list; absent when the tool was not listed. */
  readonly annotations?: ToolAnnotationsLike | undefined;
}

/**
 * policy: a rule's action; default: the server's or the policy's default;
 * hidden: the tool is in `hide`; condition: a require/deny_if/ask_if condition;
 * limit: a limit is exhausted.
 */
export type DecisionKind = 'policy' | 'default' | 'hidden' | 'condition' | 'limit';

/** One limit on a counter, with windows in seconds and aliases resolved. */
export interface LimitCheck {
  /** e.g. `/tools/image_to_image/limits/0`. */
  readonly pointer: string;
  readonly counter: string;
  readonly windowSeconds: number;
  readonly max: number;
  readonly scope: Scope;
}

/** One slot to take on a counter if the call goes ahead, checked against each limit. */
export interface Reservation {
  /** `<counter>|global`, `<counter>|client|<client>` or `<counter>|session|<sessionId>`. */
  readonly key: string;
  readonly counter: string;
  readonly scope: Scope;
  /** The limits on this counter (same key, possibly different windows and caps). */
  readonly limits: readonly LimitCheck[];
}

export interface LimitRefusal {
  /** Pointer of the limit, e.g. `/tools/image_to_image/limits/0`. */
  readonly rule: string;
  readonly counter: string;
  readonly key: string;
  readonly scope: Scope;
  readonly max: number;
  readonly windowSeconds: number;
  /** Slots taken in the window when the call arrived. */
  readonly used: number;
  /** Whole seconds until a call will be allowed again (at least 1). */
  readonly retryAfterSeconds: number;
  /** The same moment as an epoch in ms and as an ISO 8601 time. */
  readonly retryAtMs: number;
  readonly retryAt: string;
}

export interface PolicyDecision {
  readonly action: Action;
  readonly kind: DecisionKind;
  /** JSON pointer into the policy of what decided: `/default`, `/tools/x/limits/0`, … */
  readonly rule: string;
  /** The rule's reason, or an explanation of the condition, limit or default that decided. */
  readonly reason: string;
  /** Counter slots to reserve before forwarding (allow and ask only; empty otherwise). */
  readonly reservations: readonly Reservation[];
  /** For a deny: the tool-result text for the agent, starting with `[Airlock]`. */
  readonly message?: string;
  /** For an ask whose rule sets `timeout`: seconds the approval waits. */
  readonly timeout?: number;
  /** For kind `limit`: which limit refused and when to retry. */
  readonly limit?: LimitRefusal;
}
