/**
 * `airlock connect <server>`: for clients that can only spawn a command (Claude Desktop).
 * It relays JSON-RPC messages between its stdio and the running Airlock's
 * `/mcp/<server>` endpoint, untouched, so the policy applies exactly as over HTTP. It never
 * connects to the upstream itself: without a running Airlock it fails closed.
 */
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { isJSONRPCRequest, isJSONRPCResultResponse, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';

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

export async function startStdioBridge(options: BridgeOptions): Promise<Bridge> {
  const http = new StreamableHTTPClientTransport(options.url, {
    requestInit: { headers: { Authorization: `Bearer ${options.token}` } },
    ...(options.fetch && { fetch: options.fetch }),
  });
  const stdio = new StdioServerTransport(options.stdin, options.stdout);
  let initializeId: RequestId | undefined;
  let ended = false;

  const end = async (error?: Error) => {
    if (ended) return;
    ended = true;
    // A DELETE ends the MCP session at once, so pending approvals are withdrawn.
    await http.terminateSession().catch(() => undefined);
    await Promise.allSettled([http.close(), stdio.close()]);
    options.onEnd?.(error);
  };

  stdio.onmessage = (message: JSONRPCMessage) => {
    if (isJSONRPCRequest(message) && message.method === 'initialize') initializeId = message.id;
    http.send(message).catch((err: Error) => {
      if (isJSONRPCRequest(message)) {
        void stdio.send({
          jsonrpc: '2.0',
          id: message.id,
          error: { code: -32000, message: `[Airlock] the Airlock endpoint did not answer: ${err.message}` },
        });
      }
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
    output = output.then(async () => {
      if (!isNotification && !('method' in message) && Date.now() - lastNotificationAt < RESPONSE_HOLD_MS) {
        await new Promise((resolve) => setTimeout(resolve, RESPONSE_HOLD_MS));
      }
      if (isNotification) lastNotificationAt = Date.now();
      await stdio.send(message);
    }).catch(() => end());
  };
  stdio.onclose = () => void end();
  http.onclose = () => void end(new Error('Airlock closed the connection'));
  http.onerror = (err) => process.stderr.write(`airlock connect: ${err.message}\n`);
  stdio.onerror = (err) => process.stderr.write(`airlock connect: ${err.message}\n`);

  await http.start();
  await stdio.start();
  options.stdin?.once('end', () => void end());
  if (!options.stdin) process.stdin.once('end', () => void end());
  return { close: () => end() };
}
