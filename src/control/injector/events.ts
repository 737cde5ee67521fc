// Kubernetes Events for injection decisions (Injected, InjectionSkipped), written off the admission path:
// the review is answered first, the event follows. Bounded: under a storm of pod creations events are
// dropped (and counted) rather than queued without limit or slowing admission down.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from '../../common/logger.js';
import { apiErrorMessage } from '../../k8s/client/api-error.js';
import type { InjectionEvent } from './review.js';

export const EVENT_SOURCE = 'mesh-injector';

export class EventRecorder {
  private pending = new Set<Promise<void>>();
  private dropped = 0;
  private failed = 0;
  private written = 0;

  constructor(
    private readonly api: CoreV1Api,
    private readonly logger: Logger,
    private readonly maxPending = 64,
  ) {}

  record(e: InjectionEvent): void {
    if (this.pending.size >= this.maxPending) {
      this.dropped++;
      return;
    }
    const now = new Date();
    const p = this.api
      .createNamespacedEvent({
        namespace: e.namespace,
        body: {
          metadata: { name: `${e.involved.name}.${randomBytes(8).toString('hex')}`, namespace: e.namespace },
          involvedObject: { ...e.involved, namespace: e.namespace },
          reason: e.reason,
          message: e.message,
          type: e.type,
          source: { component: EVENT_SOURCE },
          reportingComponent: 'mesh.io/injector',
          reportingInstance: os.hostname(),
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      })
      .then(
        () => void this.written++,
        (err: unknown) => {
          this.failed++;
          this.logger.warn({ err: apiErrorMessage(err), reason: e.reason }, 'cannot record event');
        },
      )
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Waits for the events already sent (on shutdown, and in tests). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  stats(): { written: number; failed: number; dropped: number } {
    return { written: this.written, failed: this.failed, dropped: this.dropped };
  }
}
