/**
 * The era matrix through a real Airlock: every client kind (SDK v2 pinned to 2026-07-28,
 * SDK v2 in `auto` mode, a 2025-11-25 client on SDK 1.32.2) against every kind of upstream
 * (server-everything: legacy over stdio; the modern-only fixture over stdio and over HTTP;
 * the dual-era demo server). Each cell lists tools, calls one, reads a resource, gets a
 * prompt, gets progress with its own token, cancels a long call (the upstream must see it)
 * and completes an elicitation the server started.
 *
 * server-everything keeps running a cancelled call and records nothing, so the cancellation
 * cell of its row uses the probe server (also SDK 1.x, legacy, stdio), which records what
 * reaches it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ElicitResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { modernStdioServer, MODERN_SERVER_FILE, readModernLog } from '../fixtures/modern.ts';
import { probeEvents, probeServer } from '../fixtures/probe.ts';
import { DEMO_IMAGES, EVERYTHING, startAirlock, tempHome, TEST_MCP_TOKEN, waitFor } from '../helpers/harness.ts';
import { CLIENT_KINDS, connectHttp, LEGACY_VERSION, MODERN_VERSION, type ClientKind, type EraClient } from './clients.ts';

interface Row {
  server: string;
  tool: { name: string; args: Record<string, unknown>; text: RegExp };
  resource: (client: EraClient) => Promise<string>;
  prompt: { name: string; args?: Record<string, string>; text: RegExp };
  progress: { name: string; args: Record<string, unknown> };
  cancel: {
    server: string;
    name: string;
    args: (tag: string) => Record<string, unknown>;
    /** When the upstream is known to run the call (default: its first progress update arrived). */
    started?: (tag: string) => boolean;
    seen: (tag: string) => boolean;
  };
  elicit: { name: string; args: Record<string, unknown>; text: RegExp };
}

let home: ReturnType<typeof tempHome>;
let airlock: Airlock;
let modernHttp: ChildProcess;
let probeLog: string;
let modernStdioLog: string;
let modernHttpLog: string;

const textOf = (value: unknown): string => JSON.stringify(value);

async function startModernHttp(logFile: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MODERN_SERVER_FILE, 'http', '0'], { env: { ...process.env, MODERN_FIXTURE_LOG: logFile }, stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('http'));
      if (line) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`modern fixture exited with ${code}`)));
  });
  return { child, url };
}

beforeAll(async () => {
  home = tempHome('airlock-era-');
  probeLog = join(home.dir, 'probe.log');
  modernStdioLog = join(home.dir, 'modern-stdio.log');
  modernHttpLog = join(home.dir, 'modern-http.log');
  const http = await startModernHttp(modernHttpLog);
  modernHttp = http.child;
  airlock = await startAirlock(home.dir, {
    everything: EVERYTHING,
    probe: probeServer(probeLog),
    'modern-stdio': modernStdioServer(modernStdioLog),
    'modern-http': { url: http.url },
    demo: DEMO_IMAGES,
  });
}, 60_000);

afterAll(async () => {
  await airlock?.stop();
  modernHttp?.kill();
  home?.cleanup();
});

const modernRow = (server: string, log: () => string): Row => ({
  server,
  tool: { name: 'echo', args: { message: 'across eras' }, text: /across eras/ },
  resource: async () => 'fixture://hello',
  prompt: { name: 'greet', args: { name: 'Ada' }, text: /Say hello to Ada/ },
  progress: { name: 'slow', args: { ms: 600, stepMs: 100 } },
  cancel: {
    server,
    name: 'slow',
    args: (tag) => ({ ms: 20_000, tag }),
    started: (tag) => readModernLog(log()).some((e) => e.method === 'slow.started' && e.tag === tag),
    seen: (tag) => readModernLog(log()).some((e) => e.method === 'slow.cancelled' && e.tag === tag),
  },
  elicit: { name: 'confirm', args: { question: 'Ship it?' }, text: /answered: yes/ },
});

const ROWS: Row[] = [
  {
    server: 'everything',
    tool: { name: 'echo', args: { message: 'across eras' }, text: /Echo: across eras/ },
    resource: async (client) => (await client.listResources()).resources[0]!.uri,
    prompt: { name: 'simple-prompt', text: /simple prompt/i },
    progress: { name: 'trigger-long-running-operation', args: { duration: 1, steps: 4 } },
    cancel: {
      server: 'probe',
      name: 'slow',
      args: (tag) => ({ ms: 20_000, tag }),
      started: (tag) => probeEvents(probeLog).some((e) => e.event === 'started' && e.tag === tag),
      seen: (tag) => probeEvents(probeLog).some((e) => e.event === 'cancelled' && e.tag === tag),
    },
    elicit: { name: 'trigger-elicitation-request', args: {}, text: /Name: Ada/ },
  },
  modernRow('modern-stdio', () => modernStdioLog),
  modernRow('modern-http', () => modernHttpLog),
  {
    server: 'demo',
    tool: { name: 'text_to_image', args: { prompt: 'a red fox', size: '1K' }, text: /Generated a 64x64 PNG \(1K\)/ },
    resource: async () => 'demo-images://sizes',
    prompt: { name: 'restyle', args: { style: 'watercolour' }, text: /watercolour/ },
    progress: { name: 'text_to_image', args: { prompt: 'a red fox', size: '1K', steps: 5 } },
    // The demo says on stderr (Airlock keeps it in logs/demo.log) when it stops a cancelled render.
    cancel: {
      server: 'demo',
      name: 'text_to_image',
      args: (tag) => ({ prompt: tag, size: '4K', steps: 500 }),
      seen: () => demoCancellations() > demoCancellationsBefore,
    },
    elicit: { name: 'text_to_image', args: { prompt: 'a fox, size asked', size: 'ask' }, text: /\(2K\)/ },
  },
];

let demoCancellationsBefore = 0;
function demoCancellations(): number {
  try {
    return (readFileSync(join(home.dir, 'logs', 'demo.log'), 'utf8').match(/text_to_image cancelled at step/g) ?? []).length;
  } catch {
    return 0;
  }
}

const connect = (kind: ClientKind, server: string): Promise<EraClient> =>
  connectHttp(kind, new URL(`/mcp/${server}`, airlock.url).href, TEST_MCP_TOKEN, {
    name: `matrix-${kind}`,
    // The modern fixture's `confirm` asks for { answer }, the demo for a size, server-everything's form for a name and more.
    elicitation: (request): ElicitResult => {
      const asked = 'requestedSchema' in request ? (request.requestedSchema.properties ?? {}) : {};
      if ('answer' in asked) return { action: 'accept', content: { answer: 'yes' } };
      if ('size' in asked) return { action: 'accept', content: { size: '2K' } };
      return { action: 'accept', content: { name: 'Ada', color: 'blue', email: 'ada@example.com', check: true, integer: 3 } };
    },
  });

describe.each(ROWS)('era matrix: upstream $server', (row) => {
  describe.each(CLIENT_KINDS.map((kind) => ({ kind })))('$kind client', ({ kind }) => {
    it('negotiates its own era with Airlock', async () => {
      const client = await connect(kind, row.server);
      try {
        expect(client.protocolVersion).toBe(kind === 'legacy' ? LEGACY_VERSION : MODERN_VERSION);
        expect(client.era).toBe(kind === 'legacy' ? 'legacy' : 'modern');
      } finally {
        await client.close();
      }
    });

    it('lists tools, calls one, reads a resource and gets a prompt', async () => {
      const client = await connect(kind, row.server);
      try {
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).toContain(row.tool.name);
        expect(textOf((await client.callTool(row.tool.name, row.tool.args)).content)).toMatch(row.tool.text);
        const uri = await row.resource(client);
        const read = await client.readResource(uri);
        expect(read.contents[0]!.uri).toBe(uri);
        expect(textOf((await client.getPrompt(row.prompt.name, row.prompt.args)).messages)).toMatch(row.prompt.text);
      } finally {
        await client.close();
      }
    });

    it('receives progress with its own token', async () => {
      const client = await connect(kind, row.server);
      try {
        const progress: number[] = [];
        await client.callTool(row.progress.name, row.progress.args, { onprogress: (p) => progress.push(p.progress) });
        // The SDK routes only progress whose token it issued: any update proves the token was restored.
        expect(progress.length).toBeGreaterThan(0);
        expect([...progress].sort((a, b) => a - b)).toEqual(progress);
      } finally {
        await client.close();
      }
    });

    it('cancels a long call upstream', async () => {
      const client = await connect(kind, row.cancel.server);
      const tag = `cancel-${row.server}-${kind}-${Date.now()}`;
      try {
        const controller = new AbortController();
        demoCancellationsBefore = demoCancellations();
        let progressed = false;
        const call = client.callTool(row.cancel.name, row.cancel.args(tag), { signal: controller.signal, onprogress: () => (progressed = true) });
        const started = row.cancel.started ?? (() => progressed);
        await waitFor(() => started(tag), 10_000, `the upstream to start ${tag}`);
        controller.abort();
        await expect(call).rejects.toThrow();
        await waitFor(() => row.cancel.seen(tag), 10_000, `the upstream to see the cancellation of ${tag}`);
      } finally {
        await client.close();
      }
    });

    it('completes an elicitation round trip started by the server', async () => {
      const client = await connect(kind, row.server);
      try {
        const result = await client.callTool(row.elicit.name, row.elicit.args);
        expect(textOf(result.content)).toMatch(row.elicit.text);
        expect(client.elicitations.length).toBeGreaterThan(0);
      } finally {
        await client.close();
      }
    });
  });
});

describe('upstream eras in the servers list', () => {
  it('shows the negotiated era and revision of each upstream', () => {
    const byName = Object.fromEntries(airlock.serverStatuses().map((s) => [s.name, s]));
    expect(byName.everything).toMatchObject({ state: 'ready', era: 'legacy', protocolVersion: LEGACY_VERSION });
    expect(byName['modern-stdio']).toMatchObject({ state: 'ready', era: 'modern', protocolVersion: MODERN_VERSION });
    expect(byName['modern-http']).toMatchObject({ state: 'ready', era: 'modern', protocolVersion: MODERN_VERSION });
    expect(byName.demo).toMatchObject({ state: 'ready', era: 'modern', protocolVersion: MODERN_VERSION });
  });
});
