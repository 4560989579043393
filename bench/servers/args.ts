/** Command-line flags of the baseline servers: `--port N` (0: any) and `--redis URL` (two-node mode). */
export function baselineArgs(argv: string[]): { port: number; redisUrl: string | null } {
  let port = 0;
  let redisUrl: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port') port = Number(argv[++i] ?? 0);
    else if (argv[i] === '--redis') redisUrl = argv[++i] ?? null;
  }
  return { port, redisUrl };
}

function readProp(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}

export function stringProp(value: unknown, key: string): string | null {
  const found = readProp(value, key);
  return typeof found === 'string' ? found : null;
}
