// What a benchmark target is: where clients connect for each protocol, which processes on that path are
// the target's cost (CPU, memory), and how it was started — plus helpers shared by the target starters.
import net from 'node:net';
import type { OriginPorts } from '../origin/contract.js';
import type { ProcessRegistry, Managed } from '../system/processes.js';
import type { ToolInfo, ToolName } from '../tools/tools.js';

export type Protocol = 'h1' | 'h2' | 'grpc' | 'tcp';

export const TARGET_IDS = [
  'direct',
  'meshctl',
  'meshctl-pair',
  'haproxy',
  'nginx',
  'http-proxy',
  'undici',
] as const;
export type TargetId = (typeof TARGET_IDS)[number];

/** Host / :authority each protocol's requests carry (the meshctl outbound routes on it). */
export const AUTHORITY: Record<Protocol, string> = {
  h1: 'h1.bench',
  h2: 'h2.bench',
  grpc: 'grpc.bench',
  tcp: 'tcp.bench:9000',
};

export interface ProcessRef {
  readonly role: string;
  readonly pid: number;
  readonly commandLine: string;
}

export interface TargetEndpoint {
  readonly port: number;
  /** Processes on this path whose CPU and memory are the target's cost (none for direct). */
  readonly processes: readonly ProcessRef[];
  /** Caveat shown next to the figures, e.g. a protocol change inside the target. */
  readonly note?: string;
}

export interface RunningTarget {
  readonly id: TargetId;
  readonly label: string;
  readonly endpoints: Partial<Record<Protocol, TargetEndpoint>>;
  readonly processes: readonly ProcessRef[];
  /** Configuration files written for it (name → text), for the report. */
  readonly configs: Readonly<Record<string, string>>;
  readonly notes: readonly string[];
}

export interface TargetContext {
  readonly registry: ProcessRegistry;
  readonly origin: OriginPorts;
  readonly tools: ReadonlyMap<ToolName, ToolInfo>;
  /** A private temporary directory for configs, pid files and endpoint files. */
  readonly workDir: string;
  readonly repoRoot: string;
  /** Extra Node flags for meshctl proxies (e.g. --max-semi-space-size=4), recorded in the report. */
  readonly meshctlNodeFlags: readonly string[];
  /** Sidecar pair with mesh mTLS between the proxies (the default; --no-mtls for plaintext). */
  readonly mtls: boolean;
}

export function ref(role: string, p: Managed): ProcessRef {
  return { role, pid: p.pid, commandLine: p.commandLine };
}

/** A free loopback port (the kernel's choice, released for the process that will bind it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Waits until something accepts connections on the port, or fails with the process's output. */
export async function waitForPort(port: number, owner: Managed, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (!owner.running) {
      const last = owner.stderr().trim().split('\n').slice(-3).join(' | ');
      throw new Error(`${owner.name} exited before listening on ${port}: ${last}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (performance.now() > deadline)
      throw new Error(`${owner.name} did not listen on ${port} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until GET `url` answers 200 (e.g. a proxy's /ready once it has its certificate). */
export async function waitForHttpOk(url: string, owner: Managed, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last: string;
  for (;;) {
    if (!owner.running) {
      const tail = owner.stderr().trim().split('\n').slice(-3).join(' | ');
      throw new Error(`${owner.name} exited while waiting for ${url}: ${tail}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const body = (await res.text()).trim();
      if (res.status === 200) return;
      last = `${res.status} ${body}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (performance.now() > deadline) {
      const tail = owner.stderr().trim().split('\n').slice(-3).join(' | ');
      throw new Error(
        `${owner.name}: ${url} not ready in ${timeoutMs} ms (last: ${last})${tail === '' ? '' : `; stderr: ${tail}`}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for the first JSON line a child prints on stdout (Node targets report their ports this way). */
export async function firstJsonLine<T>(p: Managed, timeoutMs = 15_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const line = p
      .stdout()
      .split('\n')
      .find((l) => l.startsWith('{'));
    if (line !== undefined) return JSON.parse(line) as T;
    if (!p.running) throw new Error(`${p.name} exited early:\n${p.stderr().slice(-1500)}`);
    if (performance.now() > deadline) throw new Error(`${p.name} printed no ports in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
