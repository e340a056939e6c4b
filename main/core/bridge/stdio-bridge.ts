/**
 * `airlock connect <server>`: for clients that can only spawn a command (Claude Desktop).
 * It relays JSON-RPC messages between its stdio and the running Airlock's
 * `/mcp/<server>` endpoint, untouched, so the policy applies exactly as over HTTP. It never
 * connects to the upstream itself: without a running Airlock it fails closed.
 *
 * The era is pinned per connection by the client's opening message: `initialize` opens a
 * 2025 session (session id, GET stream, DELETE at the end); a request carrying the 2026
 * `_meta` envelope (usually `server/discover`) makes every later message a modern,
 * session-less request, with the routing headers derived from each message and
 * cancellation done by closing that request's stream.
 */
import type { Readable, Writable } from 'node:stream';
import {
  PROTOCOL_VERSION_META_KEY,
  StreamableHTTPClientTransport,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/client';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { describeClientLineError, reportUnreadableLines } from './bridge-errors.ts';

const RESPONSE_HOLD_MS = 10;

export interface BridgeOptions {
  url: URL;
  token: string;
  /** Every request to Airlock goes through it (connect passes one that proves the port first). */
  fetch?: typeof fetch;
  stdin?: Readable;
  stdout?: Writable;
  /** Called once with the reason when the bridge ends. */
  onEnd?: (error?: Error) => void;
}

export interface Bridge {
  close(): Promise<void>;
}

function envelopeVersion(message: JSONRPCMessage): string | undefined {
  if (!isJSONRPCRequest(message) && !isJSONRPCNotification(message)) return undefined;
  const version = (message.params?._meta as Record<string, unknown> | undefined)?.[PROTOCOL_VERSION_META_KEY];
  return typeof version === 'string' ? version : undefined;
}

export async function startStdioBridge(options: BridgeOptions): Promise<Bridge> {
  const http = new StreamableHTTPClientTransport(options.url, {
    requestInit: { headers: { Authorization: `Bearer ${options.token}` } },
    ...(options.fetch && { fetch: options.fetch }),
  });
  const stdio = new StdioServerTransport(options.stdin, options.stdout);
  let era: 'legacy' | 'modern' | undefined;
  let initializeId: RequestId | undefined;
  /** Modern requests in flight: cancelling one closes its response stream. */
  const inflight = new Map<RequestId, AbortController>();
  let ended = false;

  const end = async (error?: Error) => {
    if (ended) return;
    ended = true;
    for (const controller of inflight.values()) controller.abort();
    // A DELETE ends a legacy session at once, so pending approvals are withdrawn.
    if (era === 'legacy') await http.terminateSession().catch(() => undefined);
    await Promise.allSettled([http.close(), stdio.close()]);
    options.onEnd?.(error);
  };

  const answerError = (id: RequestId, err: Error) =>
    void stdio.send({ jsonrpc: '2.0', id, error: { code: -32000, message: `[Airlock] the Airlock endpoint did not answer: ${err.message}` } });

  stdio.onmessage = (message: JSONRPCMessage) => {
    era ??= envelopeVersion(message) ? 'modern' : 'legacy';
    if (isJSONRPCRequest(message) && message.method === 'initialize') initializeId = message.id;
    if (era === 'modern') {
      if (isJSONRPCNotification(message) && message.method === 'notifications/cancelled') {
        // 2026-07-28 over HTTP: a request is cancelled by closing its response stream.
        const id = (message.params as { requestId?: RequestId } | undefined)?.requestId;
        if (id !== undefined) inflight.get(id)?.abort();
        return;
      }
      if (isJSONRPCRequest(message)) {
        const controller = new AbortController();
        inflight.set(message.id, controller);
        http
          .send(message, { requestSignal: controller.signal, onRequestStreamEnd: () => inflight.delete(message.id) })
          .catch((err: Error) => {
            if (!controller.signal.aborted) answerError(message.id, err);
          })
          .finally(() => {
            if (controller.signal.aborted) inflight.delete(message.id);
          });
        return;
      }
    }
    http.send(message).catch((err: Error) => {
      if (isJSONRPCRequest(message)) answerError(message.id, err);
    });
  };
  // Messages go out in order. A response written right behind a notification (the last
  // progress of a call) is held back a moment: SDK clients handle a notification one
  // microtask later than a response read in the same chunk, and would drop that progress.
  let output: Promise<unknown> = Promise.resolve();
  let lastNotificationAt = 0;
  http.onmessage = (message: JSONRPCMessage) => {
    if (initializeId !== undefined && isJSONRPCResultResponse(message) && message.id === initializeId) {
      const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof version === 'string') http.setProtocolVersion(version);
    }
    const isNotification = !('id' in message);
    if ('id' in message && !('method' in message) && message.id !== undefined) inflight.delete(message.id);
    output = output
      .then(async () => {
        if (!isNotification && !('method' in message) && Date.now() - lastNotificationAt < RESPONSE_HOLD_MS) {
          await new Promise((resolve) => setTimeout(resolve, RESPONSE_HOLD_MS));
        }
        if (isNotification) lastNotificationAt = Date.now();
        await stdio.send(message);
      })
      .catch(() => end());
  };
  stdio.onclose = () => void end();
  http.onclose = () => void end(new Error('Airlock closed the connection'));
  http.onerror = (err) => process.stderr.write(`airlock connect: ${err.message}\n`);
  stdio.onerror = (err) => {
    // Unreadable lines are reported by reportUnreadableLines, once and briefly.
    if (err.name === 'ZodError' || err instanceof SyntaxError) return;
    process.stderr.write(`airlock connect: ${describeClientLineError(err)}\n`);
  };

  await http.start();
  reportUnreadableLines(options.stdin ?? process.stdin, (line) => process.stderr.write(`airlock connect: ${line}\n`));
  await stdio.start();
  options.stdin?.once('end', () => void end());
  if (!options.stdin) process.stdin.once('end', () => void end());
  return { close: () => end() };
}
