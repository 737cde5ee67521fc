// Bounded in-memory history of the scraped series. Each target has fixed-size rings of scrape times and each
// series value arrays of the same sizes (series.ts), so memory is bounded by maxSeries × bytesPerSeries
// whatever runs or churns; series unseen for longer than the retention are dropped.
import { GAUGE_FAMILIES, KEPT_LABELS } from '../schema.js';
import { matchesAll, type Labels, type VectorSelector } from '../promql/selector.js';
import { StoredSeries, TargetHistory, type Resolution, type TargetLabels } from './series.js';

export { StoredSeries, type TargetLabels } from './series.js';

export interface StoreOptions {
  /** How long samples are kept. */
  readonly retentionMs: number;
  /** The expected time between two scrapes of a target; it sizes the full-resolution ring. */
  readonly intervalMs: number;
  /** Most series kept at once; a new series beyond it replaces a vanished one or is refused. */
  readonly maxSeries: number;
  /** How far back every scrape is kept; older history is kept at one sample per downsampleStepMs. */
  readonly fullResolutionMs: number;
  readonly downsampleStepMs: number;
  /** Labels kept per family (default: what the summaries read); series differing only in others are added. */
  readonly keptLabels: ReadonlyMap<string, ReadonlySet<string>>;
}

export const DEFAULT_STORE_OPTIONS: StoreOptions = {
  retentionMs: 3_600_000,
  intervalMs: 2000,
  maxSeries: 10_000,
  fullResolutionMs: 600_000,
  downsampleStepMs: 30_000,
  keptLabels: KEPT_LABELS,
};

export interface IngestSample {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
}

export interface AppendResult {
  /** Scraped samples of a kept family. */
  readonly kept: number;
  /** Series of the target after this scrape. */
  readonly series: number;
  readonly created: number;
  /** New series refused because the store was full of live series. */
  readonly refused: number;
}

interface Pending {
  readonly metric: string;
  readonly labels: Record<string, string>;
  value: number;
}

export class SeriesStore {
  readonly options: StoreOptions;
  readonly resolution: Resolution;
  readonly #targets = new Map<string, TargetHistory>();
  readonly #byMetric = new Map<string, Set<StoredSeries>>();
  /** Every series, least recently seen first (re-inserted on each sample): eviction and expiry walk it. */
  readonly #lru = new Map<StoredSeries, true>();
  #latestMs = -Infinity;
  /** Counters for the component's own metrics. */
  readonly stats = { refused: 0, evicted: 0, expired: 0, outOfOrder: 0, samples: 0 };

  constructor(options: Partial<StoreOptions> = {}) {
    this.options = { ...DEFAULT_STORE_OPTIONS, ...options };
    const { retentionMs, intervalMs, maxSeries, fullResolutionMs, downsampleStepMs } = this.options;
    for (const [name, v] of Object.entries({
      retentionMs,
      intervalMs,
      maxSeries,
      fullResolutionMs,
      downsampleStepMs,
    })) {
      if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`store ${name} must be > 0, got ${String(v)}`);
    }
    // Two spare slots per ring so a full ring still covers its span despite timer jitter.
    const fineSpan = Math.min(retentionMs, fullResolutionMs);
    this.resolution = {
      fineSlots: Math.min(1_000_000, Math.ceil(fineSpan / intervalMs) + 2),
      coarseSlots: retentionMs > fullResolutionMs ? Math.ceil(retentionMs / downsampleStepMs) + 2 : 0,
      stepMs: downsampleStepMs,
    };
  }

  /** Upper bound of the bytes one counter series holds in value arrays. */
  get bytesPerSeries(): number {
    return 8 * (this.resolution.fineSlots + this.resolution.coarseSlots);
  }

  get seriesCount(): number {
    return this.#lru.size;
  }

  get targetCount(): number {
    return this.#targets.size;
  }

  /** The newest scrape time stored: "now" for expiry, so replayed history expires by its own clock. */
  get latestMs(): number {
    return this.#latestMs;
  }

  /**
   * Stores one scrape of `target` taken at `timestampMs`. Samples of families the summaries do not read are
   * dropped; kept ones lose the labels they do not need and are added up per remaining label set.
   */
  append(target: TargetLabels, timestampMs: number, samples: Iterable<IngestSample>): AppendResult {
    const history = this.#history(target);
    if (!(timestampMs > history.lastMs)) {
      this.stats.outOfOrder++;
      return { kept: 0, series: history.series.size, created: 0, refused: 0 };
    }
    const pending = new Map<string, Pending>();
    let kept = 0;
    for (const s of samples) {
      const keep = this.options.keptLabels.get(s.name);
      if (keep === undefined || s.value !== s.value) continue;
      kept++;
      const names = Object.keys(s.labels)
        .filter((n) => keep.has(n))
        .sort();
      let key = s.name + '{';
      for (const n of names) key += n + '=' + JSON.stringify(s.labels[n]) + ',';
      const p = pending.get(key);
      if (p !== undefined) {
        p.value += s.value;
        continue;
      }
      const labels: Record<string, string> = {};
      for (const n of names) labels[n] = s.labels[n]!;
      // Target labels win over scraped ones of the same name (Prometheus' honor_labels: false).
      labels['namespace'] = target.namespace;
      labels['workload'] = target.workload;
      labels['pod'] = target.pod;
      pending.set(key, { metric: s.name, labels, value: s.value });
    }
    const slots = history.push(timestampMs);
    if (timestampMs > this.#latestMs) this.#latestMs = timestampMs;
    // Existing series first: they are refreshed in the LRU before any eviction looks at it.
    for (const series of history.series.values()) {
      const p = pending.get(series.key);
      series.record(slots, p === undefined ? NaN : p.value);
      if (p === undefined) continue;
      this.#touch(series, timestampMs);
      pending.delete(series.key);
    }
    let created = 0;
    let refused = 0;
    for (const [key, p] of pending) {
      if (this.#lru.size >= this.options.maxSeries && !this.#evictVanished()) {
        refused++;
        continue;
      }
      const series = new StoredSeries(
        key,
        p.metric,
        p.labels,
        history,
        !GAUGE_FAMILIES.has(p.metric),
        timestampMs,
      );
      series.record(slots, p.value);
      history.series.set(key, series);
      let set = this.#byMetric.get(p.metric);
      if (set === undefined) this.#byMetric.set(p.metric, (set = new Set()));
      set.add(series);
      this.#lru.set(series, true);
      created++;
    }
    this.stats.refused += refused;
    this.stats.samples += kept;
    this.expire();
    return { kept, series: history.series.size, created, refused };
  }

  /** Records a failed scrape: every series of the target is absent at that time (Prometheus' staleness). */
  appendFailure(target: TargetLabels, timestampMs: number): void {
    const history = this.#history(target);
    if (!(timestampMs > history.lastMs)) return;
    const slots = history.push(timestampMs);
    if (timestampMs > this.#latestMs) this.#latestMs = timestampMs;
    for (const series of history.series.values()) series.record(slots, NaN);
    this.expire();
  }

  /** Series of `selector.metric` whose labels satisfy its matchers. */
  select(selector: VectorSelector): StoredSeries[] {
    const set = this.#byMetric.get(selector.metric);
    if (set === undefined) return [];
    const out: StoredSeries[] = [];
    for (const s of set) if (matchesAll(s.labels, selector.matchers)) out.push(s);
    return out;
  }

  /** Drops series unseen for longer than the retention, and targets left without series and scrapes. */
  expire(nowMs: number = this.#latestMs): void {
    const horizon = nowMs - this.options.retentionMs;
    for (const series of this.#lru.keys()) {
      if (series.lastSeenMs >= horizon) break;
      this.#remove(series);
      this.stats.expired++;
    }
    for (const [key, history] of this.#targets) {
      if (history.series.size === 0 && history.lastMs < horizon) this.#targets.delete(key);
    }
  }

  #history(target: TargetLabels): TargetHistory {
    const key = `${target.namespace}/${target.workload}/${target.pod}`;
    let history = this.#targets.get(key);
    if (history === undefined) {
      history = new TargetHistory(key, { ...target }, this.resolution);
      this.#targets.set(key, history);
    }
    return history;
  }

  #touch(series: StoredSeries, t: number): void {
    series.lastSeenMs = t;
    this.#lru.delete(series);
    this.#lru.set(series, true);
  }

  /**
   * Makes room by dropping the least recently seen series, but only if it has vanished: absent from its
   * target's latest scrape, or its target is no longer scraped. Live series are never pushed out by new ones.
   */
  #evictVanished(): boolean {
    const oldest = this.#lru.keys().next();
    if (oldest.done === true) return false;
    const series = oldest.value;
    const targetGone = series.target.lastMs < this.#latestMs - 3 * this.options.intervalMs;
    if (series.lastSeenMs >= series.target.lastMs && !targetGone) return false;
    this.#remove(series);
    this.stats.evicted++;
    return true;
  }

  #remove(series: StoredSeries): void {
    this.#lru.delete(series);
    series.target.series.delete(series.key);
    this.#byMetric.get(series.metric)?.delete(series);
  }
}
