// One benchmark session: tools found (or installed), the origin started, the selected targets started in
// front of it, and one place that stops all of them again.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OriginPorts } from './origin/contract.js';
import { ProcessRegistry, type Managed } from './system/processes.js';
import { startMeshctlOneHop, startMeshctlPair } from './targets/meshctl.js';
import {
  directTarget,
  startHaproxy,
  startHttpProxy,
  startNginx,
  startUndiciProxy,
} from './targets/reference-proxies.js';
import { firstJsonLine, type RunningTarget, type TargetContext, type TargetId } from './targets/target.js';
import { findTools, installMissing, type ToolInfo, type ToolName } from './tools/tools.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The repository root: dist/bench/ → ../.. */
export const REPO_ROOT = path.resolve(HERE, '..', '..');

export interface SessionOptions {
  readonly targets: readonly TargetId[];
  readonly install: boolean;
  readonly mtls: boolean;
  readonly meshctlNodeFlags: readonly string[];
}

export interface Session {
  readonly registry: ProcessRegistry;
  readonly tools: Map<ToolName, ToolInfo>;
  readonly origin: Managed;
  readonly originPorts: OriginPorts;
  readonly targets: Map<TargetId, RunningTarget>;
  readonly skipped: string[];
  readonly ctx: TargetContext;
  close(): Promise<void>;
}

const STARTERS: Record<TargetId, (ctx: TargetContext) => Promise<RunningTarget> | RunningTarget> = {
  direct: directTarget,
  meshctl: startMeshctlOneHop,
  'meshctl-pair': startMeshctlPair,
  haproxy: startHaproxy,
  nginx: startNginx,
  'http-proxy': startHttpProxy,
  undici: startUndiciProxy,
};

const NEEDS: Partial<Record<TargetId, ToolName>> = { haproxy: 'haproxy', nginx: 'nginx' };

export function createRegistry(log: (line: string) => void): ProcessRegistry {
  const registry = new ProcessRegistry();
  registry.installExitHandlers((why) => log(`\n${why}: stopping every process the benchmark started …`));
  return registry;
}

export async function openSession(
  registry: ProcessRegistry,
  options: SessionOptions,
  log: (line: string) => void,
): Promise<Session> {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('meshctl is not built: run `npm run build` first (npm run bench does it for you)');
  }
  const tools = findTools();
  if (options.install) installMissing(tools, log);
  else
    for (const t of tools.values())
      if (t.path === undefined) log(`${t.name} not found (--no-install): skipping what needs it`);

  registry.onUnexpectedExit = (p, code) => {
    const tail = p.stderr().trim().split('\n').slice(-5).join('\n    ');
    log(`!! ${p.name} (pid ${p.pid}) exited unexpectedly (${code})${tail === '' ? '' : `:\n    ${tail}`}`);
  };
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'meshbench-'));
  registry.addCleanup(() => rmSync(workDir, { recursive: true, force: true }));
  const origin = registry.start('origin', process.execPath, [path.join(HERE, 'origin', 'origin.js')], {
    stdinPipe: true,
  });
  const originPorts = await firstJsonLine<OriginPorts>(origin);
  const ctx: TargetContext = {
    registry,
    origin: originPorts,
    tools,
    workDir,
    repoRoot: REPO_ROOT,
    meshctlNodeFlags: options.meshctlNodeFlags,
    mtls: options.mtls,
  };
  const targets = new Map<TargetId, RunningTarget>();
  const skipped: string[] = [];
  for (const id of options.targets) {
    const tool = NEEDS[id];
    if (tool !== undefined && tools.get(tool)?.path === undefined) {
      skipped.push(
        `${id}: ${tool} is not installed (Debian package ${tools.get(tool)?.debianPackage ?? tool})`,
      );
      continue;
    }
    try {
      targets.set(id, await STARTERS[id](ctx));
      log(`  started ${id}`);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      skipped.push(`${id}: ${why.split('\n')[0] ?? why}`);
      log(`  could not start ${id}: ${why}`);
    }
  }
  return {
    registry,
    tools,
    origin,
    originPorts,
    targets,
    skipped,
    ctx,
    close: async () => {
      await registry.stopAll();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
