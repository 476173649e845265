import { describe, expect, it } from 'vitest';
import { DownloadDeadline } from './download-deadline.ts';

/** The deadline on a simulated clock: each step advances time and says how many bytes are held by then. */
function run(deadline: DownloadDeadline, clock: { ms: number }, steps: Array<[number, number]>) {
  deadline.restart(0); // as download() does when a response body begins
  for (const [ms, bytes] of steps) {
    clock.ms += ms;
    const error = deadline.check(bytes);
    if (error) return { at: clock.ms, error };
  }
  return undefined;
}

const limits = { minBytesPerWindow: 1000, rateWindowMs: 10_000, maxDurationMs: 3_600_000 };

describe('download deadline', () => {
  it('lets a transfer at the floor run for ever, and cuts one under it a window after it fell behind', () => {
    const clock = { ms: 0 };
    const steady = new DownloadDeadline(limits, 'http://x.onion/a', () => clock.ms);
    // 110 bytes a second for an hour: 1100 per window.
    const steps = Array.from({ length: 3600 }, (_, i): [number, number] => [1000, (i + 1) * 110]);
    expect(run(steady, clock, steps)).toBeUndefined();

    clock.ms = 0;
    const trickle = new DownloadDeadline(limits, 'http://x.onion/b', () => clock.ms);
    // 1 byte every 3 s (the finding): never idle, but 3 or 4 bytes a window.
    const cut = run(
      trickle,
      clock,
      Array.from({ length: 100 }, (_, i): [number, number] => [3000, i + 1]),
    );
    expect(cut?.at).toBe(12_000);
    expect(cut?.error).toMatchObject({ failure: 'total_timeout', disposition: 'retry' });
    expect(cut?.error.message).toMatch(/too slow, 4 bytes in the last 12 s where 1000 per 10 s are required/);
  });

  it('leaves silence to the idle timer, judges the next byte, and starts a new window per exchange', () => {
    const clock = { ms: 0 };
    const deadline = new DownloadDeadline(limits, 'http://x.onion/c', () => clock.ms);
    deadline.restart(0);
    clock.ms += 1000;
    expect(deadline.check(500_000)).toBeUndefined();
    // 30 s of silence, ticked every second: only the cap is judged then (the idle timer cuts and resumes at once).
    for (let i = 0; i < 30; i++) {
      clock.ms += 1000;
      expect(deadline.tick(500_000)).toBeUndefined();
    }
    clock.ms += 1000;
    expect(deadline.check(500_001)?.message).toMatch(/too slow, 1 bytes in the last 1\d s/);
    // A new exchange resumes with 500 001 bytes held: its window starts afresh.
    deadline.restart(500_001);
    clock.ms += 9000;
    expect(deadline.check(500_001)).toBeUndefined();
    clock.ms += 2000;
    expect(deadline.check(500_501)?.message).toMatch(/too slow, 500 bytes/);
  });

  it('does not blame the server for a window this process was not scheduled to read in', () => {
    const clock = { ms: 0 };
    const deadline = new DownloadDeadline(limits, 'http://x.onion/s', () => clock.ms);
    deadline.restart(0);
    clock.ms += 15_000; // starved: no check for a window and a half
    expect(deadline.check(0)).toBeUndefined();
    clock.ms += 5000;
    expect(deadline.check(10)).toBeUndefined();
    clock.ms += 5000;
    expect(deadline.check(20)?.message).toMatch(/too slow, 20 bytes in the last 10 s/);
  });

  it('ends an attempt past the cap, however fast', () => {
    const clock = { ms: 0 };
    const deadline = new DownloadDeadline(
      { ...limits, maxDurationMs: 60_000 },
      'http://x.onion/d',
      () => clock.ms,
    );
    const cut = run(
      deadline,
      clock,
      Array.from({ length: 100 }, (_, i): [number, number] => [1000, (i + 1) * 1_000_000]),
    );
    expect(cut?.at).toBe(61_000);
    expect(cut?.error.message).toMatch(
      /not finished after 60 s, the cap for one download attempt \(61000000 bytes/,
    );
    expect(deadline.overCap(0)).toBeDefined();
  });
});
