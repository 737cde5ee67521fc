// The metrics component's own health as Prometheus text: scrape outcomes per target, store size against its
// bounds, API calls and their latency, Prometheus queries. The runner serves it on its admin /metrics.
import type { PrometheusStats } from './prometheus/prometheus-backend.js';
import { SCRAPE_DURATION_BUCKETS_MS, type TargetStatus } from './embedded/scraper.js';
import type { SeriesStore } from './embedded/store.js';

/** Upper bounds (ms) of the API call duration histogram. */
const CALL_BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

class Histogram {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(v: number): void {
    let i = 0;
    while (i < this.bounds.length && v > this.bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}

/** Counts the API's calls by method and outcome. */
export class CallStats {
  readonly #calls = new Map<string, number>();
  readonly #durations = new Map<string, Histogram>();

  record(method: string, code: string, durationMs: number): void {
    const key = `${method}\u0000${code}`;
    this.#calls.set(key, (this.#calls.get(key) ?? 0) + 1);
    let h = this.#durations.get(method);
    if (h === undefined) this.#durations.set(method, (h = new Histogram(CALL_BUCKETS_MS)));
    h.observe(durationMs);
  }

  write(w: TextWriter): void {
    w.family('mesh_metrics_api_calls_total', 'counter', 'Metrics API calls by method and gRPC status.');
    for (const [key, n] of this.#calls) {
      const [method, code] = key.split('\u0000') as [string, string];
      w.sample('mesh_metrics_api_calls_total', { method, code }, n);
    }
    w.family('mesh_metrics_api_call_duration_ms', 'histogram', 'Metrics API call durations, in ms.');
    for (const [method, h] of this.#durations) {
      w.histogram('mesh_metrics_api_call_duration_ms', { method }, h.bounds, h.counts, h.sum);
    }
  }
}

/** Prometheus text writer for these few families (the proxy has its own; the two do not share code). */
export class TextWriter {
  #text = '';

  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): void {
    this.#text += `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
  }

  sample(name: string, labels: Readonly<Record<string, string>>, value: number): void {
    const rendered = Object.entries(labels)
      .map(([k, v]) => `${k}="${v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : '\\' + c))}"`)
      .join(',');
    this.#text += `${name}${rendered === '' ? '' : `{${rendered}}`} ${formatValue(value)}\n`;
  }

  histogram(
    name: string,
    labels: Readonly<Record<string, string>>,
    bounds: readonly number[],
    counts: ArrayLike<number>,
    sum: number,
  ): void {
    let cumulative = 0;
    for (let i = 0; i <= bounds.length; i++) {
      cumulative += counts[i] ?? 0;
      const le = i < bounds.length ? String(bounds[i]) : '+Inf';
      this.sample(`${name}_bucket`, { ...labels, le }, cumulative);
    }
    this.sample(`${name}_sum`, labels, sum);
    this.sample(`${name}_count`, labels, cumulative);
  }

  toString(): string {
    return this.#text;
  }
}

function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export interface ComponentState {
  readonly source: string;
  readonly calls: CallStats;
  readonly targets?: readonly TargetStatus[];
  readonly scrapeDurations?: { readonly buckets: ArrayLike<number>; readonly sum: number };
  readonly store?: SeriesStore;
  readonly prometheus?: PrometheusStats;
}

/** Renders the component's own metrics. */
export function renderComponentMetrics(s: ComponentState): string {
  const w = new TextWriter();
  w.family('mesh_metrics_backend_info', 'gauge', 'Where the metrics API takes its numbers from.');
  w.sample('mesh_metrics_backend_info', { source: s.source }, 1);
  s.calls.write(w);
  if (s.targets !== undefined) {
    const per = (
      name: string,
      type: 'counter' | 'gauge',
      help: string,
      value: (t: TargetStatus) => number,
    ) => {
      w.family(name, type, help);
      for (const t of s.targets!)
        w.sample(name, { namespace: t.labels.namespace, pod: t.labels.pod }, value(t));
    };
    w.family('mesh_metrics_scrape_targets', 'gauge', 'Proxies being scraped.');
    w.sample('mesh_metrics_scrape_targets', {}, s.targets.length);
    per('mesh_metrics_scrape_up', 'gauge', '1 when the latest scrape of the proxy succeeded.', (t) =>
      t.up ? 1 : 0,
    );
    per('mesh_metrics_scrapes_total', 'counter', 'Scrapes of the proxy.', (t) => t.scrapes);
    per('mesh_metrics_scrape_failures_total', 'counter', 'Failed scrapes of the proxy.', (t) => t.failures);
    per(
      'mesh_metrics_scrape_last_duration_ms',
      'gauge',
      'Duration of the latest scrape, in ms.',
      (t) => t.lastDurationMs,
    );
    per(
      'mesh_metrics_scrape_last_samples',
      'gauge',
      'Samples kept from the latest scrape.',
      (t) => t.lastSamples,
    );
    per(
      'mesh_metrics_scrape_last_parse_errors',
      'gauge',
      'Unreadable lines skipped in the latest scrape.',
      (t) => t.lastParseErrors,
    );
  }
  if (s.scrapeDurations !== undefined) {
    w.family('mesh_metrics_scrape_duration_ms', 'histogram', 'Scrape durations, in ms.');
    w.histogram(
      'mesh_metrics_scrape_duration_ms',
      {},
      SCRAPE_DURATION_BUCKETS_MS,
      s.scrapeDurations.buckets,
      s.scrapeDurations.sum,
    );
  }
  if (s.store !== undefined) {
    const st = s.store;
    const gauge = (name: string, help: string, v: number) => {
      w.family(name, 'gauge', help);
      w.sample(name, {}, v);
    };
    const counter = (name: string, help: string, v: number) => {
      w.family(name, 'counter', help);
      w.sample(name, {}, v);
    };
    gauge('mesh_metrics_store_series', 'Series in the store.', st.seriesCount);
    gauge('mesh_metrics_store_series_limit', 'Most series the store keeps.', st.options.maxSeries);
    gauge('mesh_metrics_store_targets', 'Targets with history in the store.', st.targetCount);
    gauge(
      'mesh_metrics_store_retention_seconds',
      'How long the store keeps samples.',
      st.options.retentionMs / 1000,
    );
    gauge(
      'mesh_metrics_store_value_bytes',
      'Bytes the series values take at most (series × bytes per series).',
      st.seriesCount * st.bytesPerSeries,
    );
    counter('mesh_metrics_store_samples_total', 'Samples of kept families ingested.', st.stats.samples);
    counter(
      'mesh_metrics_store_series_refused_total',
      'New series refused at the series limit.',
      st.stats.refused,
    );
    counter(
      'mesh_metrics_store_series_evicted_total',
      'Vanished series dropped to make room.',
      st.stats.evicted,
    );
    counter(
      'mesh_metrics_store_series_expired_total',
      'Series dropped after the retention.',
      st.stats.expired,
    );
    counter(
      'mesh_metrics_store_out_of_order_total',
      'Scrapes refused for an old timestamp.',
      st.stats.outOfOrder,
    );
  }
  if (s.prometheus !== undefined) {
    w.family('mesh_metrics_prometheus_queries_total', 'counter', 'Queries sent to Prometheus.');
    w.sample('mesh_metrics_prometheus_queries_total', {}, s.prometheus.queries);
    w.family('mesh_metrics_prometheus_query_failures_total', 'counter', 'Prometheus queries that failed.');
    w.sample('mesh_metrics_prometheus_query_failures_total', {}, s.prometheus.failures);
  }
  return w.toString();
}
