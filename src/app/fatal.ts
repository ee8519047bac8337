/**
 * The service's last line of defence (issue 19): an error nobody caught, or a port that cannot be listened on, ends
 * the process with ONE log line and exit code 1, never a stack trace on the console. The stack still goes to the
 * log at debug level (SIGNAL_POOL_LOG_LEVEL=debug) for whoever investigates.
 */
import type { Logger } from './logger.ts';

export function describeListenError(err: NodeJS.ErrnoException, host: string, port: number): string {
  const where = `${host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return `Cannot start the HTTP API: ${where} is already in use (another Signal Pool, or another program). Stop it, or set SIGNAL_POOL_HTTP_PORT to a free port.`;
    case 'EACCES':
      return `Cannot start the HTTP API: no permission to listen on ${where} (ports below 1024 need privileges). Set SIGNAL_POOL_HTTP_PORT to a port above 1024.`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `Cannot start the HTTP API: ${host} is not an address of this machine. Check SIGNAL_POOL_HTTP_HOST.`;
    default:
      return `Cannot start the HTTP API on ${where}: ${err.message}`;
  }
}

export function installFatalHandlers(logger: Logger, exit: (code: number) => void): void {
  const fatal = (kind: string) => (reason: unknown) => {
    const err = reason instanceof Error ? reason : new Error(String(reason));
    try {
      logger.error(`fatal: ${kind}: ${err.message.split('\n')[0]}; stopping (exit code 1)`);
      logger.debug('fatal error stack', { stack: err.stack ?? null });
    } finally {
      exit(1);
    }
  };
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('unhandledRejection', fatal('unhandled promise rejection'));
}
