// Runs `meshctl proxy-init`: plans the rules, then prints them (--dry-run) or applies them one command at a
// time, tracing each to stdout for the init container's log. Failures become one MeshError with a hint:
// iptables missing, not allowed (root or NET_ADMIN + NET_RAW), or a rule the kernel refused.
import { spawnSync } from 'node:child_process';
import { MeshError } from '../../common/errors.js';
import { type FirewallCommand, planInstall, planUninstall, renderCommands, mergeRanges } from './rules.js';
import { type PortRange, type ProxyInitConfig, resolveProxyInitConfig } from './settings.js';

export interface CommandResult {
  /** Exit status; null when the command did not run (see error) or was killed. */
  readonly status: number | null;
  readonly stderr: string;
  readonly error?: NodeJS.ErrnoException | undefined;
}

export type CommandRunner = (argv: readonly string[]) => CommandResult;

const COMMAND_TIMEOUT_MS = 30_000;
/** Bound on deleting repeated jump rules (left by other tools or hand edits). */
const MAX_JUMP_DELETES = 16;

export const spawnCommand: CommandRunner = (argv) => {
  const [bin = '', ...args] = argv;
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS });
  return { status: r.status, stderr: r.stderr ?? '', error: r.error };
};

const PERMISSION = /permission denied|must be root|operation not permitted/i;

/** The error for a command that could not run or was refused; undefined for an ordinary failure. */
function fatalError(argv: readonly string[], result: CommandResult): MeshError | undefined {
  const bin = argv[0] ?? 'iptables';
  if (result.error !== undefined) {
    if (result.error.code === 'ENOENT') {
      return new MeshError(
        'MESH_IPTABLES_MISSING',
        `${bin} not found`,
        `install iptables (Debian: apt-get install iptables) or name the command with --iptables/--ip6tables`,
      );
    }
    return new MeshError('MESH_IPTABLES_FAILED', `could not run ${bin}: ${result.error.message}`);
  }
  if (PERMISSION.test(result.stderr)) {
    return new MeshError(
      'MESH_IPTABLES_PERMISSION',
      `${bin} was not allowed to change the nat table: ${firstLine(result.stderr)}`,
      'run proxy-init as root, or with the NET_ADMIN and NET_RAW capabilities (the injected init container has both)',
    );
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

/**
 * Applies the commands in order: cleanup commands may fail (nothing to remove), every other failure stops
 * with an error naming the command. Returns how many cleanup commands removed something.
 */
export function applyCommands(
  commands: readonly FirewallCommand[],
  run: CommandRunner,
  trace: (line: string) => void,
): { removed: number } {
  let removed = 0;
  for (const command of commands) {
    const repeat = command.cleanup && command.argv.includes('-D') ? MAX_JUMP_DELETES : 1;
    for (let i = 0; i < repeat; i++) {
      const result = run(command.argv);
      const fatal = fatalError(command.argv, result);
      if (fatal !== undefined) throw fatal;
      if (result.status === 0) {
        trace(`+ ${command.argv.join(' ')}`);
        if (command.cleanup) removed++;
        continue;
      }
      if (command.cleanup) break;
      throw new MeshError(
        'MESH_IPTABLES_FAILED',
        `${command.argv.join(' ')} failed (exit ${result.status ?? 'killed'}): ${firstLine(result.stderr)}`,
        'the nat table needs the kernel modules iptable_nat (or nf_tables), xt_REDIRECT, xt_owner and xt_multiport; `--dry-run` prints every command',
      );
    }
  }
  return { removed };
}

function ports(ranges: readonly PortRange[]): string {
  if (ranges.length === 0) return 'none';
  return mergeRanges(ranges)
    .map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`))
    .join(',');
}

export function describeRules(config: ProxyInitConfig): string {
  const inbound = [{ from: config.inboundPort, to: config.inboundPort }, ...config.skipInboundPorts];
  return (
    `inbound TCP → port ${config.inboundPort} (except ports ${ports(inbound)}); ` +
    `outbound TCP → 127.0.0.1:${config.outboundPort} (except uid ${config.proxyUid}, loopback, ports ${ports(config.skipOutboundPorts)})` +
    (config.ipv6 ? '; IPv4 and IPv6' : '; IPv4 only')
  );
}

export async function runProxyInit(
  flags: Record<string, string | string[] | boolean | undefined>,
  env: NodeJS.ProcessEnv,
  run: CommandRunner = spawnCommand,
  write: (text: string) => void = (t) => process.stdout.write(t),
): Promise<void> {
  const config = resolveProxyInitConfig(flags, env);
  const commands = config.uninstall ? planUninstall(config) : planInstall(config);
  if (config.dryRun) {
    const what = config.uninstall ? 'removes the rules' : describeRules(config);
    write(`# meshctl proxy-init: ${what}\n${renderCommands(commands)}\n`);
    return;
  }
  const { removed } = applyCommands(commands, run, (line) => write(line + '\n'));
  if (config.uninstall) {
    write(removed > 0 ? 'proxy-init: rules removed\n' : 'proxy-init: no rules to remove\n');
  } else {
    write(`proxy-init: rules installed: ${describeRules(config)}\n`);
  }
}
