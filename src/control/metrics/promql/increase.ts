// Counter increase over a window exactly as Prometheus' increase() computes it (extrapolatedRate in
// promql/functions.go): resets add back the value before the drop, and the result is extrapolated to the
// window's edges. Both back ends use these semantics, so the embedded store and PromQL agree on the same data.

/**
 * Accumulates the samples of one series inside a window, oldest first, and yields its increase. A streaming
 * form, so the embedded store can feed samples straight from its ring buffers without copying them.
 */
export class CounterWindow {
  #n = 0;
  #firstT = 0;
  #firstV = 0;
  #lastT = 0;
  #lastV = 0;
  /** The value before every drop: a counter reset restarts from zero, so what it had counted is added back. */
  #corrections = 0;

  reset(): void {
    this.#n = 0;
    this.#corrections = 0;
  }

  /** Adds a sample; `t` in ms, strictly after the previous one. NaN values (absent samples) are skipped. */
  add(t: number, v: number): void {
    if (v !== v) return;
    if (this.#n === 0) {
      this.#firstT = t;
      this.#firstV = v;
    } else if (v < this.#lastV) {
      this.#corrections += this.#lastV;
    }
    this.#lastT = t;
    this.#lastV = v;
    this.#n++;
  }

  get samples(): number {
    return this.#n;
  }

  /**
   * The increase over [startMs, endMs], or undefined with fewer than two samples (Prometheus drops such series).
   * The sampled change is scaled up to the window when the first/last samples sit within 1.1 average sample
   * intervals of its edges, else by half an interval on that side; never back past the counter's zero point.
   */
  increase(startMs: number, endMs: number): number | undefined {
    const n = this.#n;
    if (n < 2) return undefined;
    // Same arithmetic order as Prometheus, so both back ends give bit-identical answers on the same samples.
    const result = this.#lastV - this.#firstV + this.#corrections;
    let toStart = (this.#firstT - startMs) / 1000;
    const toEnd = (endMs - this.#lastT) / 1000;
    const sampled = (this.#lastT - this.#firstT) / 1000;
    const average = sampled / (n - 1);
    if (result > 0 && this.#firstV >= 0) {
      // A counter cannot go below zero: do not extrapolate back further than where it would have been zero.
      const toZero = sampled * (this.#firstV / result);
      if (toZero < toStart) toStart = toZero;
    }
    const threshold = average * 1.1;
    let interval = sampled;
    interval += toStart < threshold ? toStart : average / 2;
    interval += toEnd < threshold ? toEnd : average / 2;
    return result * (interval / sampled);
  }
}

/** increase() over parallel arrays of sample times (ms, ascending) and values; samples outside the window ignored. */
export function extrapolatedIncrease(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  startMs: number,
  endMs: number,
): number | undefined {
  const w = new CounterWindow();
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (t >= startMs && t <= endMs) w.add(t, values[i]!);
  }
  return w.increase(startMs, endMs);
}
