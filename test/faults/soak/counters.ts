/** Tallies of what the soak's clients did and met (actions, close codes, failed requests by error). */
export class SoakCounters {
  readonly counts: Record<string, number> = {};
  readonly closeCodes: Record<string, number> = {};
  readonly failures: Record<string, number> = {};

  count(name: string, by = 1): void {
    this.counts[name] = (this.counts[name] ?? 0) + by;
  }

  close(code: number): void {
    this.closeCodes[String(code)] = (this.closeCodes[String(code)] ?? 0) + 1;
  }

  failed(action: string, err: unknown): void {
    const code =
      typeof err === 'object' && err !== null && 'code' in err
        ? String((err as { code: unknown }).code)
        : 'error';
    const key = `${action}:${code}`;
    this.failures[key] = (this.failures[key] ?? 0) + 1;
  }
}
