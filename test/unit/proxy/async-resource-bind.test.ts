// The proxy's AsyncResource.prototype.bind (src/proxy/async-resource-bind.ts): same contract as Node's, and
// HTTP/2 client requests no longer leave their streams reachable from the old generation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncResource, executionAsyncId } from 'node:async_hooks';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { installLeanAsyncResourceBind } from '../../../src/proxy/async-resource-bind.js';

const run = promisify(execFile);

test('bind keeps its contract: async scope, this, arguments, result, length', () => {
  installLeanAsyncResourceBind();
  const resource = new AsyncResource('meshctl-test');
  const seen: { id: number; self: unknown; args: unknown[] }[] = [];
  function probe(this: unknown, a: unknown, b: unknown): string {
    seen.push({ id: executionAsyncId(), self: this, args: [a, b] });
    return 'result';
  }
  const owner = { name: 'owner' };
  // Node's bind takes an optional thisArg that @types/node does not declare.
  const bindTo = resource.bind.bind(resource) as <F>(fn: F, thisArg?: unknown) => F;
  const withThis = bindTo(probe, owner);
  const withCallerThis = resource.bind(probe);
  assert.equal(withThis(1, 2), 'result');
  const caller = { run: withCallerThis };
  assert.equal(caller.run(3, 4), 'result');
  assert.deepEqual(seen, [
    { id: resource.asyncId(), self: owner, args: [1, 2] },
    { id: resource.asyncId(), self: caller, args: [3, 4] },
  ]);
  assert.equal(withThis.length, 2);
  // The static helper goes through the prototype method.
  const viaStatic = AsyncResource.bind((x: number) => x * 2);
  assert.equal(viaStatic(21), 42);
  assert.throws(() => resource.bind(42 as unknown as () => void), TypeError);
});

// Runs HTTP/2 requests in a fresh process and reports how much the old generation grew per request across
// young-generation collections only (no full collection in between): what a request leaves for the next
// mark-compact.
const GROWTH_SCRIPT = `
import http2 from 'node:http2';
import v8 from 'node:v8';
import { installLeanAsyncResourceBind } from ${JSON.stringify(
  new URL('../../../src/proxy/async-resource-bind.js', import.meta.url).href,
)};
if (process.argv[1] === 'lean') installLeanAsyncResourceBind();
const server = http2.createServer();
server.on('stream', (s) => { s.respond({ ':status': 200 }); s.end('ok'); });
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const client = http2.connect('http://127.0.0.1:' + server.address().port);
await new Promise((r) => client.once('connect', r));
const one = () => new Promise((resolve) => {
  const req = client.request({ ':path': '/' });
  req.resume();
  req.on('close', resolve);
});
const turn = () => new Promise((r) => setTimeout(r, 20));
const oldUsed = () => v8.getHeapSpaceStatistics()
  .filter((s) => s.space_name !== 'new_space')
  .reduce((sum, s) => sum + s.space_used_size, 0);
for (let i = 0; i < 100; i++) await one();
gc();
await turn();
const before = oldUsed();
for (let i = 0; i < 1000; i++) await one();
await turn();
for (let i = 0; i < 3; i++) { gc({ type: 'minor' }); await turn(); }
console.log(JSON.stringify({ bytesPerRequest: (oldUsed() - before) / 1000 }));
client.close();
server.close();
`;

async function oldGenerationGrowth(mode: 'lean' | 'node'): Promise<number> {
  const { stdout } = await run(process.execPath, [
    '--expose-gc',
    '--input-type=module',
    '-e',
    GROWTH_SCRIPT,
    mode,
  ]);
  return (JSON.parse(stdout) as { bytesPerRequest: number }).bytesPerRequest;
}

test('closed HTTP/2 client streams die young with the proxy bind', async () => {
  const node = await oldGenerationGrowth('node');
  const lean = await oldGenerationGrowth('lean');
  // Node 22's own bind leaves ~3.5 KB per request in the old generation, the proxy's ~0.8 KB (what remains
  // is Node's stream bookkeeping: its Map and Set backing stores, reallocated as they grow and shrink).
  assert.ok(lean < 1500, `old generation grew ${lean.toFixed(0)} B per request with the proxy bind`);
  assert.ok(lean < node / 2, `proxy bind ${lean.toFixed(0)} B vs Node's ${node.toFixed(0)} B per request`);
});
