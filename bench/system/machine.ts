// What the figures were measured on: CPU, memory, kernel, distribution, and the versions of everything
// that ran (Node, meshctl's commit, undici, http-proxy, grpc-js, HAProxy, nginx, wrk, h2load).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ToolInfo, ToolName } from '../tools/tools.js';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cpus: number;
  readonly memoryGb: number;
  readonly kernel: string;
  readonly distro: string;
  readonly hostname: string;
  readonly versions: Record<string, string>;
}

function tryRead(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function packageVersion(repoRoot: string, name: string): string {
  const text = tryRead(path.join(repoRoot, 'node_modules', name, 'package.json'));
  return text === undefined ? 'not installed' : ((JSON.parse(text) as { version?: string }).version ?? '?');
}

function git(repoRoot: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

export function describeMachine(repoRoot: string, tools: ReadonlyMap<ToolName, ToolInfo>): MachineInfo {
  const distro = /PRETTY_NAME="([^"]+)"/.exec(tryRead('/etc/os-release') ?? '')?.[1] ?? os.type();
  const dirty =
    git(repoRoot, ['status', '--porcelain', '--', 'src']) === '' ? '' : ' (+ uncommitted src changes)';
  const versions: Record<string, string> = {
    node: process.version,
    meshctl: `${git(repoRoot, ['rev-parse', '--short', 'HEAD'])} (${git(repoRoot, ['rev-parse', '--abbrev-ref', 'HEAD'])})${dirty}`,
    undici: packageVersion(repoRoot, 'undici'),
    'http-proxy': packageVersion(repoRoot, 'http-proxy'),
    '@grpc/grpc-js': packageVersion(repoRoot, '@grpc/grpc-js'),
  };
  for (const t of tools.values()) versions[t.name] = t.version ?? 'not installed';
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    distro,
    hostname: os.hostname(),
    versions,
  };
}
