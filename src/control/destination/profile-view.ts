// A service profile from the registry as a Destination API message.
import type { DestinationProfile } from '../../api/gen/destination.js';
import { DEFAULT_RETRY_BUDGET, type ResolvedService } from '../registry/model.js';

export function profileOf(resolved: ResolvedService | undefined, clusterDomain: string): DestinationProfile {
  const budget = resolved?.service.profile?.retryBudget ?? DEFAULT_RETRY_BUDGET;
  return {
    fullyQualifiedName: resolved
      ? `${resolved.service.name}.${resolved.service.namespace}.svc.${clusterDomain}`
      : '',
    routes: (resolved?.service.profile?.routes ?? []).map((r) => ({
      name: r.name,
      condition: { method: r.method ?? '', pathRegex: r.pathRegex ?? '' },
      responseClasses: r.responseClasses.map((c) => ({ ...c })),
      isRetryable: r.isRetryable,
      timeoutMs: r.timeoutMs,
    })),
    retryBudget: {
      retryRatio: budget.retryRatio,
      minRetriesPerSecond: budget.minRetriesPerSecond,
      ttlMs: budget.ttlMs,
    },
    opaqueProtocol: resolved?.opaque ?? false,
  };
}
