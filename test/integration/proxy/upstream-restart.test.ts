// A server-side proxy killed and restarted on the same address (what `meshctl demo` and Kubernetes do):
// the client proxy must notice the dead connection and use a new one, for HTTP/2 and HTTP/1.1 alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import { startMeshPath, startTestProxy } from '../../helpers/mesh.js';
import { startH2Origin, startHttpOrigin } from '../../helpers/origins.js';
import { waitFor } from '../../helpers/wait.js';

/** One HTTP/2 request on a new client connection; resolves with the status (0 when the stream failed). */
function h2Get(outbound: string, authority: string): Promise<number> {
  return new Promise((resolve) => {
    const session = http2.connect(`http://${outbound}`);
    session.on('error', () => resolve(0));
    const req = session.request({ ':path': '/', ':authority': authority });
    req.setTimeout(2000, () => req.close(http2.constants.NGHTTP2_CANCEL));
    let status = 0;
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('error', () => undefined);
    req.on('close', () => {
      session.close();
      resolve(status);
    });
    req.resume();
    req.end();
  });
}

function h1Get(outbound: string, authority: string): Promise<number> {
  const [host, port] = outbound.split(':');
  return new Promise((resolve) => {
    const req = http.get({ host, port: Number(port), path: '/', headers: { host: authority }, agent: false });
    req.setTimeout(2000, () => req.destroy());
    req.on('error', () => resolve(0));
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
  });
}

for (const protocol of ['HTTP/2', 'HTTP/1.1'] as const) {
  test(`${protocol}: after the server proxy is killed and restarted, requests reach the new one`, async (t) => {
    const origin =
      protocol === 'HTTP/2'
        ? await startH2Origin(t, (stream) => {
            stream.respond({ ':status': 200 });
            stream.end('ok');
          })
        : await startHttpOrigin(t, (_req, res) => res.end('ok'));
    const { client, server, authority } = await startMeshPath(t, origin.address);
    const get = protocol === 'HTTP/2' ? h2Get : h1Get;
    for (let i = 0; i < 5; i++) assert.equal(await get(client.outbound, authority), 200);

    server.proc.child.kill('SIGKILL');
    await new Promise((resolve) => server.proc.child.once('exit', resolve));
    await startTestProxy(t, { app: origin.address, args: ['--inbound', server.inbound] });
    const before = origin.requests;

    // The first request may meet the dead connection; within a few tries they must all succeed again.
    await waitFor(async () => (await get(client.outbound, authority)) === 200, {
      timeoutMs: 10_000,
      what: 'a request through the restarted server proxy',
    });
    for (let i = 0; i < 10; i++) assert.equal(await get(client.outbound, authority), 200, `request ${i}`);
    assert.ok(origin.requests >= before + 11, 'the requests reached the origin');
  });
}
