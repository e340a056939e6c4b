/**
 * A policy in words, for `airlock policy check`: what happens to tools no rule names,
 * what is hidden, and for each rule its action, conditions and limits. Phrased by
 * describe.ts, like the refusals themselves.
 */
import type { CompiledAccess, CompiledAccessRule, CompiledCondition, CompiledPolicy, CompiledRule } from './compile.ts';
import type { Action } from '../../../shared/policy/schema.ts';
import { conditionText, counterText, limitText, requirementText } from './describe.ts';

const ACTION_WORDS: Record<Action, string> = {
  allow: 'allow',
  deny: 'deny',
  ask: 'ask a person',
};

const DEFAULT_WORDS: Record<Action, string> = {
  allow: 'allow — calls to tools no rule names go through',
  deny: 'deny — calls to tools no rule names are refused',
  ask: 'ask — calls to tools no rule names wait for a person',
};

function scopeOf(rule: CompiledRule): string {
  const how = rule.glob ? 'glob' : 'exact name';
  if (rule.server !== undefined) return `${how}, server ${rule.server}`;
  if (rule.serverMatch) return `${how}, servers matching ${rule.key.slice(0, rule.key.indexOf('/'))}`;
  return `${how}, any server`;
}

function ruleName(rule: CompiledRule): string {
  return rule.server !== undefined ? `${rule.server}/${rule.tool}` : rule.key;
}

function conditionLines(label: string, conditions: readonly CompiledCondition[], text: (c: CompiledCondition) => string): string[] {
  return conditions.map((condition) => `    ${label}: ${text(condition)}`);
}

function ruleLines(rule: CompiledRule): string[] {
  const action = rule.explicitAction ? ACTION_WORDS[rule.action] : `${ACTION_WORDS[rule.action]} (listed without an action)`;
  const lines = [`  ${ruleName(rule)} (${scopeOf(rule)}): ${action}${rule.reason ? ` — ${rule.reason}` : ''}`];
  if (rule.action === 'deny') {
    // Conditions and limits never turn a deny into an allow: say so rather than list them.
    if (rule.require.length + rule.denyIf.length + rule.askIf.length + rule.limits.length > 0) {
      lines.push('    (its conditions and limits have no effect: the rule denies every call)');
    }
    return lines;
  }
  lines.push(
    ...conditionLines('requires', rule.require, requirementText).map((line) => line.replace(' must ', ' to ')),
    ...conditionLines('denied if', rule.denyIf, conditionText),
  );
  if (rule.action === 'allow') lines.push(...conditionLines('asks if', rule.askIf, conditionText));
  else if (rule.askIf.length > 0) lines.push('    (its ask_if conditions have no effect: the rule always asks)');
  for (const limit of rule.limits) lines.push(`    limit: ${limitText(limit)}${counterText(limit)}`);
  if (rule.timeout !== undefined) {
    lines.push(`    approval waits ${rule.timeout} s${rule.action === 'allow' && rule.askIf.length === 0 ? ' (unused: the rule never asks)' : ''}`);
  }
  return lines;
}

function accessLines(label: string, access: CompiledAccess): string[] {
  const rules: CompiledAccessRule[] = [...access.scopedExact.values()].flatMap((m) => [...m.values()]);
  rules.push(...access.exact.values(), ...[...access.scopedGlobs.values()].flat(), ...access.globs);
  // Without rules nothing changes from before they existed: every one may be read.
  if (!rules.length) return [];
  return [
    `${label} (the most specific rule decides; none matching: allowed):`,
    ...rules.map((rule) => `  ${rule.server !== undefined ? `${rule.server}: ` : ''}${rule.key}: ${ACTION_WORDS[rule.action]}${rule.reason ? ` — ${rule.reason}` : ''}`),
  ];
}

export function formatPolicySummary(policy: CompiledPolicy): string {
  const lines: string[] = [];
  const rules = policy.rules.length;
  lines.push(`Policy valid: ${rules} ${rules === 1 ? 'rule' : 'rules'}, ${policy.hide.length} hidden, default ${policy.default}.`);
  lines.push(`Default: ${DEFAULT_WORDS[policy.default]}.`);
  if (policy.hide.length > 0) {
    lines.push(`Hidden (never listed, always denied): ${policy.hide.map((entry) => entry.key).join(', ')}`);
  }
  for (const limit of policy.allToolsLimits) {
    lines.push(`Every tool, counted together: ${limitText(limit)}${counterText(limit)}`);
  }
  for (const [server, action] of policy.serverDefaults) {
    lines.push(`Server ${server}: ${DEFAULT_WORDS[action].replace('tools no rule names', `its tools no rule names`)}.`);
  }
  if (rules > 0) {
    lines.push('Rules (the most specific one decides: server-scoped exact name, exact name, server-scoped glob, glob):');
    for (const rule of policy.rules) lines.push(...ruleLines(rule));
  }
  lines.push(...accessLines('Resources', policy.resources), ...accessLines('Prompts', policy.prompts));
  return lines.join('\n') + '\n';
}
