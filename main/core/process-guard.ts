/**
 * A rejected promise nobody awaited (a detached history write, a stream that failed after
 * its caller moved on) must not end the process: Node's default would drop every agent's
 * session and every waiting approval at once. It is logged and Airlock keeps serving.
 * Such a rejection never lets a call through: the guard forwards a call only after every
 * step before it succeeded, and a detached step grants nothing until its write is done.
 */
import type { Logger } from './logger.ts';

export function installProcessGuard(logger: Logger, target: NodeJS.Process = process): () => void {
  const onRejection = (reason: unknown) => {
    const text = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
    logger.error(`unexpected rejection (Airlock keeps serving): ${text}`);
  };
  target.on('unhandledRejection', onRejection);
  return () => void target.off('unhandledRejection', onRejection);
}
