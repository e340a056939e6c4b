/**
 * The policy in force: loaded from policy.json, watched, and replaced only by a valid
 * edit. Fails closed: an invalid edit, or the file disappearing while Airlock runs
 * (deleted, renamed, a dangling symlink), keeps the last good policy in force and is
 * reported (UI, CLI, log); an invalid file at start refuses every call until it is fixed.
 * Only a home that has no policy.json when Airlock starts runs on the built-in default.
 */
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { PolicyProblem, PolicyState } from '../../../shared/api/contract.ts';
import { InvalidPolicy } from '../errors.ts';
import type { Logger } from '../logger.ts';
import {
  DEFAULT_POLICY_TEXT,
  defaultPolicy,
  formatPolicyIssues,
  formatPolicySummary,
  loadPolicyFile,
  parsePolicy,
  refuseAllPolicy,
  type CompiledPolicy,
  type PolicyIssue,
} from '../policy/index.ts';

function problems(issues: PolicyIssue[]): PolicyProblem[] {
  return issues.map((i) => ({ path: i.pointer, line: i.line, column: i.column, message: i.message }));
}

/** A version that changes when the meaning changes, not when whitespace does. */
function versionOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

export class PolicyManager extends EventEmitter<{ changed: [PolicyState] }> {
  readonly path: string;
  private readonly logger: Logger;
  private policy: CompiledPolicy = defaultPolicy();
  private stateValue: PolicyState;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  /** Whether a policy (a valid file, or the default for a home without one) was ever in force. */
  private hasGood = false;

  constructor(path: string, logger: Logger) {
    super();
    this.path = path;
    this.logger = logger;
    this.stateValue = { text: DEFAULT_POLICY_TEXT, source: 'default', path, version: 'default', problems: [] };
    this.reload();
  }

  /** The compiled policy every call is evaluated against. */
  get current(): CompiledPolicy {
    return this.policy;
  }

  get version(): string {
    return this.stateValue.version;
  }

  state(): PolicyState {
    return this.stateValue;
  }

  /** Watches the folder (an atomic write replaces the file, which a file watch would miss). */
  watch(): void {
    if (this.watcher) return;
    const name = basename(this.path);
    this.watcher = watch(dirname(this.path), { persistent: false }, (_event, file) => {
      if (file !== null && file !== name) return;
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => this.reload(), 50);
    });
  }

  stop(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
    this.watcher = undefined;
  }

  reload(): void {
    const loaded = loadPolicyFile(this.path);
    const previous = this.stateValue;
    if (loaded.status === 'invalid') {
      const found = problems(loaded.issues);
      const located = formatPolicyIssues(loaded.issues, this.path);
      this.stateValue = { ...previous, text: loaded.text ?? previous.text, source: 'file', problems: found };
      if (this.hasGood) {
        this.logger.warn(`policy.json is invalid; the previous policy stays in force:\n  ${located.join('\n  ')}`);
      } else {
        this.policy = refuseAllPolicy(located.join('; '));
        this.stateValue = { ...this.stateValue, version: 'invalid' };
        this.logger.error(`policy.json is invalid; every call is refused until it is fixed:\n  ${located.join('\n  ')}`);
      }
    } else if (loaded.status === 'missing' && previous.source === 'file') {
      // Deleted, renamed or a broken link while running: an editor's save or an attacker,
      // either way the built-in default must not replace the policy in force.
      const message = 'policy.json is missing (deleted, renamed or a broken link); the policy in force stays until a valid one is saved';
      this.stateValue = { ...previous, problems: [{ path: '', message }] };
      if (previous.problems[0]?.message !== message) this.logger.warn(message);
    } else if (loaded.status === 'missing') {
      // No policy.json since Airlock started (a fresh home gets a starter policy first).
      this.policy = loaded.policy;
      this.hasGood = true;
      this.stateValue = { text: DEFAULT_POLICY_TEXT, source: 'default', path: this.path, version: 'default', problems: [] };
    } else {
      this.policy = loaded.policy;
      this.hasGood = true;
      this.stateValue = { text: loaded.text, source: 'file', path: this.path, version: versionOf(loaded.file), problems: [] };
    }
    const s = this.stateValue;
    if (s.version !== previous.version || s.text !== previous.text || s.problems.length !== previous.problems.length || s.problems[0]?.message !== previous.problems[0]?.message) {
      if (s.version !== previous.version && !s.problems.length) this.logger.info(`policy ${s.source === 'default' ? 'default (no policy.json)' : 'loaded'} (${s.version})`);
      this.emit('changed', s);
    }
  }

  validate(text: string): { ok: boolean; problems: PolicyProblem[]; summary?: string } {
    const parsed = parsePolicy(text);
    return parsed.ok ? { ok: true, problems: [], summary: formatPolicySummary(parsed.policy) } : { ok: false, problems: problems(parsed.issues) };
  }

  /** Compiles a draft (for simulation) or throws the located problems. */
  compile(text: string): CompiledPolicy {
    const parsed = parsePolicy(text);
    if (!parsed.ok) throw new InvalidPolicy('the policy is invalid', problems(parsed.issues));
    return parsed.policy;
  }

  /** Writes a new policy atomically; an invalid one is refused and nothing is written. */
  put(text: string): PolicyState {
    this.compile(text);
    writeFileAtomic.sync(this.path, text.endsWith('\n') ? text : text + '\n', { mode: 0o600 });
    this.reload();
    return this.stateValue;
  }
}
