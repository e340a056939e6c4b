/** runtime.json tells `airlock connect` and scripts where the running Airlock listens. */
import { readFileSync, rmSync } from 'node:fs';
import { z } from 'zod';
import { writePrivateJson } from './home.ts';
import { isProcessAlive } from './instance-lock.ts';

export const RuntimeInfoSchema = z.object({
  pid: z.number().int(),
  port: z.number().int(),
  url: z.string(),
  version: z.string().optional(),
  startedAt: z.number().optional(),
  /** Random per run; the running Airlock proves it knows it (home/instance-proof.ts). */
  instanceId: z.string().optional(),
});
export type RuntimeInfo = z.infer<typeof RuntimeInfoSchema>;

export function writeRuntimeInfo(file: string, info: RuntimeInfo): void {
  writePrivateJson(file, info);
}

export function removeRuntimeInfo(file: string): void {
  rmSync(file, { force: true });
}

/** The running Airlock for this home, or undefined when none runs (or the file is stale). */
export function readRuntimeInfo(file: string): RuntimeInfo | undefined {
  try {
    const info = RuntimeInfoSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    return isProcessAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}
