// The mesh the CLI acceptance test questions: a control plane running every component (destination,
// identity, tap, metrics) with a fast scrape, a `web` workload (one meshed instance in front of an origin
// whose answers the test decides) and a `client` workload whose proxy the test sends requests through.
// Everything between the proxies is mTLS; the mesh file names each instance's admin and tap listeners.
import type { TestContext } from 'node:test';
import { request } from 'undici';
import {
  MeshFile,
  startTestControl,
  type MeshFileSpec,
  type TestControlPlane,
} from '../../helpers/control.js';
import { makeIdentityDir, meshIdentity } from '../../helpers/identity.js';
import { startTestProxy, type TestProxy } from '../../helpers/mesh.js';
import { startHttpOrigin } from '../../helpers/origins.js';
import { freePorts } from '../../helpers/ports.js';

export const NAMESPACE = 'demo';
export const WEB_ID = meshIdentity('web', NAMESPACE);
export const CLIENT_ID = meshIdentity('client', NAMESPACE);
export const AUTHORITY = 'web.demo:80';

export interface CliMesh {
  readonly control: TestControlPlane;
  readonly web: TestProxy;
  readonly client: TestProxy;
  /** Requests the origin answered, by path. */
  readonly served: string[];
  /** Sends a GET through the client's proxy; the origin answers 500 for paths containing /fail. */
  get(path: string, headers?: Record<string, string>): Promise<number>;
}

function spec(addresses: {
  webInbound: string;
  webAdmin: string;
  webTap: string;
  clientAdmin: string;
  clientTap: string;
  clientInbound: string;
}): MeshFileSpec {
  return {
    services: [{ name: 'web', namespace: NAMESPACE, ports: [80], workload: 'web' }],
    workloads: [
      {
        name: 'web',
        namespace: NAMESPACE,
        instances: [
          {
            name: 'web-0',
            address: addresses.webInbound,
            admin: addresses.webAdmin,
            tap: addresses.webTap,
            token: 'tok-web',
          },
        ],
      },
      {
        name: 'client',
        namespace: NAMESPACE,
        instances: [
          {
            name: 'client-0',
            address: addresses.clientInbound,
            admin: addresses.clientAdmin,
            tap: addresses.clientTap,
            token: 'tok-client',
          },
        ],
      },
    ],
  };
}

export async function startCliMesh(t: TestContext): Promise<CliMesh> {
  const ids = await makeIdentityDir(t);
  const served: string[] = [];
  const origin = await startHttpOrigin(t, (req, res) => {
    const path = req.url ?? '/';
    served.push(path);
    res.statusCode = path.includes('/fail') ? 500 : 200;
    res.setHeader('content-type', 'text/plain');
    res.end(`${res.statusCode} ${path}`);
  });
  const [webInboundPort, clientInboundPort, placeholder] = await freePorts(3);
  const webInbound = `127.0.0.1:${webInboundPort}`;
  const clientInbound = `127.0.0.1:${clientInboundPort}`;
  const nowhere = `127.0.0.1:${placeholder}`;
  // Tokens first (the proxies need them to get their certificates); listeners once the proxies have them.
  const mesh = new MeshFile(
    t,
    spec({
      webInbound,
      webAdmin: nowhere,
      webTap: nowhere,
      clientAdmin: nowhere,
      clientTap: nowhere,
      clientInbound,
    }),
  );
  const control = await startTestControl(t, mesh.path, {
    args: ['--identity-dir', ids.dir, '--scrape-interval', '100ms'],
  });
  const proxyArgs = (workload: string, identity: string): string[] => [
    '--control-plane',
    control.grpc,
    '--identity',
    identity,
    '--trust-anchors',
    ids.trustAnchorsFile,
    '--namespace',
    NAMESPACE,
    '--workload',
    workload,
    '--pod',
    `${workload}-0`,
  ];
  const [web, client] = await Promise.all([
    startTestProxy(t, {
      app: origin.address,
      args: [...proxyArgs('web', WEB_ID), '--inbound', webInbound],
      env: { MESH_PROXY_IDENTITY_TOKEN: 'tok-web' },
    }),
    startTestProxy(t, {
      args: proxyArgs('client', CLIENT_ID),
      env: { MESH_PROXY_IDENTITY_TOKEN: 'tok-client' },
    }),
  ]);
  mesh.write(
    spec({
      webInbound,
      webAdmin: web.admin,
      webTap: web.tap,
      clientAdmin: client.admin,
      clientTap: client.tap,
      clientInbound,
    }),
  );
  return {
    control,
    web,
    client,
    served,
    async get(path, headers = {}) {
      const res = await request(`http://${client.outbound}${path}`, {
        headers: { host: AUTHORITY, ...headers },
      });
      await res.body.dump();
      return res.statusCode;
    },
  };
}
