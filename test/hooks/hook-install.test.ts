/**
 * `airlock protect <client> --hooks` / `airlock unprotect <client> --hooks` on a client's
 * settings file: the entries go in with a backup first and the client's own token, and come
 * out exactly, byte for byte when nothing else changed, keeping the person's own edits when
 * something did. `airlock clients` says where hooks are installed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { installHooks, removeHooks, installedHooks, type HookInstallContext } from '../../main/core/hooks/hook-install.ts';
import { cliPath, tempHome } from '../helpers/harness.ts';

const run = promisify(execFile);
const SELF = { command: '/opt/airlock/node', args: ['/opt/airlock/cli.ts'] };

let dirs: ReturnType<typeof tempHome>[] = [];
afterEach(() => {
  for (const d of dirs) d.cleanup();
  dirs = [];
});

function setup(): { ctx: HookInstallContext; settings: string; user: string; home: string } {
  const home = tempHome('airlock-hooks-install-');
  const user = tempHome('airlock-hooks-install-user-');
  dirs.push(home, user);
  const ctx: HookInstallContext = { home: home.dir, self: SELF, env: { homedir: user.dir, platform: 'linux', env: {}, projects: [] } };
  return { ctx, settings: join(user.dir, '.claude', 'settings.json'), user: user.dir, home: home.dir };
}

// A person's settings, written their way (4-space indent, a hook of their own).
const PERSONAL = `{
    "model": "opus",
    "hooks": {
        "PreToolUse": [
            { "matcher": "Write", "hooks": [{ "type": "command", "command": "./lint.sh" }] }
        ]
    },
    "permissions": { "allow": ["Bash(npm test)"] }
}
`;

describe('Claude Code hook entries', () => {
  it('install adds one PreToolUse group that runs `airlock hook claude-code` with the client token, backs the file up, and twice changes nothing', () => {
    const { ctx, settings, home } = setup();
    mkdirSync(join(settings, '..'), { recursive: true });
    writeFileSync(settings, PERSONAL);
    const result = installHooks(ctx, 'claude-code');
    expect(result).toMatchObject({ ok: true, status: 'written', tokenName: 'claude-code' });
    const after = JSON.parse(readFileSync(settings, 'utf8'));
    expect(after.model).toBe('opus');
    expect(after.permissions).toEqual({ allow: ['Bash(npm test)'] });
    expect(after.hooks.PreToolUse).toHaveLength(2);
    expect(after.hooks.PreToolUse[0].hooks[0].command).toBe('./lint.sh');
    const ours = after.hooks.PreToolUse[1];
    expect(ours.matcher).toBe('*');
    expect(ours.hooks[0]).toMatchObject({ type: 'command', timeout: 600 });
    expect(ours.hooks[0].command).toBe(`/opt/airlock/node /opt/airlock/cli.ts hook claude-code --home ${home} --timeout 600 --when-down deny --on-timeout ask`);
    expect(readFileSync(result.backup!, 'utf8')).toBe(PERSONAL);
    const auth = JSON.parse(readFileSync(join(home, 'auth.json'), 'utf8'));
    expect(auth.clients['claude-code']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const text = readFileSync(settings, 'utf8');
    expect(installHooks(ctx, 'claude-code')).toMatchObject({ ok: true, status: 'unchanged' });
    expect(readFileSync(settings, 'utf8')).toBe(text);
    expect(installedHooks(ctx)).toEqual([{ client: 'claude-code', path: settings, present: true }]);
  });

  it('unprotect gives the file back byte for byte when nothing else changed', () => {
    const { ctx, settings } = setup();
    mkdirSync(join(settings, '..'), { recursive: true });
    writeFileSync(settings, PERSONAL);
    installHooks(ctx, 'claude-code', { timeoutSeconds: 120, whenDown: 'ask' });
    expect(readFileSync(settings, 'utf8')).toContain('--when-down ask');
    expect(removeHooks(ctx, 'claude-code')).toMatchObject({ ok: true, status: 'removed' });
    expect(readFileSync(settings, 'utf8')).toBe(PERSONAL);
    expect(installedHooks(ctx)).toEqual([]);
  });

  it("unprotect removes exactly Airlock's group and keeps what the person changed meanwhile", () => {
    const { ctx, settings } = setup();
    mkdirSync(join(settings, '..'), { recursive: true });
    writeFileSync(settings, PERSONAL);
    installHooks(ctx, 'claude-code');
    const edited = readFileSync(settings, 'utf8').replace('"model": "opus"', '"model": "sonnet"');
    writeFileSync(settings, edited);
    removeHooks(ctx, 'claude-code');
    expect(readFileSync(settings, 'utf8')).toBe(PERSONAL.replace('"model": "opus"', '"model": "sonnet"'));
  });

  it('a settings file that did not exist is created, and removed again by unprotect', () => {
    const { ctx, settings } = setup();
    installHooks(ctx, 'claude-code');
    expect(JSON.parse(readFileSync(settings, 'utf8')).hooks.PreToolUse).toHaveLength(1);
    removeHooks(ctx, 'claude-code');
    expect(existsSync(settings)).toBe(false);
  });

  it('hooks that are not a list are the person\'s: reported and left untouched', () => {
    const { ctx, settings } = setup();
    mkdirSync(join(settings, '..'), { recursive: true });
    const odd = '{ "hooks": { "PreToolUse": "mine" } }\n';
    writeFileSync(settings, odd);
    expect(installHooks(ctx, 'claude-code')).toMatchObject({ ok: false, status: 'error', message: expect.stringContaining('hooks.PreToolUse') });
    expect(readFileSync(settings, 'utf8')).toBe(odd);
  });

  it('a malformed settings file is reported and left untouched', () => {
    const { ctx, settings, home } = setup();
    mkdirSync(join(settings, '..'), { recursive: true });
    writeFileSync(settings, '{ "hooks": ');
    expect(installHooks(ctx, 'claude-code')).toMatchObject({ ok: false, status: 'error' });
    expect(readFileSync(settings, 'utf8')).toBe('{ "hooks": ');
    expect(existsSync(join(home, 'backups')) ? readdirSync(join(home, 'backups')) : []).toEqual([]);
  });

  it('`airlock protect claude-code --hooks`, `airlock clients` and `airlock unprotect claude-code --hooks` from the command line', async () => {
    const { settings, user, home } = setup();
    const env = { ...process.env, HOME: user, CLAUDE_CONFIG_DIR: '' };
    const protect = await run(process.execPath, [cliPath, 'protect', 'claude-code', '--hooks', '--home', home, '--hook-timeout', '300'], { env });
    expect(protect.stdout).toContain('hooks installed');
    expect(JSON.parse(readFileSync(settings, 'utf8')).hooks.PreToolUse[0].hooks[0].timeout).toBe(300);
    const listing = await run(process.execPath, [cliPath, 'clients', '--home', home, '--project', user], { env });
    expect(listing.stdout).toMatch(/Pre-tool hooks[^\n]*\n\s+Claude Code\s+\S+settings\.json\s+installed/);
    const unprotect = await run(process.execPath, [cliPath, 'unprotect', 'claude-code', '--hooks', '--home', home], { env });
    expect(unprotect.stdout).toContain('hooks removed');
    expect(existsSync(settings)).toBe(false);
  }, 60_000);
});

/** The parts of a client's hook file the checks read. */
interface HookFile {
  version?: unknown;
  hooks: Record<string, unknown[]>;
}

describe('hook entries of the other clients, in their documented files and shapes', () => {
  const cases: { client: 'cursor' | 'codex' | 'gemini-cli' | 'vscode' | 'copilot-cli'; file: (user: string, project: string) => string; check: (settings: HookFile) => void }[] = [
    {
      client: 'cursor',
      file: (user) => join(user, '.cursor', 'hooks.json'),
      check: (s) => {
        expect(s.version).toBe(1);
        for (const event of ['beforeShellExecution', 'beforeMCPExecution']) expect(s.hooks[event]?.[0]).toMatchObject({ timeout: 600, failClosed: true, command: expect.stringContaining(' hook cursor ') });
      },
    },
    {
      client: 'codex',
      file: (user) => join(user, '.codex', 'hooks.json'),
      check: (s) => expect(s.hooks.PreToolUse?.[0]).toMatchObject({ matcher: '.*', hooks: [{ type: 'command', timeout: 600, command: expect.stringContaining(' hook codex ') }] }),
    },
    {
      client: 'gemini-cli',
      file: (user) => join(user, '.gemini', 'settings.json'),
      // Gemini CLI's timeouts are milliseconds.
      check: (s) => expect(s.hooks.BeforeTool?.[0]).toMatchObject({ matcher: '.*', hooks: [{ type: 'command', timeout: 600_000, command: expect.stringContaining(' hook gemini-cli ') }] }),
    },
    {
      client: 'vscode',
      file: (user) => join(user, '.copilot', 'hooks', 'airlock.json'),
      check: (s) => expect(s.hooks.PreToolUse?.[0]).toMatchObject({ type: 'command', timeout: 600, command: expect.stringContaining(' hook vscode ') }),
    },
    {
      client: 'copilot-cli',
      // The user's settings.json (inline hooks load in every folder, trusted or not, and in -p).
      file: (user) => join(user, '.copilot', 'settings.json'),
      check: (s) =>
        expect(s.hooks.preToolUse?.[0]).toEqual({ type: 'command', bash: expect.stringMatching(/ hook copilot-cli --home \S+ --timeout 600 --when-down deny --on-timeout ask$/), timeoutSec: 600 }),
    },
  ];

  it.each(cases)('$client: protect --hooks writes them, unprotect --hooks takes them out again', ({ client, file, check }) => {
    const { ctx, user } = setup();
    const project = join(user, 'repo');
    mkdirSync(project, { recursive: true });
    const withProject = { ...ctx, env: { ...ctx.env, projects: [project] } };
    const path = file(user, project);
    expect(installHooks(withProject, client)).toMatchObject({ ok: true, status: 'written', path });
    check(JSON.parse(readFileSync(path, 'utf8')));
    expect(removeHooks(withProject, client)).toMatchObject({ ok: true, status: 'removed' });
    expect(existsSync(path)).toBe(false);
  });
});

describe('Copilot CLI hook entries', () => {
  it("go into COPILOT_HOME's settings.json when it is set, beside the person's settings and comments, and come out byte for byte", () => {
    const { ctx, user } = setup();
    const copilotHome = join(user, 'copilot-home');
    mkdirSync(copilotHome, { recursive: true });
    const settings = join(copilotHome, 'settings.json');
    const mine = `{\n  // mine\n  "model": "gpt-5.4",\n  "banner": "never"\n}\n`;
    writeFileSync(settings, mine);
    const withHome = { ...ctx, env: { ...ctx.env, env: { COPILOT_HOME: copilotHome } } };
    expect(installHooks(withHome, 'copilot-cli')).toMatchObject({ ok: true, status: 'written', path: settings });
    const text = readFileSync(settings, 'utf8');
    expect(text).toContain('// mine');
    expect(text).toContain('"banner": "never"');
    expect(text).toContain('"preToolUse"');
    expect(existsSync(join(user, '.copilot'))).toBe(false);
    expect(removeHooks(withHome, 'copilot-cli')).toMatchObject({ ok: true, status: 'removed' });
    expect(readFileSync(settings, 'utf8')).toBe(mine);
  });
});
