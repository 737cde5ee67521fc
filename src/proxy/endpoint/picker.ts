// Choosing the endpoint for one attempt of a request: a fixed one (the local app) or power-of-two-choices
// over a service's endpoints.
import { pickP2c } from '../balance/p2c.js';
import type { Clock } from '../balance/peak-ewma.js';
import type { Endpoint } from './endpoint.js';

export interface EndpointPicker {
  /** The authority requests are for, for error messages. */
  readonly authority: string;
  /** Picks an endpoint; `avoid` (one that just failed to connect) is skipped when another is available. */
  pick(avoid?: Endpoint): Endpoint | undefined;
}

export class FixedPicker implements EndpointPicker {
  constructor(
    readonly authority: string,
    private readonly endpoint: Endpoint,
  ) {}

  pick(avoid?: Endpoint): Endpoint | undefined {
    return avoid === this.endpoint ? undefined : this.endpoint;
  }
}

export class BalancedPicker implements EndpointPicker {
  endpoints: readonly Endpoint[] = [];

  constructor(
    readonly authority: string,
    private readonly clock: Clock,
    private readonly random: () => number,
  ) {}

  pick(avoid?: Endpoint): Endpoint | undefined {
    const now = this.clock.now();
    const chosen = pickP2c(this.endpoints, this.random, now);
    if (chosen !== avoid || avoid === undefined) return chosen;
    // The failed endpoint came back (everything else backed off, or bad luck): take any other available one.
    let best: Endpoint | undefined;
    for (const ep of this.endpoints) {
      if (ep === avoid || !ep.available(now)) continue;
      if (best === undefined || ep.load.cost() < best.load.cost()) best = ep;
    }
    return best;
  }
}
