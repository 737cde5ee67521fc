// The local mesh file (YAML): services, workloads and their instances, parsed and validated with errors that
// name the file, the path of the bad value and what is expected.
import { parseDocument } from 'yaml';
import { type HostPort, parseHostPort } from '../../common/address.js';
import { parseDuration } from '../../common/duration.js';
import { MeshError, UsageError } from '../../common/errors.js';
import {
  DEFAULT_RETRY_BUDGET,
  type InstanceSpec,
  type MeshSpec,
  type ProfileSpec,
  type RouteSpec,
  type ServiceSpec,
  type WorkloadSpec,
} from './model.js';

type Json = unknown;

class Reader {
  constructor(private readonly file: string) {}

  fail(path: string, problem: string): never {
    throw new UsageError(
      'MESH_BAD_MESH_FILE',
      `${this.file}: ${path}: ${problem}`,
      'see `meshctl control --help` for the mesh file format',
    );
  }

  object(v: Json, path: string): Record<string, Json> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'expected a mapping');
    return v as Record<string, Json>;
  }

  array(v: Json, path: string): Json[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(path, 'expected a list');
    return v;
  }

  name(v: Json, path: string): string {
    if (typeof v !== 'string' || !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(v)) {
      this.fail(path, `expected a DNS label (lower-case letters, digits, '-'), got ${JSON.stringify(v)}`);
    }
    return v;
  }

  string(v: Json, path: string, def?: string): string {
    if (v === undefined && def !== undefined) return def;
    if (typeof v !== 'string' || v === '')
      this.fail(path, `expected a non-empty string, got ${JSON.stringify(v)}`);
    return v;
  }

  port(v: Json, path: string): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
      this.fail(path, `expected a port number 1-65535, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  address(v: Json, path: string): HostPort {
    if (typeof v !== 'string') this.fail(path, `expected HOST:PORT, got ${JSON.stringify(v)}`);
    try {
      return parseHostPort(v, path);
    } catch (err) {
      this.fail(path, err instanceof MeshError ? `expected HOST:PORT, got "${v}"` : String(err));
    }
  }

  duration(v: Json, path: string): number {
    if (v === undefined) return 0;
    if (typeof v === 'number') return v;
    if (typeof v !== 'string') this.fail(path, `expected a duration like 300ms, got ${JSON.stringify(v)}`);
    try {
      return parseDuration(v, path);
    } catch {
      this.fail(path, `expected a duration like 300ms, got "${v}"`);
    }
  }

  bool(v: Json, path: string, def: boolean): boolean {
    if (v === undefined) return def;
    if (typeof v !== 'boolean') this.fail(path, `expected true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  number(v: Json, path: string, def: number, min: number, max: number): number {
    if (v === undefined) return def;
    if (typeof v !== 'number' || v < min || v > max)
      this.fail(path, `expected a number from ${min} to ${max}`);
    return v;
  }
}

function readProfile(r: Reader, v: Json, path: string): ProfileSpec | undefined {
  if (v === undefined) return undefined;
  const o = r.object(v, path);
  const routes = r.array(o['routes'], `${path}.routes`).map((rv, i): RouteSpec => {
    const rp = `${path}.routes[${i}]`;
    const ro = r.object(rv, rp);
    const pathRegex =
      ro['pathRegex'] === undefined ? undefined : r.string(ro['pathRegex'], `${rp}.pathRegex`);
    if (pathRegex !== undefined) {
      try {
        new RegExp(pathRegex);
      } catch (err) {
        r.fail(`${rp}.pathRegex`, `not a valid regular expression: ${(err as Error).message}`);
      }
    }
    return {
      name: r.string(ro['name'], `${rp}.name`),
      ...(ro['method'] === undefined ? {} : { method: r.string(ro['method'], `${rp}.method`).toUpperCase() }),
      ...(pathRegex === undefined ? {} : { pathRegex }),
      isRetryable: r.bool(ro['retryable'], `${rp}.retryable`, false),
      timeoutMs: r.duration(ro['timeout'], `${rp}.timeout`),
      responseClasses: r.array(ro['responseClasses'], `${rp}.responseClasses`).map((cv, j) => {
        const cp = `${rp}.responseClasses[${j}]`;
        const co = r.object(cv, cp);
        return {
          statusMin: r.number(co['statusMin'], `${cp}.statusMin`, 500, 100, 599),
          statusMax: r.number(co['statusMax'], `${cp}.statusMax`, 599, 100, 599),
          isFailure: r.bool(co['isFailure'], `${cp}.isFailure`, true),
        };
      }),
    };
  });
  const b = o['retryBudget'] === undefined ? {} : r.object(o['retryBudget'], `${path}.retryBudget`);
  return {
    routes,
    retryBudget: {
      retryRatio: r.number(
        b['retryRatio'],
        `${path}.retryBudget.retryRatio`,
        DEFAULT_RETRY_BUDGET.retryRatio,
        0,
        10,
      ),
      minRetriesPerSecond: r.number(
        b['minRetriesPerSecond'],
        `${path}.retryBudget.minRetriesPerSecond`,
        DEFAULT_RETRY_BUDGET.minRetriesPerSecond,
        0,
        100_000,
      ),
      ttlMs:
        b['ttl'] === undefined ? DEFAULT_RETRY_BUDGET.ttlMs : r.duration(b['ttl'], `${path}.retryBudget.ttl`),
    },
  };
}

/** Parses and validates a mesh file's text. */
export function parseMeshFile(text: string, file: string): MeshSpec {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e?.linePos?.[0];
    throw new UsageError(
      'MESH_BAD_MESH_FILE',
      `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid YAML: ${e?.message.split('\n')[0] ?? 'parse error'}`,
    );
  }
  const r = new Reader(file);
  const root = r.object(doc.toJS() ?? {}, '(top level)');
  const workloads = r.array(root['workloads'], 'workloads').map((wv, i): WorkloadSpec => {
    const p = `workloads[${i}]`;
    const w = r.object(wv, p);
    const namespace = r.name(w['namespace'] ?? 'default', `${p}.namespace`);
    const name = r.name(w['name'], `${p}.name`);
    return {
      name,
      namespace,
      serviceAccount: r.name(w['serviceAccount'] ?? name, `${p}.serviceAccount`),
      instances: r.array(w['instances'], `${p}.instances`).map((iv, j): InstanceSpec => {
        const ip = `${p}.instances[${j}]`;
        const o = r.object(iv, ip);
        return {
          name: r.name(o['name'], `${ip}.name`),
          address: r.address(o['address'], `${ip}.address`),
          ...(o['admin'] === undefined ? {} : { admin: r.address(o['admin'], `${ip}.admin`) }),
          ...(o['tap'] === undefined ? {} : { tap: r.address(o['tap'], `${ip}.tap`) }),
          ...(o['token'] === undefined ? {} : { token: r.string(o['token'], `${ip}.token`) }),
        };
      }),
    };
  });
  const workloadKeys = new Set(workloads.map((w) => `${w.namespace}/${w.name}`));
  const seenInstances = new Set<string>();
  workloads.forEach((w, i) =>
    w.instances.forEach((inst, j) => {
      const key = `${w.namespace}/${inst.name}`;
      if (seenInstances.has(key))
        r.fail(
          `workloads[${i}].instances[${j}].name`,
          `instance "${inst.name}" appears twice in namespace ${w.namespace}`,
        );
      seenInstances.add(key);
    }),
  );
  const services = r.array(root['services'], 'services').map((sv, i): ServiceSpec => {
    const p = `services[${i}]`;
    const s = r.object(sv, p);
    const namespace = r.name(s['namespace'] ?? 'default', `${p}.namespace`);
    const name = r.name(s['name'], `${p}.name`);
    const workload = r.name(s['workload'] ?? name, `${p}.workload`);
    if (!workloadKeys.has(`${namespace}/${workload}`)) {
      r.fail(`${p}.workload`, `no workload "${workload}" in namespace ${namespace}`);
    }
    const ports = r.array(s['ports'] ?? [80], `${p}.ports`).map((pv, j) => r.port(pv, `${p}.ports[${j}]`));
    if (ports.length === 0) r.fail(`${p}.ports`, 'a service needs at least one port');
    const profile = readProfile(r, s['profile'], `${p}.profile`);
    return {
      name,
      namespace,
      ports,
      opaquePorts: r
        .array(s['opaquePorts'], `${p}.opaquePorts`)
        .map((pv, j) => r.port(pv, `${p}.opaquePorts[${j}]`)),
      workload,
      ...(profile ? { profile } : {}),
    };
  });
  const seenServices = new Set<string>();
  services.forEach((s, i) => {
    const key = `${s.namespace}/${s.name}`;
    if (seenServices.has(key))
      r.fail(`services[${i}].name`, `service "${s.name}" appears twice in namespace ${s.namespace}`);
    seenServices.add(key);
  });
  return {
    trustDomain: r.string(root['trustDomain'], 'trustDomain', 'cluster.local'),
    controlPlaneNamespace: r.name(root['controlPlaneNamespace'] ?? 'mesh', 'controlPlaneNamespace'),
    clusterDomain: r.string(root['clusterDomain'], 'clusterDomain', 'cluster.local'),
    services,
    workloads,
  };
}
