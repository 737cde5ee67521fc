// `meshctl proxy-init` settings: each a flag with a MESH_PROXY_INIT_* environment twin, resolved into one
// typed config. The injected init container passes the flags (src/k8s/inject/proxy-env.ts names them).
import { UsageError } from '../../common/errors.js';
import {
  type SettingSpec,
  type SettingValues,
  parsePortList,
  resolveSetting,
} from '../../common/settings.js';

/** One port or an inclusive range, as iptables' multiport match takes them. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

export interface ProxyInitConfig {
  readonly inboundPort: number;
  readonly outboundPort: number;
  readonly proxyUid: number;
  readonly skipInboundPorts: readonly PortRange[];
  readonly skipOutboundPorts: readonly PortRange[];
  /** Also program ip6tables with the same rules. */
  readonly ipv6: boolean;
  readonly iptables: string;
  readonly ip6tables: string;
  readonly dryRun: boolean;
  readonly uninstall: boolean;
}

function parsePort(text: string, what: string): number {
  const n = Number(text.trim());
  if (!/^\d{1,5}$/.test(text.trim()) || n < 1 || n > 65535) {
    throw new UsageError('MESH_BAD_PORT', `invalid ${what} "${text}"`, 'expected a port from 1 to 65535');
  }
  return n;
}

function parseUid(text: string, what: string): number {
  const n = Number(text.trim());
  if (!/^\d{1,10}$/.test(text.trim()) || n > 4_294_967_294) {
    throw new UsageError(
      'MESH_BAD_UID',
      `invalid ${what} "${text}"`,
      'expected a numeric user id, e.g. 2102',
    );
  }
  return n;
}

/** `4190,4191,8000-8010` → ranges in the order given, duplicates dropped; validated like every port list. */
export function parsePortRanges(text: string, what: string): PortRange[] {
  parsePortList(text, what);
  const ranges: PortRange[] = [];
  const seen = new Set<string>();
  for (const item of text.split(',').map((s) => s.trim())) {
    if (item === '' || seen.has(item)) continue;
    seen.add(item);
    const [from, to = from] = item.split('-').map(Number) as [number, number?];
    ranges.push({ from, to });
  }
  return ranges;
}

const bool = (text: string, what: string): boolean => {
  const t = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(t)) return true;
  if (['0', 'false', 'no', 'off'].includes(t)) return false;
  throw new UsageError('MESH_BAD_BOOL', `invalid ${what} "${text}"`, 'expected true or false');
};

const command = (text: string, what: string): string => {
  if (text.trim() === '') throw new UsageError('MESH_BAD_SETTING', `${what} must not be empty`);
  return text.trim();
};

/** `isSwitch`: a flag without a value on the command line (`--dry-run`), a boolean in the environment. */
export type ProxyInitSettingSpec = SettingSpec<unknown> & { readonly isSwitch?: true };

export const PROXY_INIT_SETTINGS = {
  inboundPort: {
    flag: 'inbound-port',
    env: 'MESH_PROXY_INIT_INBOUND_PORT',
    valueName: 'port',
    description: "where the pod's incoming TCP is redirected: the proxy's inbound listener",
    defaultText: '4143',
    parse: parsePort,
  },
  outboundPort: {
    flag: 'outbound-port',
    env: 'MESH_PROXY_INIT_OUTBOUND_PORT',
    valueName: 'port',
    description: "where the app's outgoing TCP is redirected: the proxy's outbound listener (on 127.0.0.1)",
    defaultText: '4140',
    parse: parsePort,
  },
  proxyUid: {
    flag: 'proxy-uid',
    env: 'MESH_PROXY_INIT_PROXY_UID',
    valueName: 'uid',
    description:
      "the proxy's user id: its own connections are never redirected (or it would loop into itself)",
    defaultText: '2102',
    parse: parseUid,
  },
  skipInboundPorts: {
    flag: 'skip-inbound-ports',
    env: 'MESH_PROXY_INIT_SKIP_INBOUND_PORTS',
    valueName: 'ports',
    description:
      "incoming ports that bypass the proxy (list and ranges, e.g. 4190,4191,9000-9010); include the proxy's admin and tap ports",
    defaultText: '4190,4191',
    parse: parsePortRanges,
  },
  skipOutboundPorts: {
    flag: 'skip-outbound-ports',
    env: 'MESH_PROXY_INIT_SKIP_OUTBOUND_PORTS',
    valueName: 'ports',
    description: 'outgoing destination ports that bypass the proxy (list and ranges; default: none)',
    parse: parsePortRanges,
  },
  ipv6: {
    flag: 'ipv6',
    env: 'MESH_PROXY_INIT_IPV6',
    valueName: 'bool',
    description:
      "also install the rules for IPv6 with ip6tables (the proxy's listeners must then accept IPv6 too: REDIRECT sends outbound IPv6 to [::1])",
    defaultText: 'false',
    parse: bool,
  },
  iptables: {
    flag: 'iptables',
    env: 'MESH_PROXY_INIT_IPTABLES',
    valueName: 'command',
    description: 'the iptables command (e.g. iptables-legacy, or a full path)',
    defaultText: 'iptables',
    parse: command,
  },
  ip6tables: {
    flag: 'ip6tables',
    env: 'MESH_PROXY_INIT_IP6TABLES',
    valueName: 'command',
    description: 'the ip6tables command, used with --ipv6',
    defaultText: 'ip6tables',
    parse: command,
  },
  dryRun: {
    flag: 'dry-run',
    env: 'MESH_PROXY_INIT_DRY_RUN',
    valueName: 'bool',
    description: 'print the iptables commands (as a shell script) instead of running them',
    defaultText: 'false',
    parse: bool,
    isSwitch: true,
  },
  uninstall: {
    flag: 'uninstall',
    env: 'MESH_PROXY_INIT_UNINSTALL',
    valueName: 'bool',
    description: 'remove the rules (and chains) an earlier proxy-init installed',
    defaultText: 'false',
    parse: bool,
    isSwitch: true,
  },
} satisfies Record<string, ProxyInitSettingSpec>;

/** Builds the config from parsed flags (switches as booleans) and the environment; throws UsageError. */
export function resolveProxyInitConfig(
  flags: Record<string, string | string[] | boolean | undefined>,
  env: NodeJS.ProcessEnv,
): ProxyInitConfig {
  // Commander gives switches as `true`; the settings resolver takes text, like the environment's.
  const values: SettingValues = {};
  for (const [k, v] of Object.entries(flags)) values[k] = typeof v === 'boolean' ? String(v) : v;
  const s = PROXY_INIT_SETTINGS;
  const get = <T>(spec: SettingSpec<T>, fallback: T): T => resolveSetting(spec, values, env) ?? fallback;
  return {
    inboundPort: get(s.inboundPort, 4143),
    outboundPort: get(s.outboundPort, 4140),
    proxyUid: get(s.proxyUid, 2102),
    skipInboundPorts: get(s.skipInboundPorts, []),
    skipOutboundPorts: get(s.skipOutboundPorts, []),
    ipv6: get(s.ipv6, false),
    iptables: get(s.iptables, 'iptables'),
    ip6tables: get(s.ip6tables, 'ip6tables'),
    dryRun: get(s.dryRun, false),
    uninstall: get(s.uninstall, false),
  };
}
