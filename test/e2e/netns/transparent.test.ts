// Two pods simulated as network namespaces, each with an app, `meshctl proxy-init`'s iptables rules and a
// transparent proxy running as uid 2102, and a control plane (destination + identity) in a third namespace.
// The app in pod A talks to pod B's IP as if there were no mesh; the test proves that both proxies captured
// the traffic, that it crossed between them over mTLS with the workloads' identities, that B's proxy
// recovered each connection's original port (HTTP and a server-first opaque protocol), that skip ports
// bypass the proxies, and that the proxies' own connections are not captured again (no loop).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test, { type TestContext } from 'node:test';
import { MeshFile } from '../../helpers/control.js';
import { makeIdentityDir, meshIdentity } from '../../helpers/identity.js';
import { MESHCTL_BIN, type OwnedProcess } from '../../helpers/processes.js';
import { parseMetrics, sumOf, type Sample } from '../../helpers/prom.js';
import { loadOriginalDst } from '../../../src/proxy/original-dst.js';
import { PodAgent } from './agent.js';
import { HUB_ADDRESS, NetnsLab, namespaceSupport, type Pod } from './lab.js';

const PROXY_UID = 2102;
const A_ID = meshIdentity('a', 'demo');
const B_ID = meshIdentity('b', 'demo');
const CONTROL = `${HUB_ADDRESS}:8086`;
const CONTROL_ADMIN = `${HUB_ADDRESS}:9990`;

const unsupported = namespaceSupport();

interface MeshedPod {
  readonly pod: Pod;
  readonly agent: PodAgent;
  readonly proxy: OwnedProcess;
  metrics(): Promise<Sample[]>;
}

test(
  'pods in network namespaces: transparent capture, mTLS, original destination, skip ports, no loop',
  { skip: unsupported && `skipped: ${unsupported}`, timeout: 90_000 },
  async (t) => {
    const originalDst = loadOriginalDst();
    assert.ok(
      originalDst.available,
      `the native addon must be built: ${originalDst.unavailableReason ?? ''}`,
    );

    const lab = new NetnsLab(t);
    const podA = lab.addPod('a', 2);
    const podB = lab.addPod('b', 3);
    const processes: OwnedProcess[] = [];
    try {
      const ids = await makeIdentityDir(t);
      const mesh = new MeshFile(t, {
        services: [
          { name: 'a', namespace: 'demo', ports: [8080], workload: 'a' },
          { name: 'b', namespace: 'demo', ports: [8080, 8081, 9000], opaquePorts: [9000], workload: 'b' },
        ],
        workloads: [podA, podB].map((p) => ({
          name: p.name,
          namespace: 'demo',
          instances: [
            { name: `${p.name}-0`, address: `${p.ip}:8080`, admin: `${p.ip}:4191`, token: `tok-${p.name}` },
          ],
        })),
      });
      const control = lab.start(t, lab.hub, [
        process.execPath,
        MESHCTL_BIN,
        'control',
        'destination',
        'identity',
        '--mesh-file',
        mesh.path,
        '--identity-dir',
        ids.dir,
        '--listen',
        CONTROL,
        '--admin',
        CONTROL_ADMIN,
        '--log-level',
        'warn',
      ]);
      processes.push(control);

      // B's app: HTTP on 8080, 8081 and the skip ports 7000, 7001; a server-first protocol on 9000.
      const agentB = await PodAgent.start(t, podB.netns, ['--http', '8080,8081,7000,7001', '--tcp', '9000']);
      const agentA = await PodAgent.start(t, podA.netns, ['--http', '8080']);
      // Before any rule exists in A: the control plane answers across the bridge.
      await agentA.waitHttp(`http://${CONTROL_ADMIN}/ready`, 20_000);

      // A skips 7000 and 7001 on the way out; B skips 7001 on the way in (with the proxy's admin and tap).
      installRules(lab, podA, ['--skip-outbound-ports', '7000,7001']);
      installRules(lab, podB, ['--skip-inbound-ports', '4190,4191,7001']);

      const a = await startMeshedPod(t, lab, podA, agentA, ids.trustAnchorsPem, A_ID);
      const b = await startMeshedPod(t, lab, podB, agentB, ids.trustAnchorsPem, B_ID);
      processes.push(a.proxy, b.proxy);
      for (const p of [a, b]) {
        assert.match(
          readFileSync(`/proc/${p.proxy.pid}/status`, 'utf8'),
          new RegExp(`^Uid:\\s+${PROXY_UID}\\s`, 'm'),
        );
      }

      // HTTP to B's pod IP: both proxies in the path, mTLS between them, delivered to the port A dialled.
      const on8081 = await agentA.app(`http://${podB.ip}:8081/hello`);
      assert.deepEqual(on8081, { port: 8081, remote: '127.0.0.1', clientId: A_ID });
      const on8080 = await agentA.app(`http://${podB.ip}:8080/hello`);
      assert.deepEqual(on8080, { port: 8080, remote: '127.0.0.1', clientId: A_ID });
      // A Host the mesh does not know (a name only DNS knows): routed by where the app connected, still mTLS.
      const byOriginal = await agentA.app(`http://${podB.ip}:8081/`, 'b.example.com:8081');
      assert.deepEqual(byOriginal, { port: 8081, remote: '127.0.0.1', clientId: A_ID });

      // A server-first protocol on an opaque port: no HTTP authority, so A's proxy routes by the original
      // IP:port (discovered, hence mTLS), and B's proxy delivers to the original port. Neither waits for
      // detection: the banner comes before the client says anything.
      const opaque = await agentA.tcp(podB.ip, 9000, 'ping\n');
      assert.equal(opaque, 'banner 9000 from 127.0.0.1\nping\n');

      // 7000: skipped by A's rules only. B's proxy still captures it (plaintext: A's proxy never saw it).
      const halfSkipped = await agentA.app(`http://${podB.ip}:7000/`);
      assert.deepEqual(halfSkipped, { port: 7000, remote: '127.0.0.1', clientId: null });
      // 7001: skipped on both sides: B's app sees A's own address.
      const skipped = await agentA.app(`http://${podB.ip}:7001/`);
      assert.deepEqual(skipped, { port: 7001, remote: podA.ip, clientId: null });

      const ma = await a.metrics();
      const mb = await b.metrics();
      // Exactly the three connections A's app made to non-skipped ports were redirected to A's proxy: its own
      // connections (to B and to the control plane) were not captured again, and skip ports bypassed it.
      const redirected = (m: Sample[], direction: string) =>
        sumOf(m, 'original_dst_total', { direction, result: 'redirected' });
      assert.equal(redirected(ma, 'outbound'), 4, "A: the app's connections captured");
      assert.equal(sumOf(ma, 'original_dst_total', { direction: 'outbound', result: 'direct' }), 0);
      assert.equal(sumOf(ma, 'request_total', { direction: 'outbound', tls: 'true', server_id: B_ID }), 3);
      assert.equal(sumOf(ma, 'tcp_open_total', { direction: 'outbound', peer: 'dst', tls: 'true' }), 3);
      assert.equal(sumOf(ma, 'tcp_open_total', { direction: 'outbound', peer: 'dst', tls: 'false' }), 0);
      // B: the mTLS connections from A's proxy, and the plaintext one on 7000, all redirected to its inbound.
      assert.equal(redirected(mb, 'inbound'), 4, 'B: connections captured on the way in');
      assert.equal(sumOf(mb, 'request_total', { direction: 'inbound', tls: 'true', client_id: A_ID }), 3);
      assert.equal(sumOf(mb, 'request_total', { direction: 'inbound', tls: 'false' }), 1);
      assert.equal(sumOf(mb, 'tcp_open_total', { direction: 'inbound', peer: 'src', tls: 'true' }), 3);
      // B's proxy delivering to 127.0.0.1:<port>, and A's proxy dialling B, were not captured again.
      assert.equal(redirected(mb, 'outbound'), 0, "B's deliveries to its app are not captured");
      assert.equal(redirected(ma, 'inbound'), 0);
      assert.equal(
        sumOf(mb, 'tcp_open_total', { direction: 'outbound', peer: 'src' }),
        0,
        'B: nothing outbound',
      );
    } catch (err) {
      // What the processes said is the quickest way to see why.
      const logs = processes.map((p) => `--- pid ${p.pid}:\n${p.stderr().slice(-3000)}`).join('\n');
      throw new Error(`${(err as Error).message}\n${logs}`, { cause: err });
    }
  },
);

function installRules(lab: NetnsLab, pod: Pod, extra: string[]): void {
  const r = lab.run(pod.netns, [
    process.execPath,
    MESHCTL_BIN,
    'proxy-init',
    '--inbound-port',
    '4143',
    '--outbound-port',
    '4140',
    '--proxy-uid',
    String(PROXY_UID),
    ...extra,
  ]);
  assert.equal(r.status, 0, `proxy-init in ${pod.name}: ${r.stderr}`);
  assert.match(r.stdout, /rules installed/);
}

async function startMeshedPod(
  t: TestContext,
  lab: NetnsLab,
  pod: Pod,
  agent: PodAgent,
  trustAnchorsPem: string,
  identity: string,
): Promise<MeshedPod> {
  // As an injected pod's proxy is configured: default ports, transparent, identity from the control plane.
  const proxy = lab.start(
    t,
    pod.netns,
    [
      process.execPath,
      MESHCTL_BIN,
      'proxy',
      '--transparent',
      'true',
      '--app',
      '127.0.0.1:8080',
      '--opaque-ports',
      '9000',
      '--detect-timeout',
      '30s',
      '--control-plane',
      CONTROL,
      '--identity',
      identity,
      '--log-level',
      'warn',
    ],
    {
      uid: PROXY_UID,
      env: { MESH_PROXY_IDENTITY_TOKEN: `tok-${pod.name}`, MESH_PROXY_TRUST_ANCHORS: trustAnchorsPem },
    },
  );
  await agent.waitHttp('http://127.0.0.1:4191/ready', 30_000).catch((err: Error) => {
    throw new Error(`proxy in ${pod.name} not ready: ${err.message}\n${proxy.stderr()}`);
  });
  return {
    pod,
    agent,
    proxy,
    async metrics() {
      const r = await agent.http('http://127.0.0.1:4191/metrics');
      return parseMetrics(r.body);
    },
  };
}
