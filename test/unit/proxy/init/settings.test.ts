// proxy-init's settings: flags and their MESH_PROXY_INIT_* twins, and errors that name the bad value.
import assert from 'node:assert/strict';
import test from 'node:test';
import { UsageError } from '../../../../src/common/errors.js';
import { PROXY_INIT_FLAGS } from '../../../../src/k8s/inject/proxy-env.js';
import { PROXY_INIT_SETTINGS, resolveProxyInitConfig } from '../../../../src/proxy/init/settings.js';

test('defaults are Linkerd-style: 4143 in, 4140 out, uid 2102, skip 4190 and 4191 inbound', () => {
  assert.deepEqual(resolveProxyInitConfig({}, {}), {
    inboundPort: 4143,
    outboundPort: 4140,
    proxyUid: 2102,
    skipInboundPorts: [
      { from: 4190, to: 4190 },
      { from: 4191, to: 4191 },
    ],
    skipOutboundPorts: [],
    ipv6: false,
    iptables: 'iptables',
    ip6tables: 'ip6tables',
    dryRun: false,
    uninstall: false,
  });
});

test('a flag wins over its environment twin; switches come as booleans or as env text', () => {
  const env = { MESH_PROXY_INIT_INBOUND_PORT: '5000', MESH_PROXY_INIT_DRY_RUN: 'true' };
  const c = resolveProxyInitConfig({ inboundPort: '6000', uninstall: true }, env);
  assert.equal(c.inboundPort, 6000);
  assert.equal(c.dryRun, true);
  assert.equal(c.uninstall, true);
  assert.deepEqual(resolveProxyInitConfig({ skipOutboundPorts: '25,8000-8002,25' }, {}).skipOutboundPorts, [
    { from: 25, to: 25 },
    { from: 8000, to: 8002 },
  ]);
});

test('bad values are usage errors naming the flag or variable', () => {
  const cases: [Record<string, string>, NodeJS.ProcessEnv, string, RegExp][] = [
    [{ inboundPort: '70000' }, {}, 'MESH_BAD_PORT', /--inbound-port "70000"/],
    [{}, { MESH_PROXY_INIT_OUTBOUND_PORT: 'x' }, 'MESH_BAD_PORT', /MESH_PROXY_INIT_OUTBOUND_PORT "x"/],
    [{ proxyUid: '-1' }, {}, 'MESH_BAD_UID', /--proxy-uid "-1"/],
    [{ skipInboundPorts: '80,90-85' }, {}, 'MESH_BAD_PORTS', /--skip-inbound-ports .* at "90-85"/],
    [{ ipv6: 'maybe' }, {}, 'MESH_BAD_BOOL', /--ipv6 "maybe"/],
  ];
  for (const [flags, env, code, message] of cases) {
    assert.throws(
      () => resolveProxyInitConfig(flags, env),
      (err: unknown) => err instanceof UsageError && err.code === code && message.test(err.message),
      JSON.stringify({ flags, env }),
    );
  }
});

test("every flag the injector passes is one of proxy-init's settings", () => {
  const flags = new Set(Object.values(PROXY_INIT_SETTINGS).map((s) => `--${s.flag}`));
  for (const flag of Object.values(PROXY_INIT_FLAGS)) assert.ok(flags.has(flag), flag);
  for (const spec of Object.values(PROXY_INIT_SETTINGS))
    assert.match(spec.env, /^MESH_PROXY_INIT_[A-Z0-9_]+$/);
});
