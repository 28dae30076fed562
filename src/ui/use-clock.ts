import { useEffect, useState } from 'react';

/**
 * The console's one timer: the time, re-read every second, for countdowns, elapsed times and
 * messages that expire. `now` is injectable so tests share the engine's fake clock.
 */
export function useClock(now: () => number, tickMs = 1000): number {
  const [time, setTime] = useState(now);
  useEffect(() => {
    const id = setInterval(() => setTime(now()), tickMs);
    return () => clearInterval(id);
  }, [now, tickMs]);
  return time;
}
