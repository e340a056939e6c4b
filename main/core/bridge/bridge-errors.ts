/**
 * How the stdio bridge tells a client what went wrong. A client that spawns
 * `airlock connect` reads only stdout: a bridge that printed its reason to stderr and
 * exited showed up as "Connection closed". So a bridge that cannot start answers the
 * client's first request with a JSON-RPC error carrying the reason, then exits non-zero.
 */
import type { Readable, Writable } from 'node:stream';

/** JSON-RPC "server error" range: the bridge, not the MCP server, refused. */
export const BRIDGE_ERROR_CODE = -32000;

/** How long a bridge that cannot start waits for the client's first request before exiting. */
const FIRST_REQUEST_WAIT_MS = 30_000;

export interface RefusalIo {
  stdin: Readable;
  stdout: Writable;
  exit(code: number): void;
}

/**
 * Reads stdin until the first JSON-RPC request (a message with a method and an id),
 * answers it with an error carrying `message`, and exits 1. Notifications and lines that
 * are not JSON are skipped; stdin closing, or no request in time, exits 1 as well.
 */
export function refuseFirstRequest(message: string, io: RefusalIo): void {
  let buffered = '';
  let done = false;
  const finish = (answer?: unknown) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    io.stdin.off('data', onData);
    io.stdin.off('end', onEnd);
    io.stdin.pause();
    if (answer === undefined) return io.exit(1);
    io.stdout.write(`${JSON.stringify(answer)}\n`, () => io.exit(1));
  };
  const onData = (chunk: Buffer | string) => {
    buffered += chunk.toString();
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      const id = requestId(line);
      if (id !== undefined) return finish({ jsonrpc: '2.0', id, error: { code: BRIDGE_ERROR_CODE, message: `[Airlock] ${message}` } });
    }
  };
  const onEnd = () => finish();
  const timer = setTimeout(() => finish(), FIRST_REQUEST_WAIT_MS);
  io.stdin.on('data', onData);
  io.stdin.once('end', onEnd);
}

function requestId(line: string): string | number | undefined {
  if (!line) return undefined;
  try {
    const value = JSON.parse(line) as { method?: unknown; id?: unknown };
    if (typeof value.method !== 'string') return undefined;
    return typeof value.id === 'string' || typeof value.id === 'number' ? value.id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One line for a line from the client that the bridge could not read: the SDK reports a
 * line that is JSON but no JSON-RPC message as a zod error whose message is the whole
 * issue list, a hundred lines on stderr.
 */
export function describeClientLineError(err: Error): string {
  if (err.name === 'ZodError' || 'issues' in err) return 'ignored a line from the client that is not a JSON-RPC message';
  if (err instanceof SyntaxError) return `ignored a line from the client that is not JSON (${err.message.split('\n')[0]})`;
  return err.message.split('\n')[0] ?? String(err);
}

/** Whether the SDK's transport will take this as a JSON-RPC message (its own error says so in a hundred lines). */
function looksLikeJsonRpc(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return Array.isArray(value);
  const m = value as { jsonrpc?: unknown; method?: unknown; id?: unknown };
  if (m.jsonrpc !== '2.0') return false;
  if (m.id !== undefined && typeof m.id !== 'string' && typeof m.id !== 'number') return false;
  return typeof m.method === 'string' || m.id !== undefined;
}

/**
 * Reports each line from the client the bridge cannot relay, one line each on stderr, in
 * order: the SDK's stdio transport skips a line that is not JSON without a word, and
 * reports one that is no JSON-RPC message as a hundred-line schema error (which the
 * bridge then leaves out). It only watches; the transport still reads every line.
 */
export function reportUnreadableLines(stdin: Readable, report: (line: string) => void): void {
  let buffered = '';
  stdin.on('data', (chunk: Buffer | string) => {
    buffered += chunk.toString();
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (!line) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        report(describeClientLineError(err as Error));
        continue;
      }
      if (!looksLikeJsonRpc(value)) report('ignored a line from the client that is not a JSON-RPC message');
    }
  });
}
