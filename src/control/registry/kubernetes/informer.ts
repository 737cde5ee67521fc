// One client-node informer (list + watch + cache) that does not die. client-node re-lists on 410 Gone and
// reconnects after a clean end or a client timeout, but on any other error (a reset connection, a 403, a
// 500 on the list) it fires `error` and stops for good, leaving the cache silently stale. This wrapper
// restarts it with capped, jittered exponential backoff, and keeps the state for metrics and readiness.
// Two more adjustments: watches ask for bookmarks (a quiet resource keeps a fresh resourceVersion, so a
// reconnect resumes instead of re-listing after 410), and client-node's own reconnect delay after a
// clean close — which doubles up to 30 s while no event arrives, delaying every change meanwhile — is
// capped at about a second.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type KubeConfig,
  type KubernetesObject,
  type KubernetesListObject,
  ListWatch,
  Watch,
} from '@kubernetes/client-node';
import type { Logger } from '../../../common/logger.js';
import { apiErrorMessage } from '../../../k8s/client/api-error.js';

export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
  /** [0, 1); injectable so tests can pin the jitter. */
  readonly random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 30_000, random: Math.random };

/** Upper bound of the wait before re-opening a watch the server ended cleanly. */
const MAX_REWATCH_DELAY_MS = 1000;

/** A Watch that asks for BOOKMARK events (client-node's ListWatch does not, and does not need to know). */
class BookmarkWatch extends Watch {
  override watch(...args: Parameters<Watch['watch']>): ReturnType<Watch['watch']> {
    const [path, query, callback, done] = args;
    return super.watch(path, { ...query, allowWatchBookmarks: true }, callback, done);
  }
}

/** Full-range jitter over an exponential step: spreads many restarting control planes apart. */
export function backoffDelay(attempt: number, o: BackoffOptions): number {
  const cap = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(cap / 2 + (o.random() * cap) / 2);
}

export interface InformerState {
  readonly resource: string;
  /** True once a list has completed: the cache holds the whole collection. */
  readonly synced: boolean;
  /** False between an error and the restart that recovers from it. */
  readonly healthy: boolean;
  readonly restarts: number;
  readonly events: number;
  readonly lastError: string | undefined;
}

export class SupervisedInformer<T extends KubernetesObject> {
  private readonly informer: ListWatch<T>;
  private synced = false;
  private healthy = true;
  private restarts = 0;
  private events = 0;
  private attempt = 0;
  private lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failures = 0;

  constructor(
    kc: KubeConfig,
    readonly resource: string,
    path: string,
    list: () => Promise<KubernetesListObject<T>>,
    private readonly onChange: () => void,
    private readonly logger: Logger,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {
    const listed = async (): Promise<KubernetesListObject<T>> => {
      const result = await list();
      // client-node fills its cache right after this promise settles; count the list once it has.
      setImmediate(() => {
        if (this.stopped) return;
        if (!this.synced) this.logger.info({ resource, objects: result.items.length }, 'informer synced');
        this.synced = true;
        this.recovered();
        this.onChange();
      });
      return result;
    };
    const random = backoff.random;
    this.informer = new ListWatch<T>(path, new BookmarkWatch(kc), listed, false, undefined, undefined, {
      delayFn: (ms) => sleep(Math.round(Math.min(ms, MAX_REWATCH_DELAY_MS) * (0.5 + random() / 2))),
    });
    const changed = (): void => {
      this.events++;
      this.recovered();
      this.onChange();
    };
    this.informer.on('add', changed);
    this.informer.on('update', changed);
    this.informer.on('delete', changed);
    this.informer.on('error', (err: unknown) => this.failed(err));
    // A watch that reconnects and then stays quiet sends no event to prove it works; one that has not
    // failed within a second of connecting is taken as healthy again.
    this.informer.on('connect', () => {
      const failures = this.failures;
      setTimeout(() => {
        if (!this.stopped && this.failures === failures) this.recovered();
      }, 1000).unref();
    });
  }

  start(): void {
    this.stopped = false;
    this.run();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    void this.informer.stop();
  }

  list(): readonly T[] {
    return this.informer.list();
  }

  state(): InformerState {
    return {
      resource: this.resource,
      synced: this.synced,
      healthy: this.healthy,
      restarts: this.restarts,
      events: this.events,
      lastError: this.lastError,
    };
  }

  private run(): void {
    this.informer.start().catch((err: unknown) => this.failed(err));
  }

  private recovered(): void {
    this.attempt = 0;
    if (!this.healthy) {
      this.healthy = true;
      this.logger.info({ resource: this.resource }, 'informer recovered');
    }
  }

  private failed(err: unknown): void {
    if (this.stopped) return;
    this.failures++;
    this.healthy = false;
    this.lastError = apiErrorMessage(err);
    const delay = backoffDelay(this.attempt++, this.backoff);
    this.logger.warn(
      { resource: this.resource, err: this.lastError, retryInMs: delay, attempt: this.attempt },
      'informer stopped on an error; restarting',
    );
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      this.restarts++;
      this.run();
    }, delay);
    this.timer.unref();
  }
}
