/**
 * What every client's pre-tool hook comes down to: an event (a tool about to run, with its
 * input and the session's context) and a verdict (run it, maybe with edited input; refuse
 * it with a reason; or hand it back to the client's own prompt). One adapter per client
 * reads its event JSON and writes its answer (stdout JSON and exit code) as its hook
 * reference documents; the rest of Airlock sees only these shapes.
 */
import { z } from 'zod';

export const HookClientIdSchema = z.enum(['claude-code', 'cursor', 'codex', 'gemini-cli', 'vscode', 'copilot-cli']);
export type HookClientId = z.infer<typeof HookClientIdSchema>;

export const HOOK_CLIENT_NAMES: Record<HookClientId, string> = {
  'claude-code': 'Claude Code',
  cursor: 'Cursor',
  codex: 'Codex CLI',
  'gemini-cli': 'Gemini CLI',
  vscode: 'VS Code',
  'copilot-cli': 'GitHub Copilot CLI',
};

/** One tool call a client is about to make, as its hook told it. */
export interface HookEvent {
  /** The client's hook event name (PreToolUse, beforeShellExecution, BeforeTool...). */
  event: string;
  /** The client's own tool name (Bash, Edit, mcp__<server>__<tool>, run_shell_command...). */
  tool: string;
  input: Record<string, unknown>;
  cwd?: string;
  session?: string;
  /** Set when the tool is an MCP server's: the client's name for the server, and the tool's. */
  mcp?: { server: string; tool: string; url?: string };
}

export type HookVerdict =
  | { kind: 'allow'; reason?: string; updatedInput?: Record<string, unknown> }
  | { kind: 'deny'; reason: string }
  /** Hand the decision back to the client's own permission prompt. */
  | { kind: 'ask'; reason: string };

export const HookVerdictSchema: z.ZodType<HookVerdict> = z.union([
  z.object({ kind: z.literal('allow'), reason: z.string().optional(), updatedInput: z.record(z.string(), z.unknown()).optional() }),
  z.object({ kind: z.literal('deny'), reason: z.string() }),
  z.object({ kind: z.literal('ask'), reason: z.string() }),
]);

/** What the hook process writes and how it exits. */
export interface HookAnswer {
  stdout: string;
  stderr?: string;
  exitCode: number;
}

export interface HookAdapter {
  client: HookClientId;
  /** Reads the client's event; a string says what is wrong with it. */
  parse(event: unknown): HookEvent | string;
  /** The verdict in the client's format. */
  answer(verdict: HookVerdict, event: HookEvent | undefined): HookAnswer;
  /** The client runs edited input (updatedInput or its equivalent). */
  canEdit: boolean;
  /** Why the client could not run these edited arguments as edited, if it could not (checked when the person approves). */
  editProblem?(original: Record<string, unknown>, edited: Record<string, unknown>): string | undefined;
  /** The client has its own prompt to hand a decision back to (an `ask` answer). */
  canHandBack: boolean;
  /** Seconds the client waits for a hook by default, and what `airlock protect --hooks` writes where the entry takes one. */
  defaultTimeoutSeconds: number;
  protectTimeoutSeconds: number;
  /** The documentation the event and answer formats come from. */
  reference: string;
  /**
   * Another client that runs this client's entry too (it reads the same hook folder), told from
   * the event and environment it runs the entry with: that client, and the settings file where
   * Airlock's own entry for it goes. Never taken as who is calling, only as a reason to step
   * aside for that entry (see hook-command.ts).
   */
  alsoRunBy?(event: unknown, env: NodeJS.ProcessEnv): { client: HookClientId; settingsFile: string } | undefined;
  /** The answer that decides nothing: the client's other hooks decide. */
  neutralAnswer?: HookAnswer;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `mcp__<server>__<tool>`, the naming Claude Code, Codex and VS Code use for MCP tools. */
export function splitMcpToolName(name: string): { server: string; tool: string } | undefined {
  const match = /^mcp__(.+?)__(.+)$/.exec(name);
  return match ? { server: match[1]!, tool: match[2]! } : undefined;
}

export const optionalString = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
