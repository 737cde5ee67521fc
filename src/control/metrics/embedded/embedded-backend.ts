// The embedded back end: the control plane's own scraper feeding its bounded store, queried in process.
import type { MeshRegistry } from '../../registry/model.js';
import type { GroupQuantiles, GroupValue, MetricsBackend } from '../backend.js';
import type { VectorSelector } from '../promql/selector.js';
import { Scraper, type ScraperDeps, type ScraperOptions } from './scraper.js';
import { storeHistogramQuantiles, storeSumIncrease, storeSumLatest } from './store-queries.js';
import { SeriesStore, type StoreOptions } from './store.js';

/** Answers from a store, whoever fills it (the scraper, or a test replaying samples). */
export class StoreBackend implements MetricsBackend {
  readonly source = 'embedded' as const;

  constructor(readonly store: SeriesStore) {}

  async sumIncrease(
    selector: VectorSelector,
    by: readonly string[],
    windowMs: number,
    atMs: number,
  ): Promise<GroupValue[]> {
    return storeSumIncrease(this.store, selector, by, windowMs, atMs);
  }

  async histogramQuantiles(
    qs: readonly number[],
    selector: VectorSelector,
    by: readonly string[],
    windowMs: number,
    atMs: number,
  ): Promise<GroupQuantiles[]> {
    return storeHistogramQuantiles(this.store, qs, selector, by, windowMs, atMs);
  }

  async sumLatest(selector: VectorSelector, by: readonly string[], atMs: number): Promise<GroupValue[]> {
    return storeSumLatest(this.store, selector, by, atMs);
  }

  async close(): Promise<void> {}
}

export interface EmbeddedBackendOptions {
  /** Time between scrapes of each proxy (default 2 s). */
  readonly intervalMs?: number;
  /** How long history is kept (default 1 h). */
  readonly retentionMs?: number;
  /** Most series kept (default 10 000). */
  readonly maxSeries?: number;
  /** Limit for one scrape (default: the interval, at most 10 s). */
  readonly scrapeTimeoutMs?: number;
  /** Most scrapes in flight at once (default 16). */
  readonly scrapeConcurrency?: number;
  /** Largest /metrics response accepted (default 32 MiB). */
  readonly maxScrapeBytes?: number;
}

export class EmbeddedBackend extends StoreBackend {
  readonly scraper: Scraper;

  constructor(registry: MeshRegistry, options: EmbeddedBackendOptions = {}, deps: ScraperDeps = {}) {
    const store: Partial<StoreOptions> = {
      ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
      ...(options.retentionMs === undefined ? {} : { retentionMs: options.retentionMs }),
      ...(options.maxSeries === undefined ? {} : { maxSeries: options.maxSeries }),
    };
    super(new SeriesStore(store));
    const scraper: Partial<ScraperOptions> = {
      ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
      ...(options.scrapeTimeoutMs === undefined ? {} : { timeoutMs: options.scrapeTimeoutMs }),
      ...(options.scrapeConcurrency === undefined ? {} : { concurrency: options.scrapeConcurrency }),
      ...(options.maxScrapeBytes === undefined ? {} : { maxBytes: options.maxScrapeBytes }),
    };
    this.scraper = new Scraper(registry, this.store, scraper, deps);
    this.scraper.start();
  }

  override async close(): Promise<void> {
    await this.scraper.close();
  }
}
