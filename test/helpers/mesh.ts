// Real proxy processes for tests: each `meshctl proxy` on free loopback ports, with its static endpoints
// in a temp file, owned by the test (stopped on cleanup) and waited for until /ready answers.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { freePorts } from './ports.js';
import { startMeshctl, type OwnedProcess } from './processes.js';
import { parseMetrics, type Sample } from './prom.js';
import { waitFor } from './wait.js';

export interface TestProxy {
  readonly proc: OwnedProcess;
  readonly inbound: string;
  readonly outbound: string;
  readonly admin: string;
  /** The proxy's tap listener (its own free port, so that proxies started side by side never collide). */
  readonly tap: string;
  readonly endpointsFile: string;
  metrics(): Promise<Sample[]>;
  /** Replaces the static endpoints file (the proxy reloads it). */
  setEndpoints(endpoints: Record<string, string[]>): void;
  /** Peak resident set size (VmHWM) and current RSS of the process, in bytes. */
  memory(): { rss: number; hwm: number };
}

export interface TestProxyOptions {
  /** How long to wait for /ready (default 15 s). */
  readyTimeoutMs?: number;
  app?: string;
  endpoints?: Record<string, string[]>;
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

export async function startTestProxy(t: TestContext, options: TestProxyOptions = {}): Promise<TestProxy> {
  const [inPort, outPort, adminPort, tapPort] = await freePorts(4);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meshctl-proxy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const endpointsFile = path.join(dir, 'endpoints.json');
  writeFileSync(endpointsFile, JSON.stringify(options.endpoints ?? {}));
  const inboundOverride = options.args?.indexOf('--inbound') ?? -1;
  const inbound =
    inboundOverride >= 0 ? (options.args?.[inboundOverride + 1] as string) : `127.0.0.1:${inPort}`;
  const args = [
    'proxy',
    '--inbound',
    inbound,
    '--outbound',
    `127.0.0.1:${outPort}`,
    '--admin',
    `127.0.0.1:${adminPort}`,
    '--tap',
    `127.0.0.1:${tapPort}`,
    '--endpoints',
    endpointsFile,
    '--log-level',
    'warn',
    ...(options.app ? ['--app', options.app] : []),
    ...(options.args ?? []).filter(
      (_, i) => inboundOverride < 0 || (i !== inboundOverride && i !== inboundOverride + 1),
    ),
  ];
  const proc = startMeshctl(t, args, options.env);
  const admin = `127.0.0.1:${adminPort}`;
  await waitFor(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`proxy exited early: ${proc.stderr()}`);
      const res = await fetch(`http://${admin}/ready`).catch(() => undefined);
      return res?.status === 200;
    },
    { timeoutMs: options.readyTimeoutMs ?? 30_000, what: `proxy ready on ${admin}` },
  );
  return {
    proc,
    inbound,
    outbound: `127.0.0.1:${outPort}`,
    admin,
    tap: `127.0.0.1:${tapPort}`,
    endpointsFile,
    async metrics() {
      const res = await fetch(`http://${admin}/metrics`);
      return parseMetrics(await res.text());
    },
    setEndpoints(endpoints) {
      writeFileSync(endpointsFile, JSON.stringify(endpoints));
    },
    memory() {
      const status = readStatus(proc.pid);
      return { rss: status.VmRSS ?? 0, hwm: status.VmHWM ?? 0 };
    },
  };
}

function readStatus(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  const text = readFileText(`/proc/${pid}/status`);
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (m) out[m[1] as string] = Number(m[2]) * 1024;
  }
  return out;
}

function readFileText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * A two-hop mesh path: client → outbound of a client-side proxy → inbound of a server-side proxy → app.
 * `authority` (e.g. web.test:80) resolves, in the client proxy, to the server proxy's inbound.
 */
export async function startMeshPath(
  t: TestContext,
  app: string,
  authority = 'web.test:80',
  extra: { clientArgs?: string[]; serverArgs?: string[] } = {},
): Promise<{ client: TestProxy; server: TestProxy; authority: string }> {
  const server = await startTestProxy(t, { app, ...(extra.serverArgs ? { args: extra.serverArgs } : {}) });
  const client = await startTestProxy(t, {
    endpoints: { [authority]: [server.inbound] },
    ...(extra.clientArgs ? { args: extra.clientArgs } : {}),
  });
  return { client, server, authority };
}
