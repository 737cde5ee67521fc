// A real `meshctl control` process for tests, on free loopback ports, with its mesh file in a temp dir.
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { stringify } from 'yaml';
import { freePorts } from './ports.js';
import { startMeshctl, type OwnedProcess } from './processes.js';
import { waitFor } from './wait.js';

export interface MeshFileInstance {
  name: string;
  address: string;
  admin?: string;
  tap?: string;
  token?: string;
}

export interface MeshFileSpec {
  trustDomain?: string;
  controlPlaneNamespace?: string;
  services: {
    name: string;
    namespace?: string;
    ports?: number[];
    workload?: string;
    opaquePorts?: number[];
    profile?: unknown;
  }[];
  workloads: { name: string; namespace?: string; serviceAccount?: string; instances: MeshFileInstance[] }[];
}

export class MeshFile {
  readonly path: string;
  constructor(t: TestContext, spec: MeshFileSpec) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'meshctl-mesh-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    this.path = path.join(dir, 'mesh.yaml');
    this.write(spec);
  }

  /** Replaces the file atomically, as an editor or a generator would. */
  write(spec: MeshFileSpec): void {
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, stringify(spec));
    renameSync(tmp, this.path);
  }
}

export interface TestControlPlane {
  readonly proc: OwnedProcess;
  readonly grpc: string;
  readonly admin: string;
}

export async function startTestControl(
  t: TestContext,
  meshFile: string,
  options: { components?: string[]; grpcPort?: number; args?: string[] } = {},
): Promise<TestControlPlane> {
  const [grpcPort, adminPort] = await freePorts(2);
  const port = options.grpcPort ?? grpcPort;
  const proc = startMeshctl(t, [
    'control',
    ...(options.components ?? []),
    '--mesh-file',
    meshFile,
    '--listen',
    `127.0.0.1:${port}`,
    '--admin',
    `127.0.0.1:${adminPort}`,
    '--log-level',
    'warn',
    ...(options.args ?? []),
  ]);
  const admin = `127.0.0.1:${adminPort}`;
  await waitFor(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`control exited early: ${proc.stderr()}`);
      const res = await fetch(`http://${admin}/ready`).catch(() => undefined);
      return res?.status === 200;
    },
    { timeoutMs: 30_000, what: `control plane ready on ${admin}` },
  );
  return { proc, grpc: `127.0.0.1:${port}`, admin };
}
