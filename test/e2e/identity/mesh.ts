// A secure two-workload test mesh: control plane with identity, a server proxy in front of an app, and a
// client proxy, each with its own identity proved by a bootstrap token from the mesh file.
import type { TestContext } from 'node:test';
import { MeshFile, startTestControl, type TestControlPlane } from '../../helpers/control.js';
import { makeIdentityDir, meshIdentity, type TestIdentityDir } from '../../helpers/identity.js';
import { startTestProxy, type TestProxy } from '../../helpers/mesh.js';
import { startHttpOrigin } from '../../helpers/origins.js';
import { freePorts } from '../../helpers/ports.js';

export const WEB_ID = meshIdentity('web', 'demo');
export const CLIENT_ID = meshIdentity('client', 'demo');

export interface SecureMesh {
  readonly ids: TestIdentityDir;
  readonly mesh: MeshFile;
  readonly control: TestControlPlane;
  readonly server: TestProxy;
  readonly client: TestProxy;
  readonly seen: { clientIds: string[] };
  /** Starts another proxy for `client` (new process, same identity and token). */
  readonly startClient: (t: TestContext) => Promise<TestProxy>;
}

export function proxyIdentityArgs(ids: TestIdentityDir, control: string, identity: string): string[] {
  return ['--control-plane', control, '--identity', identity, '--trust-anchors', ids.trustAnchorsFile];
}

export async function startSecureMesh(
  t: TestContext,
  options: { lifetime?: string; controlPort?: number } = {},
): Promise<SecureMesh> {
  const ids = await makeIdentityDir(t);
  const seen = { clientIds: [] as string[] };
  const origin = await startHttpOrigin(t, (req, res) => {
    seen.clientIds.push(String(req.headers['mesh-client-id'] ?? ''));
    res.end(`hello ${String(req.headers['x-marker'] ?? '')}`);
  });
  const [serverInbound] = await freePorts(1);
  const mesh = new MeshFile(t, {
    services: [{ name: 'web', namespace: 'demo', ports: [80], workload: 'web' }],
    workloads: [
      {
        name: 'web',
        namespace: 'demo',
        instances: [
          { name: 'web-0', address: `127.0.0.1:${serverInbound}`, admin: '127.0.0.1:1', token: 'tok-web' },
        ],
      },
      {
        name: 'client',
        namespace: 'demo',
        instances: [{ name: 'client-0', address: '127.0.0.1:2', admin: '127.0.0.1:3', token: 'tok-client' }],
      },
    ],
  });
  const control = await startTestControl(t, mesh.path, {
    ...(options.controlPort ? { grpcPort: options.controlPort } : {}),
    args: ['--identity-dir', ids.dir, ...(options.lifetime ? ['--identity-lifetime', options.lifetime] : [])],
  });
  const server = await startTestProxy(t, {
    app: origin.address,
    args: [...proxyIdentityArgs(ids, control.grpc, WEB_ID), '--inbound', `127.0.0.1:${serverInbound}`],
    env: { MESH_PROXY_IDENTITY_TOKEN: 'tok-web' },
  });
  const startClient = (tc: TestContext) =>
    startTestProxy(tc, {
      readyTimeoutMs: 240_000,
      args: proxyIdentityArgs(ids, control.grpc, CLIENT_ID),
      env: { MESH_PROXY_IDENTITY_TOKEN: 'tok-client' },
    });
  const client = await startClient(t);
  return { ids, mesh, control, server, client, seen, startClient };
}
