import { describeError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';

export interface Periodic {
  /** Runs a pass now unless one is running; resolves when it ends. */
  kick(): Promise<void>;
  stop(): Promise<void>;
}

/** Runs `pass` every `intervalMs`, never two at once; a failing pass is logged and the next one runs as planned. */
export function startPeriodic(
  name: string,
  pass: () => Promise<unknown>,
  intervalMs: number,
  log: Logger,
): Periodic {
  let running: Promise<void> | undefined;
  let stopped = false;
  const kick = () => {
    if (stopped) return Promise.resolve();
    running ??= pass()
      .then(() => undefined)
      .catch((error: unknown) =>
        log.error({ pass: name, error: describeError(error) }, 'periodic pass failed'),
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void kick(), intervalMs);
  timer.unref();
  return {
    kick,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
