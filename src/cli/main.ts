import { readFileSync } from 'node:fs';
import { CONFIG_FILE_ENV, CONFIG_FILE_FLAG, ConfigError, SETTINGS, loadConfig } from '../config/load.js';
import { createLogger } from '../log.js';
import { stdoutLogDestination, terminalLogDestination } from '../logDestination.js';
import { startServer, type RunningServer } from '../server.js';

/** Exit codes: 0 done, 1 the server failed, 2 bad usage (unknown command, flag or setting). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** After a clean shutdown, how long the last log lines may take to reach a slow reader before the exit. */
const LOG_DRAIN_MS = 1000;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function usage(): string {
  const flagWidth = Math.max(...SETTINGS.map((s) => s.flag.length + 12), 20);
  const pad = (text: string, width: number) => (text.length >= width ? `${text} ` : text.padEnd(width));
  const flagLines = [
    `  ${pad(`--${CONFIG_FILE_FLAG} <file>`, flagWidth)}JSON config file (env ${CONFIG_FILE_ENV})`,
    ...SETTINGS.map(
      (s) => `  ${pad(`--${s.flag} <value>`, flagWidth)}${s.description} (default ${s.defaultText})`,
    ),
  ];
  const envWidth = Math.max(...SETTINGS.map((s) => s.env.join(', ').length + 2), 20);
  const envLines = [
    `  ${pad(CONFIG_FILE_ENV, envWidth)}--${CONFIG_FILE_FLAG}`,
    ...SETTINGS.map((s) => `  ${pad(s.env.join(', '), envWidth)}--${s.flag}`),
  ];
  return [
    'Parley: a self-hosted real-time chat server for websites.',
    '',
    'Usage:',
    '  parley serve [flags]     start the server',
    '  parley help              show this help (also: parley --help)',
    '  parley --version         print the version',
    '',
    'Flags of serve (they override environment variables, which override the config file):',
    ...flagLines,
    '',
    'Environment variables:',
    ...envLines,
    '',
    'On first start without an admin key, one is generated, saved in the data directory and printed once.',
    'SIGTERM or SIGINT shuts down gracefully (connections are closed with code 1001); another signal a second or more later exits at once.',
    '',
  ].join('\n');
}

/** `parley serve --help`: each flag with what its value is, its default and its environment variables. */
export function serveUsage(): string {
  const entry = (flag: string, description: string, facts: string[]) =>
    [`  --${flag}`, `      ${description}`, `      ${facts.join(' · ')}`, ''].join('\n');
  return [
    'Usage: parley serve [flags]',
    '',
    'Starts the server. A flag overrides its environment variable, which overrides the config file.',
    '',
    entry(CONFIG_FILE_FLAG + ' <file>', 'A JSON config file with any of the settings below.', [
      `env: ${CONFIG_FILE_ENV}`,
    ]),
    ...SETTINGS.map((s) =>
      entry(`${s.flag} <value>`, s.description, [
        `value: ${s.expected}`,
        `default: ${s.defaultText}`,
        `env: ${s.env.join(', ')}`,
      ]),
    ),
    'SIGTERM or SIGINT shuts down gracefully (connections are closed with code 1001); another signal a second or more later exits at once.',
    '',
  ].join('\n');
}

function fail(message: string, code: number): number {
  process.stderr.write(`parley: ${message.replace(/[\r\n]+/g, ' ')}\n`);
  return code;
}

const SIGNAL_EXIT: Record<'SIGTERM' | 'SIGINT', number> = { SIGTERM: 143, SIGINT: 130 };

/**
 * A stop signal this soon after the first is the same request delivered twice, not a second one: a signal sent to
 * the process group reaches Parley directly and again through npm, which forwards what it receives (`npm start`).
 */
const REPEAT_SIGNAL_MS = 1000;

async function serve(args: string[]): Promise<number | null> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(serveUsage());
    return EXIT_OK;
  }
  const config = loadConfig(args, process.env);
  // A reader of standard output that has gone away must not end the server (EPIPE is an error event).
  process.stdout.on('error', () => {});
  // A person at a terminal reads lines; a supervisor, a container runtime or a pipe gets JSON lines.
  const logs = process.stdout.isTTY ? terminalLogDestination() : stdoutLogDestination();
  const logger = createLogger(config.logLevel, logs);

  // Signal handlers go in before anything is printed: whoever waits for the startup line may signal at once.
  let server: RunningServer | null = null;
  let stopping = false;
  let stoppingSince = 0;
  const shutdown = (running: RunningServer) => {
    // The deadline exits whatever standard output does: the log destination has nothing to flush on exit.
    const deadline = setTimeout(() => {
      process.stderr.write(`parley: shutdown took longer than ${config.shutdownTimeoutMs} ms, exiting\n`);
      process.exit(EXIT_FAILURE);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    const exit = (code: number) => logs.drain(LOG_DRAIN_MS).then(() => process.exit(code));
    running.close().then(
      () => exit(EXIT_OK),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        return exit(EXIT_FAILURE);
      },
    );
  };
  const onSignal = (signal: 'SIGTERM' | 'SIGINT') => {
    if (stopping) {
      if (Date.now() - stoppingSince < REPEAT_SIGNAL_MS) return;
      process.stderr.write(`parley: second ${signal}, exiting now\n`);
      process.exit(SIGNAL_EXIT[signal]);
    }
    stopping = true;
    stoppingSince = Date.now();
    logger.info({ signal }, 'signal received, shutting down');
    // While still starting, the start finishes first and is then shut down (see below).
    if (server) shutdown(server);
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  try {
    server = await startServer(config, { logger });
  } catch (err) {
    logger.fatal({ err }, 'parley failed to start');
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE')
      return fail(`cannot listen on ${config.host}:${config.port}: address in use`, EXIT_FAILURE);
    if (e.code === 'EACCES')
      return fail(`cannot listen on ${config.host}:${config.port}: permission denied`, EXIT_FAILURE);
    return fail(`failed to start: ${e.message}`, EXIT_FAILURE);
  }
  if (stopping) {
    shutdown(server);
    return null;
  }
  // The one line a supervisor or test waits for: it carries the bound port, even when --port 0 was given. A
  // log line in pino's shape (info), written whatever the log level, so that standard output stays JSON lines.
  const line = {
    level: 30,
    time: Date.now(),
    pid: process.pid,
    url: server.url,
    msg: `parley listening on ${server.url}`,
  };
  logs.write(`${JSON.stringify(line)}\n`);
  return null; // keep running
}

/** Runs the command line; resolves to an exit code, or null while the server runs. */
export async function runCli(argv: string[]): Promise<number | null> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        process.stderr.write(usage());
        return EXIT_USAGE;
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(usage());
        return EXIT_OK;
      case '--version':
      case '-v':
      case 'version':
        process.stdout.write(`${version()}\n`);
        return EXIT_OK;
      case 'serve':
        return await serve(rest);
      default:
        return fail(`unknown command ${JSON.stringify(command)} (see parley --help)`, EXIT_USAGE);
    }
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message, EXIT_USAGE);
    return fail(`failed: ${(err as Error).message}`, EXIT_FAILURE);
  }
}

runCli(process.argv.slice(2)).then(
  (code) => {
    if (code !== null) process.exitCode = code;
  },
  (err: unknown) => {
    fail(`failed: ${(err as Error).message}`, EXIT_FAILURE);
    process.exitCode = EXIT_FAILURE;
  },
);
