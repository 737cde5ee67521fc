// Finds the external tools the harness drives and, when allowed, installs the missing ones from Debian:
// haproxy, nginx (nginx-light), wrk, h2load (nghttp2-client). A missing tool only disables the targets
// and scenarios that need it; the reason is printed and recorded.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export type ToolName = 'haproxy' | 'nginx' | 'wrk' | 'h2load';

export interface ToolInfo {
  readonly name: ToolName;
  readonly path: string | undefined;
  readonly version: string | undefined;
  readonly debianPackage: string;
}

const PACKAGES: Record<ToolName, string> = {
  haproxy: 'haproxy',
  nginx: 'nginx-light',
  wrk: 'wrk',
  h2load: 'nghttp2-client',
};

const VERSION_ARGS: Record<ToolName, readonly string[]> = {
  haproxy: ['-v'],
  nginx: ['-v'],
  wrk: ['-v'],
  h2load: ['--version'],
};

function locate(name: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/local/sbin']) {
    if (dir !== '' && existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return undefined;
}

function versionOf(path: string, name: ToolName): string | undefined {
  const r = spawnSync(path, VERSION_ARGS[name], { encoding: 'utf8', timeout: 5000 });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return text
    .split('\n')
    .find((l) => l.trim() !== '')
    ?.trim();
}

export function findTools(): Map<ToolName, ToolInfo> {
  const tools = new Map<ToolName, ToolInfo>();
  for (const name of Object.keys(PACKAGES) as ToolName[]) {
    const path = locate(name);
    tools.set(name, {
      name,
      path,
      version: path === undefined ? undefined : versionOf(path, name),
      debianPackage: PACKAGES[name],
    });
  }
  return tools;
}

/**
 * Installs missing tools with apt-get when running as root on a Debian-like system. Returns a message
 * describing what happened (or why nothing could be installed).
 */
export function installMissing(tools: Map<ToolName, ToolInfo>, log: (line: string) => void): void {
  const missing = [...tools.values()].filter((t) => t.path === undefined);
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((t) => t.debianPackage))];
  const hint = `apt-get update && apt-get install -y ${packages.join(' ')}`;
  if (locate('apt-get') === undefined) {
    log(`missing ${missing.map((t) => t.name).join(', ')}; apt-get is not available here.`);
    log(
      `install them with your package manager (Debian: ${hint}); the targets/scenarios needing them are skipped.`,
    );
    return;
  }
  if (process.getuid?.() !== 0) {
    log(`missing ${missing.map((t) => t.name).join(', ')}; not root, so not installing.`);
    log(`run as root: ${hint} — the targets/scenarios needing them are skipped.`);
    return;
  }
  log(`installing ${packages.join(' ')} with apt-get …`);
  try {
    execFileSync('apt-get', ['update'], { stdio: 'ignore', timeout: 300_000 });
    execFileSync('apt-get', ['install', '-y', ...packages], {
      stdio: 'ignore',
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (err) {
    log(`apt-get failed (${err instanceof Error ? err.message : String(err)}); try: ${hint}`);
  }
  for (const [name, info] of findTools()) tools.set(name, info);
}
