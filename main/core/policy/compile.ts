/**
 * The normalised policy the engine evaluates: aliases resolved, windows in seconds,
 * patterns and globs compiled, rules indexed by how they match. Everything a decision
 * needs is computed here once per load, so evaluating a call only looks things up.
 */
import {
  normalizeAction,
  normalizeScope,
  compilePattern,
  windowSeconds,
  type Action,
  type ConditionInput,
  type LimitInput,
  type Op,
  type PolicyFile,
  type RuleInput,
  type AccessRuleInput,
  type LimitCheck,
  type Scope,
} from '../../../shared/policy/schema.ts';

/** One JSON pointer segment (RFC 6901): `~` and `/` are escaped. */
export function pointerSegment(segment: string | number): string {
  return String(segment).replaceAll('~', '~0').replaceAll('/', '~1');
}

export function pointer(...segments: (string | number)[]): string {
  return segments.map((segment) => '/' + pointerSegment(segment)).join('');
}

export type ConditionSource = 'args' | 'annotations' | 'client' | 'server' | 'tool';
export type ConditionRole = 'require' | 'deny_if' | 'ask_if';

export interface CompiledCondition {
  /** e.g. `/tools/image_to_image/deny_if/0`. */
  readonly pointer: string;
  readonly role: ConditionRole;
  /** As written: `args.images.0`. */
  readonly path: string;
  readonly source: ConditionSource;
  /** The keys below the source: `args.images.0` → ['images', '0']. */
  readonly segments: readonly string[];
  readonly op: Op;
  /** As written (the pattern text for `matches`). */
  readonly value: unknown;
  /** `matches` only. */
  readonly regex: RegExp | undefined;
  /** `in` / `not_in` when every listed value is a scalar: a constant-time lookup. */
  readonly set: ReadonlySet<unknown> | undefined;
  /** `exists`: whether the value must be there (true) or absent (false). */
  readonly expect: boolean;
}

export type CompiledLimit = LimitCheck;

/**
 * The limits of one counter and scope. A call takes one slot per group, however many
 * windows it is checked against (10 a minute and 100 an hour on one counter is one slot).
 */
export interface LimitGroup {
  readonly counter: string;
  readonly scope: Scope;
  /** The counter key when it does not depend on the call (scope global). */
  readonly globalKey: string | undefined;
  readonly limits: readonly CompiledLimit[];
}

export interface CompiledRule {
  /** `/tools/image_to_image`, `/tools/imagenx~1image_to_image` or `/servers/imagenx/tools/image_to_image`. */
  readonly pointer: string;
  /** The key as written. */
  readonly key: string;
  /** Set for server-scoped rules whose server is a literal name. */
  readonly server: string | undefined;
  /** The tool part of the key (a name or a glob). */
  readonly tool: string;
  readonly glob: boolean;
  /** Glob rules: matchers for the server (qualified globs like `*\/delete_*`) and the tool. */
  readonly serverMatch: RegExp | undefined;
  readonly toolMatch: RegExp | undefined;
  /** Characters that are not wildcards: the more, the more specific a glob is. */
  readonly literalLength: number;
  readonly action: Action;
  /** Whether the file wrote `action` (a listed tool without one is allowed). */
  readonly explicitAction: boolean;
  readonly reason: string | undefined;
  readonly require: readonly CompiledCondition[];
  readonly denyIf: readonly CompiledCondition[];
  readonly askIf: readonly CompiledCondition[];
  /** The rule's own limits. */
  readonly limits: readonly CompiledLimit[];
  /** The rule's limits and the all_tools limits, grouped by counter key. */
  readonly groups: readonly LimitGroup[];
  /** Seconds an approval waits. */
  readonly timeout: number | undefined;
}

export interface CompiledHide {
  readonly pointer: string;
  readonly key: string;
  readonly server: string | undefined;
  readonly tool: string;
  readonly glob: boolean;
  readonly serverMatch: RegExp | undefined;
  readonly toolMatch: RegExp | undefined;
}

/** One `resources` or `prompts` rule. */
export interface CompiledAccessRule {
  /** `/resources/file:~1~1~1etc~1*` or `/servers/fs/prompts/review`. */
  readonly pointer: string;
  readonly key: string;
  /** Set for rules under `servers.<name>`. */
  readonly server: string | undefined;
  readonly match: RegExp | undefined;
  readonly literalLength: number;
  readonly action: Action;
  readonly reason: string | undefined;
  readonly timeout: number | undefined;
}

/** The rules of one kind (resources or prompts), indexed like tool rules. */
export interface CompiledAccess {
  readonly exact: ReadonlyMap<string, CompiledAccessRule>;
  readonly scopedExact: ReadonlyMap<string, ReadonlyMap<string, CompiledAccessRule>>;
  /** Most specific first. */
  readonly globs: readonly CompiledAccessRule[];
  readonly scopedGlobs: ReadonlyMap<string, readonly CompiledAccessRule[]>;
}

export interface CompiledPolicy {
  /** The validated file this was compiled from. */
  readonly file: PolicyFile;
  readonly default: Action;
  readonly hide: readonly CompiledHide[];
  readonly hideExact: ReadonlyMap<string, CompiledHide>;
  readonly hideScoped: ReadonlyMap<string, ReadonlyMap<string, CompiledHide>>;
  readonly hideGlobs: readonly CompiledHide[];
  readonly allToolsLimits: readonly CompiledLimit[];
  readonly allToolsGroups: readonly LimitGroup[];
  /** Every rule in file order (top-level tools first, then each server's). */
  readonly rules: readonly CompiledRule[];
  /** Precedence, most specific first: */
  readonly scopedExact: ReadonlyMap<string, ReadonlyMap<string, CompiledRule>>;
  readonly exact: ReadonlyMap<string, CompiledRule>;
  /** Per server, most specific glob first. */
  readonly scopedGlobs: ReadonlyMap<string, readonly CompiledRule[]>;
  /** Globs for any server (bare `image_*` or `*\/image_*`), most specific first. */
  readonly globs: readonly CompiledRule[];
  readonly serverDefaults: ReadonlyMap<string, Action>;
  readonly resources: CompiledAccess;
  readonly prompts: CompiledAccess;
  /**
   * Set when no usable policy exists (policy.json invalid at start): every call and every
   * resource or prompt read is refused with this text (tools stay listed, so an agent's
   * call meets the refusal that names the broken file).
   */
  readonly blocked?: string | undefined;
}

/**
 * The key a counter's slots are stored under: `<counter>|global`, `<counter>|client|<id>`
 * or `<counter>|session|<id>`. Counter names hold no `|`, so the first two separate.
 */
export function counterKey(counter: string, scope: Scope, client: string, sessionId: string): string {
  if (scope === 'client') return `${counter}|client|${client}`;
  if (scope === 'session') return `${counter}|session|${sessionId}`;
  return `${counter}|global`;
}

const isGlob = (text: string): boolean => text.includes('*') || text.includes('?');

export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const char of glob) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

const literalLength = (text: string): number => text.replace(/[*?]/g, '').length;

/** `server/tool` → ['server', 'tool']; a bare key → [undefined, key]. */
export function splitToolKey(key: string): [string | undefined, string] {
  const slash = key.indexOf('/');
  return slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
}

function compileCondition(input: ConditionInput, at: string, role: ConditionRole): CompiledCondition {
  const [head = '', ...segments] = input.path.split('.');
  const value = input.value;
  const scalars = Array.isArray(value) && value.every((item) => item === null || typeof item !== 'object');
  return {
    pointer: at,
    role,
    path: input.path,
    source: head as ConditionSource,
    segments,
    op: input.op,
    value,
    regex: input.op === 'matches' ? compilePattern(value as string) : undefined,
    set: (input.op === 'in' || input.op === 'not_in') && scalars ? new Set(value as unknown[]) : undefined,
    expect: input.op === 'exists' ? value !== false : true,
  };
}

function compileLimit(input: LimitInput, at: string): CompiledLimit {
  return {
    pointer: at,
    // Unnamed limits count on their own: the pointer names them, with `|` kept out of keys.
    counter: input.counter ?? at.replaceAll('|', '%7C'),
    windowSeconds: windowSeconds(input.window),
    max: input.max,
    scope: normalizeScope(input.scope),
  };
}

function groupLimits(limits: readonly CompiledLimit[]): LimitGroup[] {
  const groups = new Map<string, { counter: string; scope: Scope; limits: CompiledLimit[] }>();
  for (const limit of limits) {
    const id = `${limit.counter}|${limit.scope}`;
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { counter: limit.counter, scope: limit.scope, limits: [] }));
    group.limits.push(limit);
  }
  return [...groups.values()].map((group) => ({
    ...group,
    globalKey: group.scope === 'global' ? counterKey(group.counter, 'global', '', '') : undefined,
  }));
}

function matchers(server: string | undefined, tool: string): Pick<CompiledRule, 'glob' | 'serverMatch' | 'toolMatch' | 'literalLength'> {
  const serverGlob = server !== undefined && isGlob(server);
  const glob = serverGlob || isGlob(tool);
  return {
    glob,
    serverMatch: serverGlob ? globToRegExp(server) : undefined,
    toolMatch: glob ? globToRegExp(tool) : undefined,
    literalLength: literalLength(tool) + (server === undefined ? 0 : literalLength(server)),
  };
}

function compileRule(
  key: string,
  server: string | undefined,
  tool: string,
  input: RuleInput,
  at: string,
  allTools: readonly CompiledLimit[],
): CompiledRule {
  const limits = (input.limits ?? []).map((limit, i) => compileLimit(limit, `${at}/limits/${i}`));
  const m = matchers(server, tool);
  return {
    pointer: at,
    key,
    server: server !== undefined && !m.serverMatch ? server : undefined,
    tool,
    ...m,
    action: input.action ? normalizeAction(input.action) : 'allow',
    explicitAction: input.action !== undefined,
    reason: input.reason,
    require: (input.require ?? []).map((c, i) => compileCondition(c, `${at}/require/${i}`, 'require')),
    denyIf: (input.deny_if ?? []).map((c, i) => compileCondition(c, `${at}/deny_if/${i}`, 'deny_if')),
    askIf: (input.ask_if ?? []).map((c, i) => compileCondition(c, `${at}/ask_if/${i}`, 'ask_if')),
    limits,
    groups: groupLimits([...limits, ...allTools]),
    timeout: input.timeout,
  };
}

/** Longest literal part first; ties keep file order (Array.prototype.sort is stable). */
const bySpecificity = (a: { literalLength: number }, b: { literalLength: number }): number => b.literalLength - a.literalLength;

function compileAccess(file: PolicyFile, kind: 'resources' | 'prompts'): CompiledAccess {
  const exact = new Map<string, CompiledAccessRule>();
  const scopedExact = new Map<string, Map<string, CompiledAccessRule>>();
  const globs: CompiledAccessRule[] = [];
  const scopedGlobs = new Map<string, CompiledAccessRule[]>();
  const add = (key: string, input: AccessRuleInput, server: string | undefined, at: string) => {
    const glob = isGlob(key);
    const rule: CompiledAccessRule = {
      pointer: at,
      key,
      server,
      match: glob ? globToRegExp(key) : undefined,
      literalLength: literalLength(key),
      action: normalizeAction(input.action),
      reason: input.reason,
      timeout: input.timeout,
    };
    if (glob && server === undefined) globs.push(rule);
    else if (glob) {
      let list = scopedGlobs.get(server!);
      if (!list) scopedGlobs.set(server!, (list = []));
      list.push(rule);
    } else if (server === undefined) exact.set(key, rule);
    else {
      let map = scopedExact.get(server);
      if (!map) scopedExact.set(server, (map = new Map()));
      map.set(key, rule);
    }
  };
  for (const [key, input] of Object.entries(file[kind] ?? {})) add(key, input, undefined, pointer(kind, key));
  for (const [server, entry] of Object.entries(file.servers ?? {})) {
    for (const [key, input] of Object.entries(entry[kind] ?? {})) add(key, input, server, pointer('servers', server, kind, key));
  }
  globs.sort(bySpecificity);
  for (const list of scopedGlobs.values()) list.sort(bySpecificity);
  return { exact, scopedExact, globs, scopedGlobs };
}

/** Compiles a policy the schema has accepted. */
export function compilePolicy(file: PolicyFile): CompiledPolicy {
  const allToolsLimits = (file.all_tools?.limits ?? []).map((limit, i) => compileLimit(limit, `/all_tools/limits/${i}`));

  const rules: CompiledRule[] = [];
  for (const [key, input] of Object.entries(file.tools ?? {})) {
    const [server, tool] = splitToolKey(key);
    rules.push(compileRule(key, server, tool, input, pointer('tools', key), allToolsLimits));
  }
  const serverDefaults = new Map<string, Action>();
  for (const [server, entry] of Object.entries(file.servers ?? {})) {
    if (entry.default) serverDefaults.set(server, normalizeAction(entry.default));
    for (const [tool, input] of Object.entries(entry.tools ?? {})) {
      rules.push(compileRule(tool, server, tool, input, pointer('servers', server, 'tools', tool), allToolsLimits));
    }
  }

  const scopedExact = new Map<string, Map<string, CompiledRule>>();
  const exact = new Map<string, CompiledRule>();
  const scopedGlobs = new Map<string, CompiledRule[]>();
  const globs: CompiledRule[] = [];
  for (const rule of rules) {
    if (rule.glob) {
      if (rule.server !== undefined) {
        let list = scopedGlobs.get(rule.server);
        if (!list) scopedGlobs.set(rule.server, (list = []));
        list.push(rule);
      } else {
        globs.push(rule);
      }
    } else if (rule.server !== undefined) {
      let map = scopedExact.get(rule.server);
      if (!map) scopedExact.set(rule.server, (map = new Map()));
      map.set(rule.tool, rule);
    } else {
      exact.set(rule.tool, rule);
    }
  }
  for (const list of scopedGlobs.values()) list.sort(bySpecificity);
  globs.sort(bySpecificity);

  const hide: CompiledHide[] = (file.hide ?? []).map((key, i) => {
    const [server, tool] = splitToolKey(key);
    const m = matchers(server, tool);
    return {
      pointer: `/hide/${i}`,
      key,
      server: server !== undefined && !m.serverMatch ? server : undefined,
      tool,
      glob: m.glob,
      serverMatch: m.serverMatch,
      toolMatch: m.toolMatch,
    };
  });
  const hideExact = new Map<string, CompiledHide>();
  const hideScoped = new Map<string, Map<string, CompiledHide>>();
  const hideGlobs: CompiledHide[] = [];
  for (const entry of hide) {
    if (entry.glob) hideGlobs.push(entry);
    else if (entry.server !== undefined) {
      let map = hideScoped.get(entry.server);
      if (!map) hideScoped.set(entry.server, (map = new Map()));
      if (!map.has(entry.tool)) map.set(entry.tool, entry);
    } else if (!hideExact.has(entry.tool)) hideExact.set(entry.tool, entry);
  }

  return {
    file,
    default: file.default ? normalizeAction(file.default) : 'ask',
    hide,
    hideExact,
    hideScoped,
    hideGlobs,
    allToolsLimits,
    allToolsGroups: groupLimits(allToolsLimits),
    rules,
    scopedExact,
    exact,
    scopedGlobs,
    globs,
    serverDefaults,
    resources: compileAccess(file, 'resources'),
    prompts: compileAccess(file, 'prompts'),
    blocked: undefined,
  };
}
