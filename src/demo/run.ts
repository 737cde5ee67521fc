// `meshctl demo`: the whole mesh on this machine. Makes a local CA, lays out the demo on free ports, writes
// the mesh file, starts the control plane, every app with its sidecar proxy, and the traffic generator as
// supervised children, waits until all are ready, records the control plane under $MESHCTL_HOME, then
// hands the terminal to `meshctl top` (or prints where things are and waits for Ctrl-C).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { MeshError } from '../common/errors.js';
import { createIssuer, createTrustAnchor } from '../identity/pki.js';
import { writeIdentityDir } from '../identity/files.js';
import {
  isAlive,
  meshctlHome,
  readControlPlaneRecord,
  removeControlPlaneRecord,
  writeControlPlaneRecord,
} from './state.js';
import { Supervisor } from './supervisor.js';
import { type DemoTopology, NAMESPACE, layout, meshFileOf, portsNeeded, processesOf } from './topology.js';

export interface DemoOptions {
  readonly dir: string | undefined;
  readonly tui: boolean;
  readonly rps: number;
  /** Writes progress and snapshots (stderr for progress, stdout for the snapshot). */
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Opens the terminal UI on the control plane; resolves when the user quits it. */
  readonly openTop?: (controlPlane: string) => Promise<void>;
  /** Prints a snapshot of the running mesh (stat), when there is no TUI. */
  readonly snapshot?: (controlPlane: string) => Promise<void>;
}

const BINARY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/meshctl.js');
const READY_TIMEOUT_MS = 30_000;

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve) => {
          const s = net.createServer();
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function ready(address: string): Promise<boolean> {
  try {
    return (await fetch(`http://${address}/ready`, { signal: AbortSignal.timeout(1000) })).status === 200;
  } catch {
    return false;
  }
}

async function waitAllReady(topology: DemoTopology, err: (l: string) => void): Promise<void> {
  const admins = [topology.controlAdmin, ...topology.instances.map((i) => `127.0.0.1:${i.ports.admin}`)];
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = -1;
  for (;;) {
    const states = await Promise.all(admins.map(ready));
    const n = states.filter(Boolean).length;
    if (n !== last) err(`  ${n}/${admins.length} components ready`);
    last = n;
    if (n === admins.length) return;
    if (Date.now() > deadline) {
      throw new MeshError(
        'MESH_DEMO_NOT_READY',
        `the demo did not become ready within ${READY_TIMEOUT_MS / 1000} s`,
        'see the logs in the demo directory',
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function runDemo(options: DemoOptions): Promise<number> {
  const { out, err } = options;
  const dir = options.dir ?? path.join(meshctlHome(), 'demo');
  const running = readControlPlaneRecord();
  if (running !== undefined) {
    throw new MeshError(
      'MESH_DEMO_RUNNING',
      `a demo is already running (pid ${running.pid}, control plane at ${running.address})`,
      'watch it with `meshctl top`, or stop it with Ctrl-C in its terminal',
    );
  }
  mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const identityDir = path.join(dir, 'identity');
  if (!existsSync(path.join(identityDir, 'issuer.key'))) {
    err('creating a local trust anchor and issuer (ECDSA P-256)…');
    const anchor = await createTrustAnchor({ trustDomain: 'cluster.local' });
    writeIdentityDir(identityDir, anchor, await createIssuer(anchor, { trustDomain: 'cluster.local' }));
  }
  const topology = layout(await freePorts(portsNeeded()));
  writeFileSync(
    path.join(dir, 'mesh.yaml'),
    '# Written by `meshctl demo`.\n' + stringify(meshFileOf(topology)),
  );
  writeFileSync(path.join(dir, 'topology.json'), JSON.stringify(topology, null, 2) + '\n');

  const supervisor = new Supervisor(BINARY, path.join(dir, 'logs'), {
    exited: (name, code, signal, delay) =>
      err(
        `demo: ${name} exited (${signal ?? `code ${code}`}); restarting in ${(delay / 1000).toFixed(1)} s (log: ${path.join(dir, 'logs')})`,
      ),
  });
  let stopping: Promise<number> | undefined;
  const stop = (code: number): Promise<number> => {
    stopping ??= (async () => {
      err('stopping the demo…');
      await supervisor.stop();
      removeControlPlaneRecord(process.pid);
      err('demo stopped');
      return code;
    })();
    return stopping;
  };
  let interrupted: ((code: number) => void) | undefined;
  const interruption = new Promise<number>((resolve) => (interrupted = resolve));
  const onSigint = (): void => interrupted?.(130);
  const onSigterm = (): void => interrupted?.(0);
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigterm);

  err(`starting the demo mesh in ${dir}…`);
  supervisor.start(processesOf(topology, dir, options.rps));
  try {
    await Promise.race([waitAllReady(topology, err), interruption.then(() => undefined)]);
  } catch (e) {
    await stop(1);
    throw e;
  }
  writeControlPlaneRecord({
    address: topology.controlPlane,
    admin: topology.controlAdmin,
    pid: process.pid,
    dir,
    startedAt: new Date().toISOString(),
    namespace: NAMESPACE,
  });
  const cp = topology.controlPlane;
  out(`control plane: ${cp} (recorded in ${meshctlHome()}; every meshctl command finds it there)`);
  out(
    `services: web.demo, books.demo (2 instances, gRPC), authors.demo — ${options.rps} requests/s from traffic`,
  );
  if (options.tui && options.openTop !== undefined) {
    await Promise.race([options.openTop(cp), interruption]);
    return stop(0);
  }
  out(
    'in another terminal (they find the demo without flags): meshctl stat deploy · meshctl routes deploy/web · meshctl tap deploy/web · meshctl top',
  );
  out('press Ctrl-C to stop');
  const snapshot = options.snapshot;
  if (snapshot !== undefined) {
    // Give the metrics a few scrapes before the first snapshot.
    const timer = setTimeout(
      () => void snapshot(cp).catch((e: unknown) => err(`snapshot failed: ${String(e)}`)),
      8000,
    );
    timer.unref();
  }
  const code = await interruption;
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  return stop(code);
}

export { isAlive };
