// Pods simulated with Linux network namespaces: a "hub" namespace holding a bridge (and the control plane),
// and one namespace per pod joined to it by a veth pair, all on 10.250.0.0/24. Nothing is created in the
// host's own namespace: no interface, address or iptables rule. Everything is removed in the test's
// cleanup, even when setup fails half-way: processes left in the namespaces are killed first.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { startProcess, type OwnedProcess } from '../../helpers/processes.js';

export const SUBNET_PREFIX = '10.250.0';
export const HUB_ADDRESS = `${SUBNET_PREFIX}.1`;

export interface Pod {
  readonly name: string;
  /** The namespace's name (for `ip netns exec`). */
  readonly netns: string;
  readonly ip: string;
}

function ip(args: string[]): { ok: boolean; stderr: string; stdout: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  return { ok: r.status === 0, stderr: (r.stderr ?? '') + (r.error?.message ?? ''), stdout: r.stdout ?? '' };
}

function must(args: string[]): void {
  const r = ip(args);
  if (!r.ok) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr.trim()}`);
}

function hasCommand(command: string): boolean {
  return spawnSync(command, ['--version'], { encoding: 'utf8' }).error === undefined;
}

/** Why namespaces cannot be used here (the test then skips with this message), or undefined when they can. */
export function namespaceSupport(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root (run the tests as root)';
  if (!hasCommand('ip')) return '`ip` is not installed (Debian: apt-get install iproute2)';
  if (!hasCommand('iptables')) return '`iptables` is not installed (Debian: apt-get install iptables)';
  if (!hasCommand('setpriv')) return '`setpriv` is not installed (Debian: util-linux)';
  const probe = `meshprobe-${process.pid}-${randomBytes(3).toString('hex')}`;
  const added = ip(['netns', 'add', probe]);
  if (!added.ok) return `cannot create a network namespace: ${added.stderr.trim()}`;
  const iptables = spawnSync('ip', ['netns', 'exec', probe, 'iptables', '-w', '5', '-t', 'nat', '-S'], {
    encoding: 'utf8',
  });
  ip(['netns', 'del', probe]);
  if (iptables.status !== 0)
    return `iptables' nat table is unusable in a namespace: ${iptables.stderr.trim()}`;
  return undefined;
}

/**
 * setpriv's prefix that runs a command as `uid` (with that gid and no supplementary groups). It keeps one
 * capability, DAC_READ_SEARCH, so that the process can read the project and Node wherever the checkout lives
 * (CI clones into a 0700 temporary directory); it grants nothing network-related, so iptables still refuses.
 */
function asUser(uid: number | undefined): string[] {
  if (uid === undefined) return [];
  return [
    'setpriv',
    `--reuid=${uid}`,
    `--regid=${uid}`,
    '--clear-groups',
    '--inh-caps=+dac_read_search',
    '--ambient-caps=+dac_read_search',
    '--',
  ];
}

export class NetnsLab {
  readonly hub: string;
  readonly pods: Pod[] = [];
  private readonly namespaces: string[] = [];
  private readonly tag = `mesh${process.pid % 100000}${randomBytes(2).toString('hex')}`;

  constructor(t: TestContext) {
    t.after(() => this.destroy());
    this.hub = this.addNamespace('hub');
    must(['-n', this.hub, 'link', 'set', 'lo', 'up']);
    must(['-n', this.hub, 'link', 'add', 'br0', 'type', 'bridge']);
    must(['-n', this.hub, 'addr', 'add', `${HUB_ADDRESS}/24`, 'dev', 'br0']);
    must(['-n', this.hub, 'link', 'set', 'br0', 'up']);
  }

  /** A pod: its namespace, with eth0 on the hub's bridge at 10.250.0.<host>. */
  addPod(name: string, host: number): Pod {
    const netns = this.addNamespace(name);
    const hubSide = `v${this.pods.length}`;
    must(['-n', this.hub, 'link', 'add', hubSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
    must(['-n', this.hub, 'link', 'set', hubSide, 'master', 'br0', 'up']);
    const address = `${SUBNET_PREFIX}.${host}`;
    must(['-n', netns, 'link', 'set', 'lo', 'up']);
    must(['-n', netns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
    must(['-n', netns, 'link', 'set', 'eth0', 'up']);
    const pod = { name, netns, ip: address };
    this.pods.push(pod);
    return pod;
  }

  /** Adds an address to a pod's eth0 (IPv6 without duplicate address detection, so it is usable at once). */
  addAddress(pod: Pod, cidr: string): void {
    must(['-n', pod.netns, 'addr', 'add', cidr, 'dev', 'eth0', ...(cidr.includes(':') ? ['nodad'] : [])]);
  }

  /** Runs a command inside a namespace, optionally as another user (setpriv), owned by the test. */
  start(
    t: TestContext,
    netns: string,
    argv: readonly string[],
    options: { uid?: number; env?: NodeJS.ProcessEnv } = {},
  ): OwnedProcess {
    // `ip netns exec` and setpriv both exec: the process's pid is the command's own.
    return startProcess(t, 'ip', ['netns', 'exec', netns, ...asUser(options.uid), ...argv], {
      ...(options.env ? { env: options.env } : {}),
    });
  }

  /** Runs a command to completion inside a namespace, optionally as another user. */
  run(
    netns: string,
    argv: readonly string[],
    options: { uid?: number } = {},
  ): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync('ip', ['netns', 'exec', netns, ...asUser(options.uid), ...argv], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error?.message ?? '') };
  }

  private addNamespace(role: string): string {
    const name = `${this.tag}-${role}`;
    // Registered before creation: a failure after `add` still deletes it.
    this.namespaces.push(name);
    must(['netns', 'add', name]);
    return name;
  }

  /** Kills whatever still runs in the namespaces, then deletes them (their veths and bridge go with them). */
  destroy(): void {
    for (const ns of this.namespaces) {
      const pids = ip(['netns', 'pids', ns]).stdout.split(/\s+/).filter(Boolean).map(Number);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    for (const ns of this.namespaces.reverse()) ip(['netns', 'del', ns]);
    this.namespaces.length = 0;
  }
}
