/**
 * The UI's pure pieces, run in Node: the event-stream parser, the login fragment, merging
 * a live head page into the timeline, form edits that keep comments, which policy rule a
 * tool row shows, how images in arguments are recognised, and how the Clients page reads
 * a listing and an operation's result.
 */
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../shared/history.ts';
import type { ClientsResult, DiscoveredClient } from '../../shared/clients.ts';
import { readFragmentCode } from '../../renderer/bridge/login.ts';
import { createSseParser } from '../../renderer/bridge/sse.ts';
import { detectImage } from '../../renderer/lib/images.ts';
import { projectsOf, projectsToSend } from '../../renderer/state/clients-store.ts';
import { matchesFilter, mergeHead } from '../../renderer/state/history-store.ts';
import { bypassKeys, clientCounts, entryKey, resultHeadline, scopeText } from '../../renderer/views/clients/clients-model.ts';
import { editDraft, locateRule, parseDraft } from '../../renderer/views/policy/policy-model.ts';

describe('event stream parser', () => {
  it('joins data split across chunks and lines, skips comments, accepts CRLF', () => {
    const events: string[] = [];
    const parse = createSseParser((data) => events.push(data));
    parse(': connected\n\ndata: {"type":');
    parse('"a"}\n');
    parse('\n');
    parse('data: line one\r\ndata: line two\r');
    parse('\n\r\n');
    parse(': keep-alive\n\n');
    expect(events).toEqual(['{"type":"a"}', 'line one\nline two']);
  });
});

describe('login fragment', () => {
  it('finds the code and keeps the route', () => {
    expect(readFragmentCode('#code=abc')).toEqual({ code: 'abc', rest: '' });
    expect(readFragmentCode('#/popup?code=abc')).toEqual({ code: 'abc', rest: '#/popup' });
    expect(readFragmentCode('#/history?x=1&code=abc')).toEqual({ code: 'abc', rest: '#/history?x=1' });
    expect(readFragmentCode('#/history')).toBeUndefined();
    expect(readFragmentCode('')).toBeUndefined();
  });
});

const entry = (id: string, patch: Partial<HistoryEntry> = {}): HistoryEntry => ({
  id,
  receivedAt: 0,
  server: 's',
  tool: 't',
  client: 'c',
  sessionId: 'x',
  arguments: {},
  state: 'completed',
  decision: 'allowed',
  decidedBy: null,
  ...patch,
});

describe('live timeline', () => {
  it('puts new calls in front and keeps the older pages already loaded', () => {
    const loaded = ['08', '07', '06', '05', '04'].map((id) => entry(id));
    const head = ['10', '09', '08'].map((id) => entry(id, { decision: 'denied' }));
    const merged = mergeHead(loaded, '04', head, '08');
    expect(merged.entries.map((e) => e.id)).toEqual(['10', '09', '08', '07', '06', '05', '04']);
    expect(merged.entries[2]!.decision).toBe('denied');
    expect(merged.nextCursor).toBe('04');
  });

  it('drops the loaded pages rather than leave a gap when more than a page arrived', () => {
    const loaded = ['05', '04'].map((id) => entry(id));
    const head = ['10', '09'].map((id) => entry(id));
    expect(mergeHead(loaded, '04', head, '09')).toEqual({ entries: head, nextCursor: '09' });
  });

  it('a changed entry that no longer matches the filter leaves the list', () => {
    expect(matchesFilter(entry('01', { decision: 'approved' }), { decision: ['denied'] })).toBe(false);
    expect(matchesFilter(entry('01', { decision: null }), { decision: ['denied'] })).toBe(false);
    expect(matchesFilter(entry('01', { receivedAt: 5 }), { from: 1, to: 10, server: 's' })).toBe(true);
  });
});

describe('policy form model', () => {
  const text = `{
  // why this file exists
  "version": "1",
  "default": "deny",
  "tools": {
    "image_*": { "action": "ask" }, // all generators
    "image_to_image": { "action": "allow", "limits": [] }
  },
  "servers": { "imagenx": { "default": "allow", "tools": { "image_to_image": { "action": "deny" } } } }
}
`;

  it('edits keep comments and the rest of the text', () => {
    const edited = editDraft(text, ['tools', 'image_to_image', 'action'], 'deny');
    expect(edited).toContain('// why this file exists');
    expect(edited).toContain('// all generators');
    expect(parseDraft(edited)?.tools?.image_to_image?.action).toBe('deny');
    expect(parseDraft(editDraft(text, ['tools', 'image_to_image'], undefined))?.tools?.image_to_image).toBeUndefined();
  });

  it('shows the rule that decides: server-scoped > exact > glob > server default > default', () => {
    const policy = parseDraft(text)!;
    expect(locateRule(policy, 'imagenx', 'image_to_image')).toMatchObject({ source: 'server-scoped', action: 'deny' });
    expect(locateRule(policy, 'other', 'image_to_image')).toMatchObject({ source: 'exact', action: 'allow' });
    expect(locateRule(policy, 'other', 'image_upscale')).toMatchObject({ source: 'glob', key: 'image_*', action: 'ask' });
    expect(locateRule(policy, 'imagenx', 'list_models')).toMatchObject({ source: 'server-default', action: 'allow' });
    expect(locateRule(policy, 'other', 'list_models')).toMatchObject({ source: 'default', action: 'deny' });
    expect(locateRule({ version: '1' }, 'other', 'x')).toMatchObject({ source: 'default', action: 'ask' });
  });
});

describe('images in arguments', () => {
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

  it('previews data URLs and base64 images, and only offers remote ones', () => {
    expect(detectImage(`data:image/png;base64,${png}`)).toMatchObject({ kind: 'data', mime: 'image/png' });
    expect(detectImage(png)).toMatchObject({ kind: 'data', src: `data:image/png;base64,${png}` });
    expect(detectImage('https://example.com/cat.jpg?size=2')).toEqual({ kind: 'remote', url: 'https://example.com/cat.jpg?size=2' });
    expect(detectImage('a lighthouse at dusk')).toBeUndefined();
  });

  it('never hands the browser a broken data URL (history keeps long strings cut)', () => {
    expect(detectImage(`data:image/png;base64,${png.slice(0, 40)}…[9000 characters]`)).toEqual({ kind: 'cut', mime: 'image/png', length: 9000 });
    expect(detectImage('data:image/png;base64,not base64 at all!')).toBeUndefined();
  });
});

describe('clients page model', () => {
  const cursor: DiscoveredClient = {
    id: 'cursor',
    name: 'Cursor',
    stdioOnly: false,
    files: [
      {
        client: 'cursor',
        scope: 'user',
        path: '/home/u/.cursor/mcp.json',
        location: ['mcpServers'],
        status: 'ok',
        servers: [
          { name: 'notes', command: 'notes-server', protected: false, restorable: false },
          { name: 'memory', url: 'http://127.0.0.1:7323/mcp/memory', protected: true, airlockServer: 'memory', via: 'http', restorable: true },
          { name: 'odd', protected: false, restorable: false, error: 'has neither "command" nor "url"' },
        ],
      },
      { client: 'cursor', scope: 'project', project: '/work/app', path: '/work/app/.cursor/mcp.json', location: ['mcpServers'], status: 'malformed', error: 'line 2, column 3: x', servers: [] },
      { client: 'cursor', scope: 'project', project: '/work/lib', path: '/work/lib/.cursor/mcp.json', location: ['mcpServers'], status: 'missing', servers: [] },
    ],
  };

  it('counts what the client-wide buttons can act on', () => {
    expect(clientCounts(cursor)).toEqual({ servers: 3, guarded: 1, movable: 1, restorable: 1 });
  });

  it('keeps looking in the default project folders when the person adds one', () => {
    expect(projectsOf([cursor])).toEqual(['/work/app', '/work/lib']);
    expect(projectsToSend(['/work/app'], [])).toBeUndefined();
    expect(projectsToSend(['/work/app'], ['/src/x', '/work/app'])).toEqual(['/work/app', '/src/x']);
  });

  it('tells a user-file entry from a Claude Code entry of the same name kept for one project in the same file', () => {
    const keys = bypassKeys([{ server: 'notes', client: 'claude-code', scope: 'local', path: '/home/u/.claude.json', project: '/work/app', entry: 'notes', match: 'command' }]);
    expect(keys.has(entryKey('/home/u/.claude.json', '/work/app', 'notes'))).toBe(true);
    expect(keys.has(entryKey('/home/u/.claude.json', undefined, 'notes'))).toBe(false);
    expect(scopeText({ scope: 'local', project: '/work/app' })).toBe('Local to /work/app');
  });

  it('sums up what an operation did, problems included', () => {
    const result = (servers: ClientsResult['files'][number]['servers'], extra: Partial<ClientsResult> = {}): ClientsResult => ({
      ok: true,
      files: [{ client: 'cursor', scope: 'user', path: '/home/u/.cursor/mcp.json', status: 'written', servers }],
      notFound: [],
      configChanged: false,
      notes: [],
      ...extra,
    });
    expect(resultHeadline('protect', 'Cursor', result([{ name: 'a', status: 'protected' }, { name: 'b', status: 'protected' }]))).toBe('2 entries in Cursor now go through Airlock');
    expect(resultHeadline('unprotect', 'Cursor', result([{ name: 'a', status: 'restored' }]))).toBe('1 original entry restored in Cursor');
    expect(resultHeadline('import', 'Cursor', result([{ name: 'a', status: 'renamed', server: 'a-cursor' }, { name: 'b', status: 'error' }]))).toBe(
      '1 server from Cursor added to config.json; 1 problem',
    );
    expect(resultHeadline('protect', 'Cursor', result([], { notFound: ['zzz'] }))).toBe('Nothing in Cursor changed; 1 entry not found');
  });
});
