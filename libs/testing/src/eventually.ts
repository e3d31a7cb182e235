/** Polls `probe` until it returns a value accepted by `until` (default: truthy), or fails. */
export async function eventually<T>(
  probe: () => Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number; until?: (v: T) => boolean; what?: string } = {},
): Promise<T> {
  const { timeoutMs = 15000, intervalMs = 50, until = (v: T) => Boolean(v), what = 'condition' } = opts;
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (until(last)) return last;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `${what} not met within ${timeoutMs} ms; last value ${JSON.stringify(last)}${lastErr ? `, last error ${String(lastErr)}` : ''}`,
  );
}
