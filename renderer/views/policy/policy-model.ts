/**
 * The policy form edits the policy *text*: every change is a minimal edit at a JSON path
 * (jsonc-parser), so comments, key order and formatting survive a form edit, and the JSON
 * tab and the form always show the same draft. Also: which rule applies to a tool, with
 * the precedence of ARCHITECTURE.md §3 (server-scoped exact > exact > glob > server
 * default > default).
 */
import { applyEdits, modify, parse, type JSONPath, type ParseError } from 'jsonc-parser';

export type ActionName = 'allow' | 'deny' | 'ask';

export interface LimitDraft {
  counter?: string;
  window: string | number;
  max: number;
  scope: string;
}

export interface ConditionDraft {
  path: string;
  op: string;
  value?: unknown;
}

export interface RuleDraft {
  action?: string;
  reason?: string;
  limits?: LimitDraft[];
  require?: ConditionDraft[];
  deny_if?: ConditionDraft[];
  ask_if?: ConditionDraft[];
  timeout?: number;
  [key: string]: unknown;
}

export interface PolicyDraft {
  version?: string;
  default?: string;
  hide?: string[];
  all_tools?: { limits?: LimitDraft[] };
  tools?: Record<string, RuleDraft>;
  servers?: Record<string, { default?: string; tools?: Record<string, RuleDraft> }>;
  [key: string]: unknown;
}

export function parseDraft(text: string): PolicyDraft | undefined {
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false }) as unknown;
  if (errors.length > 0 || typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return value as PolicyDraft;
}

/** Sets (or, with undefined, removes) the value at `path`, keeping the rest of the text as it is. */
export function editDraft(text: string, path: JSONPath, value: unknown): string {
  const edits = modify(text, path, value, { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } });
  return applyEdits(text, edits);
}

export function normalizeAction(action: string | undefined): ActionName | undefined {
  if (action === undefined) return undefined;
  if (action === 'approve' || action === 'require_approval') return 'ask';
  return action === 'allow' || action === 'deny' || action === 'ask' ? action : undefined;
}

export function globToRegExp(glob: string): RegExp {
  const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`);
}

export const isGlob = (key: string) => /[*?]/.test(key);

export type RuleSource = 'server-scoped' | 'exact' | 'glob' | 'server-default' | 'default';

export interface RuleLocation {
  source: RuleSource;
  /** Where the rule lives, for rules; undefined for defaults. */
  path: JSONPath | undefined;
  key: string | undefined;
  rule: RuleDraft | undefined;
  /** The action this rule or default gives before conditions and limits. */
  action: ActionName;
}

function matches(key: string, server: string, tool: string): { scoped: boolean; glob: boolean } | undefined {
  const slash = key.indexOf('/');
  if (slash > 0) {
    const [s, t] = [key.slice(0, slash), key.slice(slash + 1)];
    if (!globToRegExp(s).test(server) || !globToRegExp(t).test(tool)) return undefined;
    return { scoped: true, glob: isGlob(key) };
  }
  if (!globToRegExp(key).test(tool)) return undefined;
  return { scoped: false, glob: isGlob(key) };
}

/** The rule (or default) that decides calls to `server`/`tool` under this draft. */
export function locateRule(policy: PolicyDraft, server: string, tool: string): RuleLocation {
  const ruleAction = (rule: RuleDraft) => normalizeAction(rule.action) ?? 'allow';
  const serverEntry = policy.servers?.[server];
  const scopedRule = serverEntry?.tools?.[tool];
  if (scopedRule) return { source: 'server-scoped', path: ['servers', server, 'tools', tool], key: tool, rule: scopedRule, action: ruleAction(scopedRule) };
  const tools = policy.tools ?? {};
  const scopedKey = `${server}/${tool}`;
  if (tools[scopedKey]) return { source: 'server-scoped', path: ['tools', scopedKey], key: scopedKey, rule: tools[scopedKey], action: ruleAction(tools[scopedKey]) };
  if (tools[tool]) return { source: 'exact', path: ['tools', tool], key: tool, rule: tools[tool], action: ruleAction(tools[tool]) };
  // Globs: one naming this server beats one that does not; then the longest literal part
  // wins, ties in file order (as main/core/policy/compile.ts orders them).
  const literal = (key: string) => key.replace(/[*?]/g, '').length;
  const candidates: Array<{ key: string; rule: RuleDraft; path: JSONPath; scoped: boolean }> = [];
  for (const [key, rule] of Object.entries(tools)) {
    const match = matches(key, server, tool);
    if (!match?.glob) continue;
    const slash = key.indexOf('/');
    candidates.push({ key, rule, path: ['tools', key], scoped: slash > 0 && !isGlob(key.slice(0, slash)) });
  }
  for (const [key, rule] of Object.entries(serverEntry?.tools ?? {})) {
    if (isGlob(key) && globToRegExp(key).test(tool)) candidates.push({ key, rule, path: ['servers', server, 'tools', key], scoped: true });
  }
  candidates.sort((a, b) => Number(b.scoped) - Number(a.scoped) || literal(b.key) - literal(a.key));
  const glob = candidates[0];
  if (glob) return { source: 'glob', path: glob.path, key: glob.key, rule: glob.rule, action: ruleAction(glob.rule) };
  const serverDefault = normalizeAction(serverEntry?.default);
  if (serverDefault) return { source: 'server-default', path: undefined, key: undefined, rule: undefined, action: serverDefault };
  return { source: 'default', path: undefined, key: undefined, rule: undefined, action: normalizeAction(policy.default) ?? 'ask' };
}

/** The default for tools no rule names: missing means ask (a policy never allows by omission). */
export function defaultAction(policy: PolicyDraft): ActionName {
  return normalizeAction(policy.default) ?? 'ask';
}

/** Condition paths worth offering for a tool: its arguments from the inputSchema, then the rest. */
export function conditionPaths(inputSchema: Record<string, unknown> | undefined): string[] {
  const properties = (inputSchema?.properties ?? {}) as Record<string, unknown>;
  return [...Object.keys(properties).map((k) => `args.${k}`), 'client', 'server', 'tool', 'annotations.readOnlyHint', 'annotations.destructiveHint', 'annotations.openWorldHint'];
}

/** A condition's value as typed in a text field: JSON when it parses, else the plain string. */
export function parseConditionValue(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return text;
  }
}

export function formatConditionValue(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') {
    // A string that would read back as another type keeps its quotes.
    try {
      JSON.parse(value);
      return JSON.stringify(value);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value);
}
