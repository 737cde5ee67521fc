// The test's side of pod-agent.js: starts it inside a pod's namespace and sends it commands over stdin.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import type { AgentCommand, AgentReply, AppAnswer } from './pod-agent.js';

const AGENT_JS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pod-agent.js');

type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;

export class PodAgent {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: AgentReply) => void>();
  private stderr = '';
  private readonly ready: Promise<AgentReply>;

  private constructor(private readonly child: ChildProcess) {
    this.ready = new Promise((resolve) => this.waiting.set(0, resolve));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const reply = JSON.parse(line) as AgentReply;
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
    child.once('exit', (code, signal) => {
      for (const [id, done] of this.waiting) {
        done({ id, ok: false, error: `agent exited (${code ?? signal}): ${this.stderr.trim()}` });
      }
      this.waiting.clear();
    });
  }

  /** Starts the agent (the pod's app) in `netns` and waits until its servers listen. */
  static async start(t: TestContext, netns: string, args: readonly string[]): Promise<PodAgent> {
    const child = spawn('ip', ['netns', 'exec', netns, process.execPath, AGENT_JS, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    t.after(() => {
      child.kill('SIGKILL');
    });
    const agent = new PodAgent(child);
    const first = await agent.ready;
    if (!first.ok) throw new Error(`pod agent in ${netns} did not start: ${first.error ?? ''}`);
    return agent;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  request(command: Distribute<AgentCommand>): Promise<AgentReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.stdin?.write(JSON.stringify({ ...command, id }) + '\n');
    });
  }

  /** GET `url` from inside the pod (a new connection); throws unless it answered. */
  async http(url: string, host?: string): Promise<{ status: number; body: string }> {
    const r = await this.request({ op: 'http', url, ...(host === undefined ? {} : { host }) });
    if (!r.ok) throw new Error(`GET ${url} from the pod failed: ${r.error ?? ''}`);
    return { status: r.status ?? 0, body: r.body ?? '' };
  }

  /** GET from one of the pod apps' HTTP servers, which answer with what they saw. */
  async app(url: string, host?: string): Promise<AppAnswer> {
    const r = await this.http(url, host);
    if (r.status !== 200) throw new Error(`GET ${url}: status ${r.status}: ${r.body}`);
    return JSON.parse(r.body) as AppAnswer;
  }

  async tcp(host: string, port: number, send: string): Promise<string> {
    const r = await this.request({ op: 'tcp', host, port, send });
    if (!r.ok) throw new Error(`TCP ${host}:${port} from the pod failed: ${r.error ?? ''}`);
    return r.body ?? '';
  }

  async waitHttp(url: string, timeoutMs: number): Promise<string> {
    const r = await this.request({ op: 'wait-http', url, timeoutMs });
    if (!r.ok) throw new Error(r.error ?? `waiting for ${url} failed`);
    return r.body ?? '';
  }
}
