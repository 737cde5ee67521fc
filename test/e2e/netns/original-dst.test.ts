// The native SO_ORIGINAL_DST addon against real iptables REDIRECT rules, in a network namespace of the
// test's own: IPv4, IPv4 accepted on a dual-stack socket, IPv6, and a connection that was not redirected.
import assert from 'node:assert/strict';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { NetnsLab, namespaceSupport } from './lab.js';

const PROBE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'original-dst-probe.js');
const unsupported = namespaceSupport();
/** The probe's listeners, inside the test's own namespace (so any free-looking port will do). */
const PROBE_PORTS = { v4: 15001, v6: 15002, dualStack: 15003 };

test(
  'SO_ORIGINAL_DST recovers redirected IPv4, dual-stack and IPv6 destinations; direct connections say so',
  { skip: unsupported && `skipped: ${unsupported}`, timeout: 60_000 },
  (t) => {
    const lab = new NetnsLab(t);
    const pod = lab.addPod('probe', 2);
    lab.addAddress(pod, 'fd00:250::2/64');
    const v4 = '10.250.0.99';
    const v6 = 'fd00:250::99';
    const rules: string[][] = [
      [
        'iptables',
        '-t',
        'nat',
        '-A',
        'OUTPUT',
        '-p',
        'tcp',
        '-d',
        v4,
        '--dport',
        '80',
        '-j',
        'REDIRECT',
        '--to-ports',
        String(PROBE_PORTS.v4),
      ],
      [
        'iptables',
        '-t',
        'nat',
        '-A',
        'OUTPUT',
        '-p',
        'tcp',
        '-d',
        v4,
        '--dport',
        '81',
        '-j',
        'REDIRECT',
        '--to-ports',
        String(PROBE_PORTS.dualStack),
      ],
      [
        'ip6tables',
        '-t',
        'nat',
        '-A',
        'OUTPUT',
        '-p',
        'tcp',
        '-d',
        v6,
        '--dport',
        '80',
        '-j',
        'REDIRECT',
        '--to-ports',
        String(PROBE_PORTS.v6),
      ],
    ];
    for (const rule of rules) {
      const r = lab.run(pod.netns, rule);
      assert.equal(r.status, 0, `${rule.join(' ')}: ${r.stderr}`);
    }
    const ports = [PROBE_PORTS.v4, PROBE_PORTS.v6, PROBE_PORTS.dualStack].map(String);
    const r = lab.run(pod.netns, [process.execPath, PROBE, v4, v6, ...ports]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      available: true,
      v4: { kind: 'redirected', target: { host: v4, port: 80 } },
      dualStack: { kind: 'redirected', target: { host: v4, port: 81 } },
      v6: { kind: 'redirected', target: { host: v6, port: 80 } },
      direct: { kind: 'direct' },
    });
  },
);
