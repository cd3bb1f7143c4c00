/**
 * A run's event times: milliseconds since the run started, from monotonic clocks, never
 * decreasing with `seq`. A worker's event keeps the worker's time (since it started the
 * run); an event the client makes (a terminal error, batch progress) gets the time since
 * this clock was made. The client's clock starts first and reads last, so it runs ahead of
 * the worker's; clamping to the latest time keeps the order either way.
 */
export class RunClock {
  private readonly startedAt = performance.now();
  private latest = 0;

  stamp(workerTime?: number): number {
    const time = workerTime ?? performance.now() - this.startedAt;
    if (time > this.latest) this.latest = time;
    return this.latest;
  }
}
