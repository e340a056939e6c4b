/** The core logs through this; shells decide where it goes (stderr, a file, the UI). */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function stderrLogger(prefix = 'airlock'): Logger {
  const line = (level: string, message: string) => process.stderr.write(`${new Date().toISOString()} ${prefix} ${level} ${message}\n`);
  return {
    info: (m) => line('info', m),
    warn: (m) => line('warn', m),
    error: (m) => line('error', m),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
