// Runs inside a simulated pod (a network namespace): the pod's app, and the test's hands in the pod.
// The app: HTTP servers that answer with the port they serve and who connected, and "banner" TCP servers
// that speak first (like SMTP or MySQL) and then echo. The hands: JSON commands on stdin (one per line),
// answered on stdout, so the test, outside the namespace, can make connections from inside it.
//   node pod-agent.js --http 8080,8081 --tcp 9000
import http from 'node:http';
import net from 'node:net';
import readline from 'node:readline';

export type AgentCommand =
  | { id: number; op: 'http'; url: string; host?: string; timeoutMs?: number }
  | { id: number; op: 'tcp'; host: string; port: number; send: string; timeoutMs?: number }
  | { id: number; op: 'wait-http'; url: string; timeoutMs: number };

export interface AgentReply {
  id: number;
  ok: boolean;
  status?: number;
  body?: string;
  error?: string;
}

/** What the HTTP app answers: JSON, so the test can tell which port and which peer it saw. */
export interface AppAnswer {
  port: number;
  remote: string;
  clientId: string | null;
}

function listOf(flag: string): number[] {
  const i = process.argv.indexOf(flag);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  return value ? value.split(',').map(Number) : [];
}

function unmapped(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:/, '');
}

async function serveHttp(port: number): Promise<void> {
  const server = http.createServer((req, res) => {
    const answer: AppAnswer = {
      port,
      remote: unmapped(req.socket.remoteAddress),
      clientId: typeof req.headers['mesh-client-id'] === 'string' ? req.headers['mesh-client-id'] : null,
    };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(port, '0.0.0.0', resolve));
}

async function serveBanner(port: number): Promise<void> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => undefined);
    socket.write(`banner ${port} from ${unmapped(socket.remoteAddress)}\n`);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(port, '0.0.0.0', resolve));
}

function httpGet(url: string, timeoutMs: number, host?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // agent: false: a new connection per request, so the proxies' connection counts are exact.
    const headers = host === undefined ? {} : { host };
    const req = http.get(url, { agent: false, timeout: timeoutMs, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** Connects, reads the server's banner, sends `send`, half-closes, and returns everything received. */
function tcpExchange(host: string, port: number, send: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, allowHalfOpen: true });
    let data = '';
    let sent = false;
    const timer = setTimeout(
      () => socket.destroy(new Error(`timeout after ${timeoutMs} ms: got ${JSON.stringify(data)}`)),
      timeoutMs,
    );
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      data += d;
      // Speak only after the banner: proves the server-first protocol was not held up by detection.
      if (!sent && data.includes('\n')) {
        sent = true;
        socket.end(send);
      }
    });
    socket.on('end', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(data);
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

async function waitHttp(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const r = await httpGet(url, 1000);
      if (r.status === 200) return r;
      last = `status ${r.status}: ${r.body}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function handle(cmd: AgentCommand): Promise<AgentReply> {
  try {
    switch (cmd.op) {
      case 'http':
        return { id: cmd.id, ok: true, ...(await httpGet(cmd.url, cmd.timeoutMs ?? 10_000, cmd.host)) };
      case 'tcp':
        return {
          id: cmd.id,
          ok: true,
          body: await tcpExchange(cmd.host, cmd.port, cmd.send, cmd.timeoutMs ?? 10_000),
        };
      case 'wait-http':
        return { id: cmd.id, ok: true, ...(await waitHttp(cmd.url, cmd.timeoutMs)) };
    }
  } catch (err) {
    return { id: cmd.id, ok: false, error: (err as Error).message };
  }
}

async function main(): Promise<void> {
  for (const port of listOf('--http')) await serveHttp(port);
  for (const port of listOf('--tcp')) await serveBanner(port);
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    void handle(JSON.parse(line) as AgentCommand).then((reply) =>
      process.stdout.write(JSON.stringify(reply) + '\n'),
    );
  });
  // The test's end of stdin closing means the test is gone: so is the pod.
  lines.on('close', () => process.exit(0));
  process.stdout.write(JSON.stringify({ id: 0, ok: true, body: 'ready' }) + '\n');
}

void main();
