// Who this proxy is, as tap events name it (source_meta of outbound events, destination_meta of inbound
// ones). Read from MESH_PROXY_NAMESPACE/WORKLOAD/POD for now; the proxy's own --namespace/--workload/--pod
// settings will replace this one function.
import type { ProxyLabels } from './match.js';

export function proxyLabelsFromEnv(env: NodeJS.ProcessEnv): ProxyLabels {
  const labels: Record<string, string> = {};
  const add = (key: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') labels[key] = value;
  };
  add('namespace', env['MESH_PROXY_NAMESPACE']);
  add('workload', env['MESH_PROXY_WORKLOAD']);
  add('pod', env['MESH_PROXY_POD']);
  return labels;
}
