// The iptables rules of `meshctl proxy-init`, as data: a pure function from the config to the commands that
// install (or remove) them, so that the rules are reviewed in one place and pinned by a golden test.
//
// Two chains of our own in the nat table, flushed and recreated on every run (idempotent):
//   PREROUTING -p tcp → MESH_INBOUND:  skip-inbound ports and the proxy's inbound port RETURN;
//                                      every other TCP connection → REDIRECT to the inbound port
//   OUTPUT -p tcp     → MESH_OUTBOUND: the proxy's uid RETURN (its own upstream connections), loopback
//                                      RETURN, skip-outbound ports RETURN; the rest → REDIRECT to the
//                                      outbound port (REDIRECT in OUTPUT goes to 127.0.0.1)
import type { PortRange, ProxyInitConfig } from './settings.js';

export const INBOUND_CHAIN = 'MESH_INBOUND';
export const OUTBOUND_CHAIN = 'MESH_OUTBOUND';
/** How long iptables waits for the xtables lock (another writer in the pod) before failing. */
const LOCK_WAIT_SECONDS = '10';
/** iptables' multiport match takes at most 15 ports, a range counting as two. */
const MULTIPORT_MAX = 15;

export interface FirewallCommand {
  /** The command and its arguments, ready for spawn. */
  readonly argv: readonly string[];
  /**
   * Removal of what an earlier run may have installed: failing because there is nothing to remove is
   * expected. Jump rules are deleted repeatedly until none is left.
   */
  readonly cleanup: boolean;
}

/** Commands for every address family the config covers: iptables, then ip6tables with --ipv6. */
export function planInstall(config: ProxyInitConfig): FirewallCommand[] {
  return binaries(config).flatMap((bin) => [...removal(bin), ...installation(bin, config)]);
}

export function planUninstall(config: ProxyInitConfig): FirewallCommand[] {
  return binaries(config).flatMap((bin) => removal(bin));
}

/** One line per command, as a shell script would run it (cleanup lines tolerate failure). */
export function renderCommands(commands: readonly FirewallCommand[]): string {
  return commands
    .map((c) => (c.cleanup ? `${c.argv.join(' ')} 2>/dev/null || true` : c.argv.join(' ')))
    .join('\n');
}

function binaries(config: ProxyInitConfig): string[] {
  return config.ipv6 ? [config.iptables, config.ip6tables] : [config.iptables];
}

function nat(bin: string, ...args: string[]): readonly string[] {
  return [bin, '-w', LOCK_WAIT_SECONDS, '-t', 'nat', ...args];
}

function removal(bin: string): FirewallCommand[] {
  const cleanup = (...args: string[]): FirewallCommand => ({ argv: nat(bin, ...args), cleanup: true });
  return [
    cleanup('-D', 'PREROUTING', '-p', 'tcp', '-j', INBOUND_CHAIN),
    cleanup('-D', 'OUTPUT', '-p', 'tcp', '-j', OUTBOUND_CHAIN),
    cleanup('-F', INBOUND_CHAIN),
    cleanup('-X', INBOUND_CHAIN),
    cleanup('-F', OUTBOUND_CHAIN),
    cleanup('-X', OUTBOUND_CHAIN),
  ];
}

function installation(bin: string, config: ProxyInitConfig): FirewallCommand[] {
  const run = (...args: string[]): FirewallCommand => ({ argv: nat(bin, ...args), cleanup: false });
  const skipInbound = mergeRanges([
    { from: config.inboundPort, to: config.inboundPort },
    ...config.skipInboundPorts,
  ]);
  const skipOutbound = mergeRanges(config.skipOutboundPorts);
  const skip = (chain: string, ranges: PortRange[]): FirewallCommand[] =>
    multiportGroups(ranges).map((ports) =>
      run('-A', chain, '-p', 'tcp', '-m', 'multiport', '--dports', ports, '-j', 'RETURN'),
    );
  return [
    run('-N', INBOUND_CHAIN),
    ...skip(INBOUND_CHAIN, skipInbound),
    run('-A', INBOUND_CHAIN, '-p', 'tcp', '-j', 'REDIRECT', '--to-ports', String(config.inboundPort)),
    run('-N', OUTBOUND_CHAIN),
    run('-A', OUTBOUND_CHAIN, '-m', 'owner', '--uid-owner', String(config.proxyUid), '-j', 'RETURN'),
    run('-A', OUTBOUND_CHAIN, '-o', 'lo', '-j', 'RETURN'),
    ...skip(OUTBOUND_CHAIN, skipOutbound),
    run('-A', OUTBOUND_CHAIN, '-p', 'tcp', '-j', 'REDIRECT', '--to-ports', String(config.outboundPort)),
    // Jumps last: traffic enters the chains only once they are complete.
    run('-A', 'PREROUTING', '-p', 'tcp', '-j', INBOUND_CHAIN),
    run('-A', 'OUTPUT', '-p', 'tcp', '-j', OUTBOUND_CHAIN),
  ];
}

/** Sorted, with overlapping ranges joined and repeats dropped. */
export function mergeRanges(ranges: readonly PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from || a.to - b.to);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last !== undefined && r.from <= last.to)
      out[out.length - 1] = { from: last.from, to: Math.max(last.to, r.to) };
    else out.push(r);
  }
  return out;
}

/** Splits ranges into multiport arguments (`80,443,8000:8010`) of at most 15 ports each. */
export function multiportGroups(ranges: readonly PortRange[]): string[] {
  const groups: string[] = [];
  let current: string[] = [];
  let weight = 0;
  for (const r of ranges) {
    const w = r.from === r.to ? 1 : 2;
    if (weight + w > MULTIPORT_MAX) {
      groups.push(current.join(','));
      current = [];
      weight = 0;
    }
    current.push(r.from === r.to ? String(r.from) : `${r.from}:${r.to}`);
    weight += w;
  }
  if (current.length > 0) groups.push(current.join(','));
  return groups;
}
