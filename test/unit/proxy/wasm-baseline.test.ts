// keepWebAssemblyOnBaselineCompiler (src/proxy/wasm-baseline.ts): undici's WebAssembly HTTP/1.1 parser stays
// on Liftoff, so no TurboFan compile of it inflates the proxy's peak memory once traffic starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

// In a fresh process: 300 HTTP/1.1 responses parsed by the proxy's undici Pool (llhttp in WebAssembly), then
// V8's peak of compiler and parser memory. A TurboFan compile of llhttp shows as ≈ 17 MB on its own.
const PEAK_SCRIPT = `
import http from 'node:http';
import v8 from 'node:v8';
const { keepWebAssemblyOnBaselineCompiler } = await import(${JSON.stringify(
  new URL('../../../src/proxy/wasm-baseline.js', import.meta.url).href,
)});
const { Pool } = await import(${JSON.stringify(new URL('../../../src/proxy/endpoint/undici-pool.js', import.meta.url).href)});
if (process.argv[1] === 'baseline') keepWebAssemblyOnBaselineCompiler();
const server = http.createServer((req, res) => res.end('hello'));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const pool = new Pool('http://127.0.0.1:' + server.address().port, { connections: 2 });
const one = () => new Promise((resolve, reject) => {
  pool.dispatch({ origin: pool.origin, path: '/', method: 'GET' }, {
    onRequestStart() {}, onResponseStart() {}, onResponseData() {},
    onResponseEnd: resolve, onResponseError: (_c, err) => reject(err),
  });
});
for (let i = 0; i < 300; i++) await one();
// Tier-up compiles on a background thread; give it time to finish.
await new Promise((r) => setTimeout(r, 300));
console.log(JSON.stringify({ peak: v8.getHeapStatistics().peak_malloced_memory }));
await pool.close();
server.close();
`;

async function peakCompilerMemory(mode: 'baseline' | 'node'): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', PEAK_SCRIPT, mode]);
  return (JSON.parse(stdout) as { peak: number }).peak;
}

test("undici's WebAssembly parser is not recompiled by the optimising tier", async () => {
  const node = await peakCompilerMemory('node');
  const baseline = await peakCompilerMemory('baseline');
  const mb = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MB`;
  // The control shows the cost still exists in this Node; if it ever stops, this test says so.
  assert.ok(node > 10 * 2 ** 20, `without the flag V8 peaked at only ${mb(node)}: has tier-up changed?`);
  assert.ok(baseline < 6 * 2 ** 20, `with the flag V8 still peaked at ${mb(baseline)}`);
});
