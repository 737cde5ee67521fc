// Runs meshload (bench/loadgen) as its own process, so its CPU and event loop are apart from the harness.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadgenReport, LoadProtocol } from '../loadgen/cli.js';
import type { ProcessRegistry } from '../system/processes.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'loadgen', 'cli.js');

export interface MeshloadOptions {
  readonly url: string;
  readonly protocol: LoadProtocol;
  readonly rate: number;
  readonly connections: number;
  readonly durationS: number;
  readonly authority?: string;
}

export interface MeshloadRun extends LoadgenReport {
  readonly commandLine: string;
}

export async function runMeshload(registry: ProcessRegistry, o: MeshloadOptions): Promise<MeshloadRun> {
  const args = [
    CLI,
    '--json',
    '--protocol',
    o.protocol,
    '--url',
    o.url,
    '--rate',
    String(o.rate),
    '--connections',
    String(o.connections),
    '--duration',
    String(o.durationS),
  ];
  if (o.authority !== undefined) args.push('--authority', o.authority);
  const r = await registry.run('meshload', process.execPath, args, (o.durationS + 30) * 1000);
  if (r.code !== 0) throw new Error(`meshload exited ${r.code}: ${r.stderr.slice(-400)}`);
  const report = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as LoadgenReport;
  const rel = path.relative(process.cwd(), CLI);
  return { ...report, commandLine: r.commandLine.replace(process.execPath, 'node').replace(CLI, rel) };
}
