// The proxy loads undici's Pool without the rest of undici (src/proxy/endpoint/undici-pool.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';
import { Pool as UndiciPool } from 'undici';
import { Pool } from '../../../../src/proxy/endpoint/undici-pool.js';

const run = promisify(execFile);

test("the pool is undici's own Pool class, and forwards a request", async (t) => {
  assert.equal(Pool, UndiciPool);
  const server = http.createServer((_req, res) => res.end('pooled'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as { port: number };
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 1 });
  t.after(() => pool.close());
  const res = await pool.request({ path: '/', method: 'GET' });
  assert.equal(res.statusCode, 200);
  assert.equal(await res.body.text(), 'pooled');
});

test("loading it does not evaluate undici's entry point (fetch, WebSocket, caches)", async () => {
  const module = new URL('../../../../src/proxy/endpoint/undici-pool.js', import.meta.url).href;
  const script = `
    import { createRequire } from 'node:module';
    await import(${JSON.stringify(module)});
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({
      pool: loaded.some((f) => f.endsWith('/undici/lib/dispatcher/pool.js')),
      index: loaded.some((f) => f.endsWith('/undici/index.js')),
      fetch: loaded.some((f) => f.includes('/undici/lib/web/fetch/')),
    }));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
  assert.deepEqual(JSON.parse(stdout), { pool: true, index: false, fetch: false });
});
