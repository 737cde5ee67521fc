// One workload's proxy settings: the install's defaults, overridden by `config.mesh.io/*` annotations on
// the pod template (or, for the webhook, on its namespace). A bad annotation value is a reason to skip the
// workload, reported with the annotation's name and where it was found.
import { LOG_LEVELS } from '../../common/logger.js';
import { parsePortList } from '../../common/settings.js';
import { CONFIG_ANNOTATIONS, type ConfigAnnotationKey } from '../annotations.js';
import { isQuantity, type MeshValues, type ResourceValues } from '../values.js';

export interface WorkloadSettings {
  readonly logLevel: string;
  /** Only set when the workload replaces the proxy's default list. */
  readonly opaquePorts: string | undefined;
  readonly skipInboundPorts: readonly string[];
  readonly skipOutboundPorts: readonly string[];
  readonly resources: ResourceValues;
}

export interface AnnotationProblem {
  readonly annotation: string;
  readonly value: string;
  readonly where: 'pod template' | 'namespace';
  readonly expected: string;
}

type Annotations = Readonly<Record<string, string>> | undefined;

function splitPorts(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const PORTS = 'ports or ranges like 25,3306,8000-8010';

function validPorts(text: string): boolean {
  try {
    parsePortList(text, 'ports');
    return true;
  } catch {
    return false;
  }
}

/** Reads the workload's settings; returns the first invalid annotation instead when there is one. */
export function readWorkloadSettings(
  values: MeshValues,
  podAnnotations: Annotations,
  namespaceAnnotations: Annotations,
): WorkloadSettings | AnnotationProblem {
  let problem: AnnotationProblem | undefined;
  const read = (
    key: ConfigAnnotationKey,
    valid: (v: string) => boolean,
    expected: string,
  ): string | undefined => {
    const name = CONFIG_ANNOTATIONS[key];
    const fromPod = podAnnotations?.[name];
    const where = fromPod !== undefined ? 'pod template' : 'namespace';
    const found: unknown = fromPod ?? namespaceAnnotations?.[name];
    if (found === undefined || found === null) return undefined;
    // Manifests are read as written: an unquoted `9102` arrives as a number although the API wants text.
    const raw = typeof found === 'string' ? found : JSON.stringify(found);
    const v = raw.trim();
    if (!valid(v) && problem === undefined) problem = { annotation: name, value: raw, where, expected };
    return v;
  };
  const quantity = (key: ConfigAnnotationKey, def: string): string =>
    read(key, isQuantity, 'a quantity like 100m or 64Mi') ?? def;
  const p = values.proxy;
  const skipIn = read('skipInboundPorts', validPorts, PORTS);
  const skipOut = read('skipOutboundPorts', validPorts, PORTS);
  const settings: WorkloadSettings = {
    logLevel:
      read(
        'proxyLogLevel',
        (v) => (LOG_LEVELS as readonly string[]).includes(v),
        `one of ${LOG_LEVELS.join(', ')}`,
      ) ?? p.logLevel,
    opaquePorts: read('opaquePorts', validPorts, PORTS),
    skipInboundPorts: [...splitPorts(values.proxyInit.skipInboundPorts), ...splitPorts(skipIn ?? '')],
    skipOutboundPorts: [...splitPorts(values.proxyInit.skipOutboundPorts), ...splitPorts(skipOut ?? '')],
    resources: {
      cpuRequest: quantity('proxyCpuRequest', p.cpuRequest),
      cpuLimit: quantity('proxyCpuLimit', p.cpuLimit),
      memoryRequest: quantity('proxyMemoryRequest', p.memoryRequest),
      memoryLimit: quantity('proxyMemoryLimit', p.memoryLimit),
    },
  };
  return problem ?? settings;
}

export function isAnnotationProblem(v: WorkloadSettings | AnnotationProblem): v is AnnotationProblem {
  return 'annotation' in v;
}
