import { FetchError } from './fetch-errors.ts';

/**
 * The total deadline of a download: a floor on sustained throughput (fewer than `minBytesPerWindow` bytes in the last
 * `rateWindowMs` ends the attempt), so the time a file may take scales with its size, plus an absolute cap on one
 * attempt. The idle timer alone let a server sending 1 byte every 3 s hold a download slot for ever. The floor is
 * judged when bytes arrive: a transfer gone silent is the idle timer's (cut and resumed at once, a dead circuit).
 */
export interface DeadlineLimits {
  /** Bytes that must arrive in any `rateWindowMs` of a transfer; 0: no floor. */
  minBytesPerWindow: number;
  rateWindowMs: number;
  /** One download call (all its reconnections) never lasts longer than this. */
  maxDurationMs: number;
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

export class DownloadDeadline {
  private readonly started: number;
  /** Checkpoints (time, bytes received), at least an eighth of a window apart, covering the last window. */
  private samples: Array<{ at: number; bytes: number }> = [];
  private lastCheck = 0;

  constructor(
    private readonly limits: DeadlineLimits,
    private readonly url: string,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  /** A new exchange begins with `bytes` already held: the floor is measured on its body only. */
  restart(bytes: number): void {
    this.lastCheck = this.now();
    this.samples = [{ at: this.lastCheck, bytes }];
  }

  /** How often `tick` must run while no byte comes. */
  get tickMs(): number {
    return Math.max(5, Math.min(this.limits.rateWindowMs / 4, 1000));
  }

  /** The error that ends the download now if it has lasted past the cap; `bytes`: held so far. */
  overCap(bytes: number): FetchError | undefined {
    if (this.now() - this.started <= this.limits.maxDurationMs) return undefined;
    return new FetchError(
      { failure: 'total_timeout', url: this.url },
      `${this.url}: not finished after ${seconds(this.limits.maxDurationMs)}, the cap for one download attempt (${bytes} bytes received)`,
    );
  }

  /** Between chunks: the cap, and the checkpoints the floor is measured from. */
  tick(bytes: number): FetchError | undefined {
    return this.judge(bytes, false);
  }

  /** On a chunk (`bytes`: held so far): the error that ends the download if it is over its cap or under the floor. */
  check(bytes: number): FetchError | undefined {
    return this.judge(bytes, true);
  }

  private judge(bytes: number, floor: boolean): FetchError | undefined {
    const capped = this.overCap(bytes);
    if (capped) return capped;
    const at = this.now();
    const window = this.limits.rateWindowMs;
    const last = this.samples[this.samples.length - 1];
    // Not judged for a whole window (this process was starved of CPU): bytes may be waiting unread, so the server
    // cannot be blamed for that window; measure again from now.
    if (!last || at - this.lastCheck > window) {
      this.lastCheck = at;
      this.restart(bytes);
      return undefined;
    }
    this.lastCheck = at;
    if (at - last.at >= window / 8) this.samples.push({ at, bytes });
    // Keep the newest checkpoint at least a window old: bytes since it are at least the bytes of the last window.
    while (this.samples.length > 1 && (this.samples[1]?.at ?? at) <= at - window) this.samples.shift();
    const first = this.samples[0] as { at: number; bytes: number };
    if (!floor || at - first.at < window) return undefined;
    const got = bytes - first.bytes;
    if (got >= this.limits.minBytesPerWindow) return undefined;
    return new FetchError(
      { failure: 'total_timeout', url: this.url },
      `${this.url}: too slow, ${got} bytes in the last ${seconds(at - first.at)} where ${this.limits.minBytesPerWindow} per ${seconds(window)} are required (${bytes} bytes received)`,
    );
  }
}
