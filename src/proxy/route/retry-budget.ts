// A retry budget (Linkerd's): over a sliding window of `ttl`, retries may add at most `retryRatio` of the
// requests plus `minRetriesPerSecond` × ttl, so retries cannot multiply load when a service is failing.

export interface RetryBudgetOptions {
  readonly retryRatio: number;
  readonly minRetriesPerSecond: number;
  readonly ttlMs: number;
}

/** Counts kept per slot; the window is SLOTS slots of ttl/SLOTS each. */
const SLOTS = 10;

export class RetryBudget {
  private readonly requests = new Float64Array(SLOTS);
  private readonly retries = new Float64Array(SLOTS);
  private slot = 0;
  private slotStart: number;
  private readonly slotMs: number;
  /** Retries refused for lack of budget, for metrics. */
  exhausted = 0;
  retried = 0;

  constructor(
    readonly options: RetryBudgetOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.slotMs = options.ttlMs / SLOTS;
    this.slotStart = now();
  }

  /** Records an original request (deposits into the budget). */
  deposit(): void {
    this.advance();
    this.requests[this.slot] = (this.requests[this.slot] ?? 0) + 1;
  }

  /** Takes one retry from the budget; false (and nothing taken) when the budget is spent. */
  withdraw(): boolean {
    this.advance();
    let reqs = 0;
    let tries = 0;
    for (let i = 0; i < SLOTS; i++) {
      reqs += this.requests[i] ?? 0;
      tries += this.retries[i] ?? 0;
    }
    const allowed =
      (this.options.minRetriesPerSecond * this.options.ttlMs) / 1000 + this.options.retryRatio * reqs;
    if (tries + 1 > allowed) {
      this.exhausted++;
      return false;
    }
    this.retries[this.slot] = (this.retries[this.slot] ?? 0) + 1;
    this.retried++;
    return true;
  }

  private advance(): void {
    const now = this.now();
    let steps = Math.floor((now - this.slotStart) / this.slotMs);
    if (steps <= 0) return;
    this.slotStart += steps * this.slotMs;
    if (steps > SLOTS) steps = SLOTS;
    for (let i = 0; i < steps; i++) {
      this.slot = (this.slot + 1) % SLOTS;
      this.requests[this.slot] = 0;
      this.retries[this.slot] = 0;
    }
  }
}
