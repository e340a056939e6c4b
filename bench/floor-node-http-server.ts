/**
 * Floor C of the proxy benchmark: a minimal JSON-RPC responder straight on `node:http`, no
 * MCP SDK on the server side. It answers `initialize` (with a session id), accepts
 * notifications, refuses the GET stream (405, which the SDK client accepts) and answers
 * `tools/call` of `echo` with one JSON response. What an HTTP round trip on loopback costs
 * the same client. Prints its port on stdout.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Message {
  id?: string | number;
  method?: string;
  params?: { protocolVersion?: string; arguments?: { message?: string } };
}

const sessionId = randomUUID();

function answer(message: Message): unknown {
  if (message.method === 'initialize') {
    return {
      jsonrpc: '2.0',
      id: message.id,
      result: { protocolVersion: message.params?.protocolVersion ?? '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'floor-c', version: '1.0.0' } },
    };
  }
  if (message.method === 'tools/call') {
    return { jsonrpc: '2.0', id: message.id, result: { content: [{ type: 'text', text: `Echo: ${message.params?.arguments?.message ?? ''}` }] } };
  }
  return { jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'Method not found' } };
}

const http = createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST' }).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Message;
    if (message.id === undefined) {
      res.writeHead(202).end();
      return;
    }
    const body = JSON.stringify(answer(message));
    res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': sessionId, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
http.keepAliveTimeout = 60_000;
http.listen(0, '127.0.0.1', () => process.stdout.write(`${(http.address() as AddressInfo).port}\n`));
