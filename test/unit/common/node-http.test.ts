// src/common/node-http.ts: the processes we ship load node:http without its ES-module facade, so Node's
// bundled undici (fetch, WebSocket and their WebAssembly parser, ≈ 9.5 MB resident) stays unloaded until
// something really uses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

// The control plane is not listed: @kubernetes/client-node, which it loads for its Kubernetes back ends,
// imports node:http as an ES module itself.
const ENTRIES = ['cli/main.js', 'proxy/main.js', 'demo/apps/main.js'].map(
  (entry) => new URL(`../../../src/${entry}`, import.meta.url).href,
);

async function bundledUndiciLoadedBy(script: string): Promise<boolean> {
  const probe = `${script}
console.log(JSON.stringify(process.moduleLoadList.some((m) => m.includes('internal/deps/undici'))));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe]);
  return JSON.parse(stdout) as boolean;
}

test("importing the CLI, the proxy and the demo apps leaves Node's undici unloaded", async () => {
  const imports = ENTRIES.map((href) => `await import(${JSON.stringify(href)});`).join('\n');
  assert.equal(await bundledUndiciLoadedBy(imports), false);
});

test('the probe sees the cost an ES import of node:http has', async () => {
  assert.equal(await bundledUndiciLoadedBy("await import('node:http');"), true);
  const { http } = await import('../../../src/common/node-http.js');
  assert.equal(typeof http.createServer, 'function');
});
