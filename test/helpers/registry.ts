// A LocalRegistry for tests, built from a compact description instead of a YAML file, and changed at run
// time with `replace` the way the mesh-file watcher would change it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { parseHostPort } from '../../src/common/address.js';
import { LocalRegistry } from '../../src/control/registry/local-registry.js';
import type { MeshSpec } from '../../src/control/registry/model.js';

export interface TestInstance {
  name: string;
  address: string;
  tap?: string;
  admin?: string;
}

export interface TestWorkload {
  name: string;
  namespace?: string;
  instances: TestInstance[];
}

export interface TestService {
  name: string;
  namespace?: string;
  workload?: string;
  ports?: number[];
}

export function meshSpec(workloads: TestWorkload[], services: TestService[] = []): MeshSpec {
  return {
    trustDomain: 'cluster.local',
    controlPlaneNamespace: 'mesh',
    clusterDomain: 'cluster.local',
    workloads: workloads.map((w) => ({
      name: w.name,
      namespace: w.namespace ?? 'default',
      serviceAccount: w.name,
      instances: w.instances.map((i) => ({
        name: i.name,
        address: parseHostPort(i.address),
        ...(i.tap ? { tap: parseHostPort(i.tap) } : {}),
        ...(i.admin ? { admin: parseHostPort(i.admin) } : {}),
      })),
    })),
    services: services.map((s) => ({
      name: s.name,
      namespace: s.namespace ?? 'default',
      ports: s.ports ?? [80],
      opaquePorts: [],
      workload: s.workload ?? s.name,
    })),
  };
}

/** A registry holding `spec`, closed when the test ends; it does not poll its (empty) file. */
export function testRegistry(t: TestContext, spec: MeshSpec): LocalRegistry {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meshctl-registry-'));
  const file = path.join(dir, 'mesh.yaml');
  writeFileSync(file, '{}\n');
  const registry = new LocalRegistry(file, () => undefined, 0);
  registry.replace(spec);
  t.after(() => {
    registry.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return registry;
}
