/**
 * A taken port, told before anything is created: a first `airlock serve` on a busy port
 * used to make a new home and then die with a raw EADDRINUSE.
 */
import { createServer } from 'node:net';

export class PortInUseError extends Error {
  readonly port: number;
  constructor(port: number, configFile: string) {
    super(
      `port ${port} on 127.0.0.1 is already in use (by another program, or an Airlock running with another home). ` +
        `Stop that program, or give Airlock another port: --port N (0 = any free port), or "airlock": { "port": N } in ${configFile}`,
    );
    this.name = 'PortInUseError';
    this.port = port;
  }
}

export function isAddressInUse(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

/** Throws PortInUseError when `port` cannot be bound on 127.0.0.1 now (port 0 always can). */
export async function assertPortFree(port: number, configFile: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err) => reject(isAddressInUse(err) ? new PortInUseError(port, configFile) : err));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}
