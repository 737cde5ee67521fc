// `meshctl proxy-init` against real iptables in a network namespace of the test's own: the rules it
// installs, that a second run leaves the same rules (idempotent), --uninstall, and the errors for a missing
// iptables and for a user without the rights.
import assert from 'node:assert/strict';
import test from 'node:test';
import { MESHCTL_BIN } from '../../helpers/processes.js';
import { NetnsLab, namespaceSupport } from './lab.js';

const unsupported = namespaceSupport();

test(
  'proxy-init installs its chains idempotently, uninstalls them, and explains what it cannot do',
  { skip: unsupported && `skipped: ${unsupported}`, timeout: 60_000 },
  (t) => {
    const lab = new NetnsLab(t);
    const pod = lab.addPod('init', 2);
    const meshctl = (...args: string[]) =>
      lab.run(pod.netns, [process.execPath, MESHCTL_BIN, 'proxy-init', ...args]);
    const natRules = () => {
      const r = lab.run(pod.netns, ['iptables', '-w', '5', '-t', 'nat', '-S']);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('-P '));
    };

    const first = meshctl('--skip-outbound-ports', '25,3306', '--skip-inbound-ports', '4190,4191,9000-9010');
    assert.equal(first.status, 0, first.stderr);
    const expected = [
      '-N MESH_INBOUND',
      '-N MESH_OUTBOUND',
      '-A PREROUTING -p tcp -j MESH_INBOUND',
      '-A OUTPUT -p tcp -j MESH_OUTBOUND',
      '-A MESH_INBOUND -p tcp -m multiport --dports 4143,4190,4191,9000:9010 -j RETURN',
      '-A MESH_INBOUND -p tcp -j REDIRECT --to-ports 4143',
      '-A MESH_OUTBOUND -m owner --uid-owner 2102 -j RETURN',
      '-A MESH_OUTBOUND -o lo -j RETURN',
      '-A MESH_OUTBOUND -p tcp -m multiport --dports 25,3306 -j RETURN',
      '-A MESH_OUTBOUND -p tcp -j REDIRECT --to-ports 4140',
    ];
    assert.deepEqual(natRules(), expected);

    // Again, with the settings in the environment's twins: the same rules, once.
    const again = lab.run(pod.netns, [
      'env',
      'MESH_PROXY_INIT_SKIP_OUTBOUND_PORTS=25,3306',
      'MESH_PROXY_INIT_SKIP_INBOUND_PORTS=4190,4191,9000-9010',
      process.execPath,
      MESHCTL_BIN,
      'proxy-init',
    ]);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(natRules(), expected);

    // Not root: exit 1, with what to do.
    const denied = lab.run(pod.netns, [process.execPath, MESHCTL_BIN, 'proxy-init'], { uid: 65534 });
    assert.equal(denied.status, 1);
    assert.match(
      denied.stderr,
      /^error: iptables was not allowed to change the nat table: .*Permission denied/m,
    );
    assert.match(
      denied.stderr,
      /^hint: run proxy-init as root, or with the NET_ADMIN and NET_RAW capabilities/m,
    );
    assert.deepEqual(natRules(), expected, 'a failed run changes nothing');

    const missing = meshctl('--iptables', '/nonexistent/iptables');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^error: \/nonexistent\/iptables not found\nhint: install iptables/m);

    const removed = meshctl('--uninstall');
    assert.equal(removed.status, 0, removed.stderr);
    assert.match(removed.stdout, /rules removed/);
    assert.deepEqual(natRules(), []);
    assert.match(meshctl('--uninstall').stdout, /no rules to remove/);
  },
);
