// A fixed-capacity ring of ascending timestamps: the clock of one target's history. Series keep their values
// in arrays of the same capacity, indexed by the slots this ring hands out.

export class TimeRing {
  readonly times: Float64Array;
  /** Physical index of the oldest slot, and how many slots are in use. */
  #start = 0;
  #length = 0;

  constructor(capacity: number) {
    this.times = new Float64Array(capacity);
  }

  get length(): number {
    return this.#length;
  }

  /** True once the ring has started overwriting its oldest slots. */
  get full(): boolean {
    return this.#length === this.times.length;
  }

  /** The oldest time held (NaN when empty). */
  oldest(): number {
    return this.#length === 0 ? NaN : this.times[this.#start]!;
  }

  /** Takes the slot for time `t`, overwriting the oldest when full; returns its physical index. */
  push(t: number): number {
    const cap = this.times.length;
    let slot: number;
    if (this.#length < cap) {
      slot = (this.#start + this.#length) % cap;
      this.#length++;
    } else {
      slot = this.#start;
      this.#start = (this.#start + 1) % cap;
    }
    this.times[slot] = t;
    return slot;
  }

  /** Physical index of the i-th oldest slot. */
  physical(i: number): number {
    return (this.#start + i) % this.times.length;
  }

  /** The first logical index whose time is ≥ t (length when none). */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.#length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[this.physical(mid)]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
