/**
 * Polls until `check` returns a value other than undefined/false. The deadline only stops a test that would
 * otherwise hang: it is a safety net, never the thing asserted, so its default is generous (a loaded 2-core CI host
 * running the suite beside Chromium and tor is slow) and still well inside vitest's 120 s test timeout.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(options.intervalMs ?? 100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
