// The injector as a control-plane component: reads the installed values and trust anchors, serves the
// admission webhook on its own HTTPS listener, records events, and reports admissions and their latency
// in its metrics. It has no gRPC service.
import { readFileSync } from 'node:fs';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { type HostPort, formatHostPort } from '../../common/address.js';
import { MeshError, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { injectConfig } from '../../k8s/inject/config.js';
import { valuesFromInstalled, type MeshValues } from '../../k8s/values.js';
import type { Component } from '../component.js';
import { EventRecorder } from './events.js';
import { reviewAdmission } from './review.js';
import { startWebhookServer } from './server.js';

/** Upper bounds (ms) of the admission latency histogram. */
const BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 1000];
const NAMESPACE_TTL_MS = 10_000;

export interface InjectorOptions {
  readonly listen: HostPort;
  readonly tlsDir: string;
  /** The installed values (mesh-config's values.yaml); undefined = this meshctl's defaults. */
  readonly valuesFile: string | undefined;
  readonly values: () => MeshValues;
  readonly trustAnchorsFile: string | undefined;
  readonly kube: KubeConfig;
  readonly logger: Logger;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new MeshError('MESH_INJECTOR_CONFIG', `cannot read ${what} ${file}: ${errorMessage(err)}`);
  }
}

/** Namespace annotations, cached briefly: every pod of a rollout asks about the same namespace. */
function namespaceCache(api: CoreV1Api): (ns: string) => Promise<Record<string, string>> {
  const cache = new Map<string, { at: number; value: Promise<Record<string, string>> }>();
  return (ns) => {
    const hit = cache.get(ns);
    if (hit !== undefined && Date.now() - hit.at < NAMESPACE_TTL_MS) return hit.value;
    const value = api.readNamespace({ name: ns }).then((n) => n.metadata?.annotations ?? {});
    cache.set(ns, { at: Date.now(), value });
    // A failure is not cached: the next pod asks again.
    value.catch(() => cache.delete(ns));
    if (cache.size > 1000) cache.delete(cache.keys().next().value as string);
    return value;
  };
}

export async function createInjectorComponent(options: InjectorOptions): Promise<Component> {
  const { logger } = options;
  let values: MeshValues;
  if (options.valuesFile !== undefined) {
    const installed = valuesFromInstalled(readText(options.valuesFile, 'values'), options.valuesFile);
    if (installed.unknown.length > 0) {
      logger.warn(
        { keys: installed.unknown },
        'installed values have keys this version does not know; ignored',
      );
    }
    values = installed.values;
  } else {
    values = options.values();
  }
  const anchors = options.trustAnchorsFile ? readText(options.trustAnchorsFile, 'trust anchors') : undefined;
  if (anchors === undefined)
    logger.warn('no trust anchors: injected proxies will not get MESH_PROXY_TRUST_ANCHORS');
  const config = injectConfig(values, anchors);
  const api = options.kube.makeApiClient(CoreV1Api);
  const events = new EventRecorder(api, logger);
  const namespaces = namespaceCache(api);
  const outcomes = new Map<string, number>();
  const buckets = new Array<number>(BUCKETS.length + 1).fill(0);
  let sumMs = 0;
  let count = 0;
  const countOutcome = (o: string): void => void outcomes.set(o, (outcomes.get(o) ?? 0) + 1);

  const server = await startWebhookServer({
    listen: options.listen,
    tlsDir: options.tlsDir,
    onReject: (status, why) => {
      countOutcome(`http-${status}`);
      logger.warn({ status, why }, 'webhook request rejected');
    },
    handle: async (body) => {
      const started = performance.now();
      const result = await reviewAdmission(body, {
        config,
        namespaceAnnotations: namespaces,
        record: (e) => events.record(e),
      });
      const ms = performance.now() - started;
      count++;
      sumMs += ms;
      const i = BUCKETS.findIndex((b) => ms <= b);
      buckets[i === -1 ? BUCKETS.length : i]!++;
      countOutcome(result.outcome);
      if (result.problem !== undefined) {
        logger.warn({ outcome: result.outcome, problem: result.problem }, 'admission review problem');
      } else {
        logger.debug({ outcome: result.outcome, ms: Math.round(ms * 10) / 10 }, 'admission reviewed');
      }
      return result;
    },
  });
  logger.info({ listen: formatHostPort(server.address) }, 'injector webhook listening (HTTPS)');

  return {
    name: 'injector',
    services: [],
    metrics: () => {
      const lines = [
        '# HELP injector_admission_reviews_total Admission reviews and other requests, by outcome.',
        '# TYPE injector_admission_reviews_total counter',
        ...[...outcomes].map(([o, n]) => `injector_admission_reviews_total{outcome="${o}"} ${n}`),
        '# HELP injector_admission_duration_ms Time to answer an admission review.',
        '# TYPE injector_admission_duration_ms histogram',
      ];
      let cumulative = 0;
      BUCKETS.forEach((b, i) => {
        cumulative += buckets[i] ?? 0;
        lines.push(`injector_admission_duration_ms_bucket{le="${b}"} ${cumulative}`);
      });
      lines.push(`injector_admission_duration_ms_bucket{le="+Inf"} ${count}`);
      lines.push(
        `injector_admission_duration_ms_sum ${sumMs.toFixed(3)}`,
        `injector_admission_duration_ms_count ${count}`,
      );
      const e = events.stats();
      lines.push(
        '# HELP injector_events_total Kubernetes Events about injection, by result.',
        '# TYPE injector_events_total counter',
        `injector_events_total{result="written"} ${e.written}`,
        `injector_events_total{result="failed"} ${e.failed}`,
        `injector_events_total{result="dropped"} ${e.dropped}`,
        '',
      );
      return lines.join('\n');
    },
    notReadyReason: () => undefined,
    async close() {
      await server.close();
      await events.drain();
    },
  };
}
