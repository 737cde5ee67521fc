// The Prometheus back end: the same aggregations as PromQL instant queries against an external Prometheus
// HTTP API (/api/v1/query), for meshes whose proxies a Prometheus already scrapes with the target labels
// namespace, workload and pod.
import { errorMessage } from '../../../common/errors.js';
import type { GroupQuantiles, GroupValue, MetricsBackend } from '../backend.js';
import { MetricsApiError } from '../errors.js';
import { groupKey, groupLabels, type Labels, type VectorSelector } from '../promql/selector.js';
import { histogramQuantileQuery, sumIncreaseQuery, sumLatestQuery } from './promql.js';

export interface PrometheusBackendOptions {
  /** Base URL of the Prometheus server, e.g. http://prometheus.mesh:9090 (a path prefix is kept). */
  readonly url: string;
  /** Limit for one query (default 10 s). */
  readonly timeoutMs?: number;
}

interface VectorResult {
  readonly metric: Record<string, string>;
  readonly value: readonly [number, string];
}

/** Counters for the component's own metrics. */
export interface PrometheusStats {
  queries: number;
  failures: number;
}

export class PrometheusBackend implements MetricsBackend {
  readonly source = 'prometheus' as const;
  readonly stats: PrometheusStats = { queries: 0, failures: 0 };
  readonly #endpoint: string;
  readonly #timeoutMs: number;

  constructor(options: PrometheusBackendOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new RangeError(`invalid Prometheus URL "${options.url}"`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new RangeError(`invalid Prometheus URL "${options.url}": expected http:// or https://`);
    }
    this.#endpoint = new URL(base.pathname.replace(/\/*$/, '/') + 'api/v1/query', base).toString();
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  async sumIncrease(
    selector: VectorSelector,
    by: readonly string[],
    windowMs: number,
    atMs: number,
  ): Promise<GroupValue[]> {
    const result = await this.query(sumIncreaseQuery(selector, by, windowMs), atMs);
    return toGroups(result, by);
  }

  async histogramQuantiles(
    qs: readonly number[],
    selector: VectorSelector,
    by: readonly string[],
    windowMs: number,
    atMs: number,
  ): Promise<GroupQuantiles[]> {
    const results = await Promise.all(
      qs.map((q) => this.query(histogramQuantileQuery(q, selector, by, windowMs), atMs)),
    );
    const groups = new Map<string, { labels: Labels; values: (number | undefined)[] }>();
    results.forEach((result, qi) => {
      for (const g of toGroups(result, by)) {
        const key = groupKey(g.labels, by);
        let entry = groups.get(key);
        if (entry === undefined) {
          entry = { labels: g.labels, values: qs.map(() => undefined) };
          groups.set(key, entry);
        }
        // histogram_quantile answers NaN for a histogram without observations: no value.
        entry.values[qi] = g.value === g.value ? g.value : undefined;
      }
    });
    return [...groups.values()].filter((g) => g.values.some((v) => v !== undefined));
  }

  async sumLatest(selector: VectorSelector, by: readonly string[], atMs: number): Promise<GroupValue[]> {
    return toGroups(await this.query(sumLatestQuery(selector, by), atMs), by);
  }

  async close(): Promise<void> {}

  /** Runs one instant query at atMs; errors become UNAVAILABLE (unreachable) or INTERNAL (rejected query). */
  async query(promql: string, atMs: number): Promise<VectorResult[]> {
    this.stats.queries++;
    let body: unknown;
    let status: number;
    try {
      const res = await fetch(this.#endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: promql, time: (atMs / 1000).toFixed(3) }).toString(),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      status = res.status;
      body = await res.json().catch(() => undefined);
    } catch (err) {
      this.stats.failures++;
      throw new MetricsApiError(
        'MESH_METRICS_BACKEND_UNAVAILABLE',
        `Prometheus at ${this.#endpoint} did not answer: ${errorMessage(err)}`,
      );
    }
    const parsed = body as {
      status?: string;
      error?: string;
      data?: { resultType?: string; result?: unknown };
    };
    if (parsed?.status !== 'success') {
      this.stats.failures++;
      const reason = parsed?.error ?? `HTTP ${status}`;
      throw new MetricsApiError(
        status >= 500 || parsed === undefined
          ? 'MESH_METRICS_BACKEND_UNAVAILABLE'
          : 'MESH_METRICS_BACKEND_QUERY',
        `Prometheus rejected ${promql}: ${reason}`,
      );
    }
    if (parsed.data?.resultType !== 'vector' || !Array.isArray(parsed.data.result)) {
      this.stats.failures++;
      throw new MetricsApiError(
        'MESH_METRICS_BACKEND_QUERY',
        `Prometheus answered ${promql} with a ${String(parsed.data?.resultType)}, expected a vector`,
      );
    }
    return parsed.data.result as VectorResult[];
  }
}

/** Prometheus sends values as strings ("NaN", "+Inf", "0.25"); Number() reads all of them but "+Inf". */
function sampleValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

function toGroups(result: readonly VectorResult[], by: readonly string[]): GroupValue[] {
  // Prometheus leaves out empty labels; the shared shape carries '' for them.
  return result.map((r) => ({ labels: groupLabels(r.metric, by), value: sampleValue(r.value[1]) }));
}
