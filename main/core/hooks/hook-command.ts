/**
 * `airlock hook <client>`: the command a client's pre-tool hook runs. Reads the client's
 * event on stdin, asks the running Airlock of the home (found like `airlock connect` finds
 * it, and proven to be this home's Airlock before any token is sent), and writes the
 * answer in the client's format. Without a running Airlock it fails closed: the call is
 * refused, saying Airlock is not running, unless the person chose `--when-down ask` (hand
 * the decision to the client's own prompt).
 *
 * An entry that another client runs too (VS Code's, which GitHub Copilot CLI runs from the
 * hook folder they share) steps aside with an answer that decides nothing when that client
 * is the one running it and Airlock's own entry for that client stands in its settings: that
 * entry asks Airlock, under that client's name, and the person answers one card. Whenever
 * this is not certain, the entry asks Airlock itself.
 */
import { loadOrCreateAuth } from '../home/auth.ts';
import { homePaths, resolveHomeDir } from '../home/home.ts';
import { readRuntimeInfo } from '../home/runtime-file.ts';
import { verifyAirlock } from '../bridge/verify-airlock.ts';
import { hookAdapter } from './adapters.ts';
import { HOOK_CLIENT_NAMES, HookVerdictSchema, type HookAdapter, type HookAnswer, type HookEvent, type HookVerdict } from './hook-adapter.ts';
import { HOOKS_PATH, VERDICT_MEDIA_TYPE } from './hook-endpoint.ts';
import { hookEntryInstalled } from './hook-record.ts';

export interface HookCommandOptions {
  home?: string;
  /** The client's timeout for this hook (seconds): Airlock answers before it runs out. */
  timeout?: number;
  onTimeout?: 'ask' | 'deny';
  whenDown?: 'ask' | 'deny';
}

export interface HookIo {
  stdin: AsyncIterable<Buffer | string>;
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}

/** Time the hook itself needs around the person's wait (start, proof, answer). */
const MARGIN_SECONDS = 10;
const MAX_EVENT_BYTES = 4 * 1024 * 1024;

async function readAll(stdin: AsyncIterable<Buffer | string>): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (text.length > MAX_EVENT_BYTES) throw new Error('the hook event is larger than 4 MiB');
  }
  return text;
}

export function notRunningVerdict(adapter: HookAdapter, whenDown: 'ask' | 'deny', why: string): HookVerdict {
  const name = HOOK_CLIENT_NAMES[adapter.client];
  if (whenDown === 'ask' && adapter.canHandBack) return { kind: 'ask', reason: `Airlock is not running (${why}); ${name} asks you instead.` };
  return { kind: 'deny', reason: `[Airlock] Refused: Airlock is not running (${why}), so nothing it guards may run. Start Airlock (the app or \`airlock serve\`) and try again.` };
}

/** The client's named token (auth.json `clients`), else the shared MCP token. */
function hookToken(home: string, client: string, env: NodeJS.ProcessEnv): string {
  if (env.AIRLOCK_HOOK_TOKEN) return env.AIRLOCK_HOOK_TOKEN;
  const auth = loadOrCreateAuth(homePaths(home).auth, env);
  return auth.clients[client] ?? auth.mcpToken;
}

/**
 * The answer that decides nothing, when the client running this entry also runs Airlock's
 * own entry for it (which then asks Airlock); undefined otherwise.
 */
function stepAside(adapter: HookAdapter, json: unknown, env: NodeJS.ProcessEnv, home: string): HookAnswer | undefined {
  const other = adapter.alsoRunBy?.(json, env);
  if (!other || !adapter.neutralAnswer) return undefined;
  try {
    return hookEntryInstalled(home, other.client, other.settingsFile) ? adapter.neutralAnswer : undefined;
  } catch {
    return undefined;
  }
}

export async function runHook(client: string, options: HookCommandOptions, io: HookIo): Promise<HookAnswer> {
  const adapter = hookAdapter(client);
  if (!adapter) return { stdout: '', stderr: `airlock hook: no hook adapter for "${client}"`, exitCode: 2 };
  const whenDown = options.whenDown ?? 'deny';
  let raw: string;
  let json: unknown;
  let event: HookEvent | undefined;
  try {
    raw = await readAll(io.stdin);
    json = JSON.parse(raw);
    const parsed = adapter.parse(json);
    if (typeof parsed === 'string') return adapter.answer({ kind: 'deny', reason: `[Airlock] Denied: ${parsed}` }, undefined);
    event = parsed;
  } catch (err) {
    return adapter.answer({ kind: 'deny', reason: `[Airlock] Denied: the hook event could not be read (${(err as Error).message})` }, undefined);
  }
  const dir = resolveHomeDir(options.home, io.env);
  const aside = stepAside(adapter, json, io.env, dir);
  if (aside) return aside;
  const runtime = readRuntimeInfo(homePaths(dir).runtime);
  if (!runtime) return adapter.answer(notRunningVerdict(adapter, whenDown, `no Airlock runs for home ${dir}`), event);
  let token: string;
  try {
    token = hookToken(dir, adapter.client, io.env);
    await verifyAirlock(runtime, token);
  } catch (err) {
    return adapter.answer(notRunningVerdict(adapter, whenDown, (err as Error).message), event);
  }
  const timeout = options.timeout ?? adapter.defaultTimeoutSeconds;
  const wait = Math.max(1, timeout - MARGIN_SECONDS);
  const url = new URL(`${HOOKS_PATH}${encodeURIComponent(adapter.client)}`, runtime.url);
  url.searchParams.set('wait', String(wait));
  url.searchParams.set('onTimeout', options.onTimeout ?? 'ask');
  let verdict: HookVerdict;
  try {
    const res = await (io.fetch ?? fetch)(url, {
      method: 'POST',
      redirect: 'error',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: VERDICT_MEDIA_TYPE },
      body: raw,
    });
    if (!res.ok) throw new Error(`Airlock answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    verdict = HookVerdictSchema.parse(((await res.json()) as { verdict: unknown }).verdict);
  } catch (err) {
    return adapter.answer({ kind: 'deny', reason: `[Airlock] Refused: no answer from Airlock (${(err as Error).message})` }, event);
  }
  return adapter.answer(verdict, event);
}
