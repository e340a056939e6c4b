/** Builds the SDK client transport for one upstream entry of config.json. */
import { createWriteStream, statSync, truncateSync, type WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { join } from 'node:path';
import { SSEClientTransport, StreamableHTTPClientTransport, type AuthProvider, type FetchLike, type Transport } from '@modelcontextprotocol/client';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import { isStdioServer, remoteTransport, type ServerConfig } from '../../../shared/config.ts';
import { resolveCommand, type SelfCommand } from './command-resolver.ts';

const MAX_LOG_BYTES = 5 * 1024 * 1024;

/**
 * Messages sent to a stdio server in the same turn of the event loop leave in one write:
 * under load many calls go out at once, and each write to the pipe is a system call and a
 * wake-up of the server. The pipe is corked at the first message of a turn and uncorked
 * at its end (setImmediate), so nothing waits longer than the turn.
 */
class CoalescingStdioClientTransport extends StdioClientTransport {
  #uncork: NodeJS.Immediate | undefined;

  override send(...args: Parameters<StdioClientTransport['send']>): Promise<void> {
    const stdin = (this as unknown as { _process?: { stdin?: Writable | null } })._process?.stdin;
    if (stdin && !this.#uncork && stdin.writable) {
      stdin.cork();
      this.#uncork = setImmediate(() => {
        this.#uncork = undefined;
        stdin.uncork();
      });
    }
    return super.send(...args);
  }
}

export interface TransportHandle {
  transport: Transport;
  /** The child's pid for stdio servers. */
  pid(): number | undefined;
  /** The last lines the server wrote to stderr, to explain a failure. */
  lastStderr(): string;
}

/** Appends a server's stderr to `<home>/logs/<server>.log`, starting over when it grows large. */
export function openServerLog(logDir: string, server: string): WriteStream {
  const file = join(logDir, `${server}.log`);
  try {
    if (statSync(file).size > MAX_LOG_BYTES) truncateSync(file, 0);
  } catch {
    // no log yet
  }
  return createWriteStream(file, { flags: 'a', mode: 0o600 });
}

export function createUpstreamTransport(
  name: string,
  config: ServerConfig,
  options: { self: SelfCommand; log: WriteStream; authProvider?: AuthProvider; fetch?: FetchLike },
): TransportHandle {
  if (isStdioServer(config)) {
    const resolved = resolveCommand(config.command, config.args, options.self);
    const transport = new CoalescingStdioClientTransport({
      command: resolved.command,
      args: resolved.args,
      env: { ...getDefaultEnvironment(), PATH: resolved.path, ...resolved.env, ...config.env },
      cwd: config.cwd,
      stderr: 'pipe',
    });
    let tail = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      if (!options.log.writableEnded) options.log.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-2000);
    });
    return {
      transport,
      pid: () => transport.pid ?? undefined,
      lastStderr: () => tail.trim().split('\n').slice(-3).join(' | '),
    };
  }
  const url = new URL(config.url);
  const requestInit: RequestInit = config.headers ? { headers: config.headers } : {};
  // Only config.json's headers and Airlock's own sign-in go upstream: an agent's request
  // headers (its Authorization to Airlock) never reach this transport.
  const auth = { ...(options.authProvider && { authProvider: options.authProvider }), ...(options.fetch && { fetch: options.fetch }) };
  const transport =
    remoteTransport(config) === 'sse'
      ? new SSEClientTransport(url, { requestInit, ...auth })
      : // 403 insufficient_scope is thrown, not followed: a step-up needs the person (SignIn.insufficientScope).
        new StreamableHTTPClientTransport(url, { requestInit, ...auth, onInsufficientScope: 'throw' });
  if (!options.log.writableEnded) options.log.write(`[airlock] connecting to ${url.origin}${url.pathname} (${name})\n`);
  return { transport, pid: () => undefined, lastStderr: () => '' };
}
