// proxy-init's rules as data: the golden command lists for the configurations that matter (the injected
// pod's, many skip ports, IPv6, uninstall), and the port-list arithmetic behind them.
import assert from 'node:assert/strict';
import test from 'node:test';
import { assertGolden } from '../../../helpers/golden.js';
import {
  mergeRanges,
  multiportGroups,
  planInstall,
  planUninstall,
  renderCommands,
} from '../../../../src/proxy/init/rules.js';
import { resolveProxyInitConfig } from '../../../../src/proxy/init/settings.js';
import { proxyInitArgs } from '../../../../src/k8s/inject/proxy-env.js';

/** Flags as commander would hand them over, from an argv like the init container's. */
function flagsOf(args: readonly string[]): Record<string, string | boolean> {
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const name = (args[i] as string)
      .replace(/^--/, '')
      .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const next = args[i + 1];
    if (next === undefined || next.startsWith('--')) flags[name] = true;
    else {
      flags[name] = next;
      i++;
    }
  }
  return flags;
}

const golden = (name: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) => {
  const config = resolveProxyInitConfig(flagsOf(args), env);
  const commands = config.uninstall ? planUninstall(config) : planInstall(config);
  assertGolden(`proxy-init/${name}.sh`, renderCommands(commands) + '\n');
  return commands;
};

test('defaults: redirect to 4143/4140, skip uid 2102, loopback, 4190/4191 and the inbound port itself', () => {
  const commands = golden('default', []);
  // Every chain is removed before it is created, and the jumps come last.
  const argv = commands.map((c) => c.argv.join(' '));
  assert.ok(
    argv.findIndex((c) => c.includes('-X MESH_INBOUND')) <
      argv.findIndex((c) => c.includes('-N MESH_INBOUND')),
  );
  assert.match(argv.at(-2) ?? '', /-A PREROUTING -p tcp -j MESH_INBOUND$/);
  assert.match(argv.at(-1) ?? '', /-A OUTPUT -p tcp -j MESH_OUTBOUND$/);
  assert.ok(commands.every((c) => c.argv[0] === 'iptables'));
});

test("the injected init container's arguments", () => {
  const args = proxyInitArgs({
    ports: { inbound: 4143, outbound: 4140, admin: 4191, tap: 4190 },
    proxyUid: 2102,
    skipInboundPorts: ['3306', '9000-9010'],
    skipOutboundPorts: ['25', '443'],
  });
  assert.equal(args[0], 'proxy-init');
  golden('injected', args.slice(1));
});

test('more than 15 skip ports are split across multiport rules; ranges count twice', () => {
  const many = Array.from({ length: 20 }, (_, i) => String(8000 + i * 2)).join(',');
  golden('many-ports', ['--skip-outbound-ports', `${many},9000-9100`, '--skip-inbound-ports', '4190,4191']);
});

test('--ipv6 programs ip6tables with the same rules; other binaries and ports through the environment', () => {
  golden('ipv6', ['--ipv6', 'true'], {
    MESH_PROXY_INIT_IPTABLES: 'iptables-legacy',
    MESH_PROXY_INIT_IP6TABLES: 'ip6tables-legacy',
    MESH_PROXY_INIT_INBOUND_PORT: '15006',
    MESH_PROXY_INIT_OUTBOUND_PORT: '15001',
    MESH_PROXY_INIT_PROXY_UID: '1337',
  });
});

test('--uninstall removes only what proxy-init installs, all of it tolerant of absence', () => {
  const commands = golden('uninstall', ['--uninstall']);
  assert.ok(commands.every((c) => c.cleanup));
});

test('mergeRanges sorts and joins overlaps; multiportGroups respects the 15-port limit', () => {
  assert.deepEqual(
    mergeRanges([
      { from: 9000, to: 9010 },
      { from: 80, to: 80 },
      { from: 9005, to: 9020 },
      { from: 80, to: 80 },
    ]),
    [
      { from: 80, to: 80 },
      { from: 9000, to: 9020 },
    ],
  );
  const singles = Array.from({ length: 16 }, (_, i) => ({ from: i + 1, to: i + 1 }));
  assert.deepEqual(multiportGroups(singles), ['1,2,3,4,5,6,7,8,9,10,11,12,13,14,15', '16']);
  const ranges = Array.from({ length: 8 }, (_, i) => ({ from: i * 10 + 1, to: i * 10 + 5 }));
  assert.deepEqual(
    multiportGroups(ranges).map((g) => g.split(',').length),
    [7, 1],
  );
  assert.deepEqual(multiportGroups([]), []);
});
