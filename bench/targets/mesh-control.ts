// The control plane the mTLS sidecar pair needs, made in the run's temp directory: a trust anchor and issuer
// (`meshctl identity create`), a mesh file naming the pair's workloads with bootstrap tokens, and one
// `meshctl control destination identity` process that certifies the proxies and tells the client proxy
// each endpoint's identity (static endpoint files carry none, so they would leave the pair in plaintext).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Managed } from '../system/processes.js';
import { freePort, waitForHttpOk, type TargetContext } from './target.js';

/** Namespace of the bench workloads: `h1.bench` is then service h1 in it, as the harness's authorities say. */
const NAMESPACE = 'bench';
const CONTROL_PLANE_NAMESPACE = 'mesh';
const TRUST_DOMAIN = 'cluster.local';

/** A server workload behind one service (the inbound of its proxy) or, without a service, a client. */
export interface MeshWorkload {
  readonly name: string;
  /** The proxy's inbound address (what the Destination API hands out) and admin address. */
  readonly inbound: string;
  readonly admin: string;
  readonly service: boolean;
}

export interface MeshControl {
  readonly process: Managed;
  /** gRPC address serving Destination and Identity. */
  readonly address: string;
  readonly trustAnchorsFile: string;
  /** The mesh file and the command lines, for the report. */
  readonly meshFileText: string;
  /** Flags that give the proxy of `workload` its identity (token from a file, so none is on a command line). */
  proxyArgs(workload: string): string[];
  identityOf(workload: string): string;
}

function identityOf(workload: string): string {
  return `${workload}.${NAMESPACE}.serviceaccount.identity.${CONTROL_PLANE_NAMESPACE}.${TRUST_DOMAIN}`;
}

export async function startMeshControl(
  ctx: TargetContext,
  workloads: readonly MeshWorkload[],
): Promise<MeshControl> {
  const bin = path.join(ctx.repoRoot, 'bin', 'meshctl.js');
  const dir = path.join(ctx.workDir, 'mesh');
  const identityDir = path.join(dir, 'identity');
  mkdirSync(dir, { recursive: true });
  const created = await ctx.registry.run(
    'meshctl identity create',
    process.execPath,
    [bin, 'identity', 'create', '--out', identityDir, '--trust-domain', TRUST_DOMAIN],
    30_000,
  );
  if (created.code !== 0) {
    throw new Error(`meshctl identity create failed (${created.code}): ${created.stderr.trim()}`);
  }

  const tokenFile = (w: string): string => path.join(dir, `${w}.token`);
  // No trailing newline: the proxy sends the file's bytes as they are (like a projected token).
  for (const w of workloads) writeFileSync(tokenFile(w.name), `bench-${w.name}-token`, { mode: 0o600 });
  // YAML is a superset of JSON: the mesh file is written as JSON, no YAML library needed.
  const mesh = {
    trustDomain: TRUST_DOMAIN,
    controlPlaneNamespace: CONTROL_PLANE_NAMESPACE,
    services: workloads
      .filter((w) => w.service)
      .map((w) => ({ name: w.name, namespace: NAMESPACE, ports: [80], workload: w.name })),
    workloads: workloads.map((w) => ({
      name: w.name,
      namespace: NAMESPACE,
      instances: [
        { name: `${w.name}-0`, address: w.inbound, admin: w.admin, token: `bench-${w.name}-token` },
      ],
    })),
  };
  const meshFileText = `${JSON.stringify(mesh, null, 2)}\n`;
  const meshFile = path.join(dir, 'mesh.yaml');
  writeFileSync(meshFile, meshFileText);

  const address = `127.0.0.1:${await freePort()}`;
  const admin = `127.0.0.1:${await freePort()}`;
  const p = ctx.registry.start('meshctl-control', process.execPath, [
    bin,
    'control',
    'destination',
    'identity',
    '--mesh-file',
    meshFile,
    '--identity-dir',
    identityDir,
    '--listen',
    address,
    '--admin',
    admin,
    '--log-level',
    'warn',
  ]);
  await waitForHttpOk(`http://${admin}/ready`, p, 30_000);
  const trustAnchorsFile = path.join(identityDir, 'ca.crt');
  return {
    process: p,
    address,
    trustAnchorsFile,
    meshFileText,
    identityOf,
    proxyArgs: (workload) => [
      '--identity',
      identityOf(workload),
      '--identity-token-file',
      tokenFile(workload),
      '--trust-anchors',
      trustAnchorsFile,
    ],
  };
}
