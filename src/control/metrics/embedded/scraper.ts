// Scrapes every meshed instance's proxy /metrics on an interval into the store, with a timeout, a size limit
// and bounded concurrency; follows registry changes; a failing target is recorded and never stops the rest.
import { Agent, request } from 'undici';
import { formatHostPort } from '../../../common/address.js';
import { errorMessage } from '../../../common/errors.js';
import type { MeshRegistry } from '../../registry/model.js';
import { KEPT_LABELS } from '../schema.js';
import { parseExposition } from './exposition.js';
import type { SeriesStore, TargetLabels } from './store.js';

export interface ScraperOptions {
  readonly intervalMs: number;
  /** Limit for one scrape, response body included. */
  readonly timeoutMs: number;
  /** Most scrapes in flight at once. */
  readonly concurrency: number;
  /** Larger responses are cut off and count as failures. */
  readonly maxBytes: number;
}

export const DEFAULT_SCRAPER_OPTIONS: ScraperOptions = {
  intervalMs: 2000,
  timeoutMs: 2000,
  concurrency: 16,
  maxBytes: 32 * 1024 * 1024,
};

export interface ScrapeTarget {
  readonly key: string;
  readonly labels: TargetLabels;
  readonly url: string;
}

export interface TargetStatus extends ScrapeTarget {
  up: boolean;
  scrapes: number;
  failures: number;
  consecutiveFailures: number;
  /** Start of the latest scrape, ms since the epoch (0 before the first). */
  lastScrapeMs: number;
  lastDurationMs: number;
  lastError: string | undefined;
  /** Samples of kept families in the latest successful scrape. */
  lastSamples: number;
  /** Unreadable lines in the latest successful scrape (skipped). */
  lastParseErrors: number;
}

export interface ScraperDeps {
  readonly now?: () => number;
  /** Reports up/down transitions of targets (not every failure, so a dead target does not flood the log). */
  readonly onTargetState?: (status: TargetStatus) => void;
}

/** The scrape targets of a registry: meshed instances with an admin address, labelled like Prometheus targets. */
export function scrapeTargets(registry: MeshRegistry): ScrapeTarget[] {
  const out: ScrapeTarget[] = [];
  for (const inst of registry.instances()) {
    if (!inst.meshed || inst.admin === undefined) continue;
    out.push({
      key: `${inst.namespace}/${inst.name}`,
      labels: { namespace: inst.namespace, workload: inst.workload, pod: inst.name },
      url: `http://${formatHostPort(inst.admin)}/metrics`,
    });
  }
  return out;
}

/** Upper bounds (ms) of the scrape duration histogram the component reports about itself. */
export const SCRAPE_DURATION_BUCKETS_MS: readonly number[] = [
  5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
];

const acceptFamily = (name: string): boolean => KEPT_LABELS.has(name);

export class Scraper {
  readonly options: ScraperOptions;
  readonly #status = new Map<string, TargetStatus>();
  readonly #agent: Agent;
  readonly #now: () => number;
  readonly #unsubscribe: () => void;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #round: Promise<void> | undefined;
  /** Scrape durations since start, for the component's own metrics: counts per SCRAPE_DURATION_BUCKETS_MS. */
  readonly durations = {
    buckets: new Float64Array(SCRAPE_DURATION_BUCKETS_MS.length + 1),
    sum: 0,
    count: 0,
  };

  constructor(
    private readonly registry: MeshRegistry,
    private readonly store: SeriesStore,
    options: Partial<ScraperOptions> = {},
    private readonly deps: ScraperDeps = {},
  ) {
    this.options = { ...DEFAULT_SCRAPER_OPTIONS, ...options };
    if (options.timeoutMs === undefined) {
      this.options = { ...this.options, timeoutMs: Math.min(this.options.intervalMs, 10_000) };
    }
    for (const [name, v] of Object.entries(this.options)) {
      if (!(Number.isFinite(v) && v > 0))
        throw new RangeError(`scraper ${name} must be > 0, got ${String(v)}`);
    }
    this.#now = deps.now ?? Date.now;
    // One keep-alive connection per proxy admin listener is all a scrape needs.
    this.#agent = new Agent({ connections: 1, keepAliveTimeout: 4 * this.options.intervalMs });
    this.#refreshTargets();
    this.#unsubscribe = registry.subscribe(() => this.#refreshTargets());
  }

  /** Starts scraping: a round now, then one every intervalMs (measured start to start). */
  start(): void {
    if (this.#closed || this.#timer !== undefined || this.#round !== undefined) return;
    this.#schedule(0);
  }

  /** One round over every target; resolves when all its scrapes have finished. */
  async scrapeOnce(): Promise<void> {
    const targets = [...this.#status.values()];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < targets.length && !this.#closed) {
        const status = targets[next++]!;
        await this.#scrape(status);
      }
    };
    const workers = Math.min(this.options.concurrency, targets.length);
    await Promise.all(Array.from({ length: workers }, worker));
  }

  /** The current targets with their latest scrape outcome. */
  targets(): readonly TargetStatus[] {
    return [...this.#status.values()];
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#round?.catch(() => undefined);
    await this.#agent.close().catch(() => undefined);
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const started = this.#now();
      this.#round = this.scrapeOnce().finally(() => {
        this.#round = undefined;
        if (!this.#closed) this.#schedule(Math.max(0, started + this.options.intervalMs - this.#now()));
      });
    }, delayMs);
    this.#timer.unref();
  }

  #refreshTargets(): void {
    const wanted = new Map(scrapeTargets(this.registry).map((t) => [t.key, t]));
    for (const [key, status] of this.#status) {
      const t = wanted.get(key);
      // A changed address or workload is a new target; its history under the old labels expires on its own.
      if (t === undefined || t.url !== status.url || t.labels.workload !== status.labels.workload) {
        this.#status.delete(key);
      }
    }
    for (const [key, t] of wanted) {
      if (this.#status.has(key)) continue;
      this.#status.set(key, {
        ...t,
        up: false,
        scrapes: 0,
        failures: 0,
        consecutiveFailures: 0,
        lastScrapeMs: 0,
        lastDurationMs: 0,
        lastError: undefined,
        lastSamples: 0,
        lastParseErrors: 0,
      });
    }
  }

  async #scrape(status: TargetStatus): Promise<void> {
    const started = this.#now();
    const t0 = performance.now();
    let text: string | undefined;
    let error: string | undefined;
    try {
      text = await this.#fetch(status.url);
    } catch (err) {
      error = errorMessage(err);
    }
    // The target may have been removed from the registry while its scrape was in flight.
    if (this.#closed || this.#status.get(status.key) !== status) return;
    const wasUp = status.up;
    status.scrapes++;
    status.lastScrapeMs = started;
    status.lastDurationMs = performance.now() - t0;
    this.#recordDuration(status.lastDurationMs);
    if (text === undefined) {
      status.up = false;
      status.failures++;
      status.consecutiveFailures++;
      status.lastError = error;
      this.store.appendFailure(status.labels, started);
    } else {
      const parsed = parseExposition(text, { accept: acceptFamily });
      this.store.append(status.labels, started, parsed.samples);
      status.up = true;
      status.consecutiveFailures = 0;
      status.lastError =
        parsed.firstError === undefined ? undefined : `unreadable line: ${parsed.firstError}`;
      status.lastSamples = parsed.samples.length;
      status.lastParseErrors = parsed.errors;
    }
    if (status.up !== wasUp || status.scrapes === 1) this.deps.onTargetState?.(status);
  }

  #recordDuration(ms: number): void {
    let i = 0;
    while (i < SCRAPE_DURATION_BUCKETS_MS.length && ms > SCRAPE_DURATION_BUCKETS_MS[i]!) i++;
    this.durations.buckets[i]!++;
    this.durations.sum += ms;
    this.durations.count++;
  }

  async #fetch(url: string): Promise<string> {
    const { timeoutMs, maxBytes } = this.options;
    const signal = AbortSignal.timeout(timeoutMs);
    const res = await request(url, {
      dispatcher: this.#agent,
      signal,
      headers: { accept: 'text/plain;version=0.0.4' },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    if (res.statusCode !== 200) {
      await res.body.dump().catch(() => undefined);
      throw new Error(`HTTP ${res.statusCode}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > maxBytes) {
        res.body.destroy();
        throw new Error(`response larger than ${maxBytes} bytes`);
      }
      chunks.push(buf);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}
