/**
 * What an agent reaches while its server needs sign-in: an MCP endpoint (both eras,
 * stateless) with nothing behind it. A tools/call is answered with a tool result that says
 * who to ask and how (models read tool results); tools/list and anything else with an MCP
 * error saying the same. Nothing is sent to the server.
 */
import { createMcpHandler, ProtocolError, ProtocolErrorCode, Server, type McpHttpHandler } from '@modelcontextprotocol/server';
import { toNodeHandler, type NodeMcpRequestHandler } from '@modelcontextprotocol/node';
import { signInMessage } from '../upstream/oauth/sign-in-errors.ts';

export function signInGateServer(server: string): Server {
  const gate = new Server({ name: server, version: '0' }, { capabilities: { tools: { listChanged: true } } });
  const message = signInMessage(server);
  gate.setRequestHandler('tools/list', () => {
    throw new ProtocolError(ProtocolErrorCode.InvalidRequest, message);
  });
  gate.setRequestHandler('tools/call', () => ({ content: [{ type: 'text', text: message }], isError: true }));
  return gate;
}

export interface SignInGate {
  handler: McpHttpHandler;
  node: NodeMcpRequestHandler;
}

export function createSignInGate(server: string, maxBodyBytes: number): SignInGate {
  const handler = createMcpHandler(() => signInGateServer(server), { maxRequestBodySize: maxBodyBytes });
  return { handler, node: toNodeHandler(handler, { maxRequestBodySize: maxBodyBytes }) };
}
