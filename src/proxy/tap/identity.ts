// Who this proxy serves, as tap events name it (namespace, workload, pod), from the proxy's settings.
import type { ProxyConfig } from '../config.js';
import type { ProxyLabels } from './match.js';

export function proxyLabels(config: Pick<ProxyConfig, 'namespace' | 'workload' | 'pod'>): ProxyLabels {
  const labels: Record<string, string> = {};
  if (config.namespace !== '') labels['namespace'] = config.namespace;
  if (config.workload !== '') labels['workload'] = config.workload;
  if (config.pod !== '') labels['pod'] = config.pod;
  return labels;
}
