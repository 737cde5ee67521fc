// undici's connection Pool, loaded on its own. `import { Pool } from 'undici'` evaluates all of undici
// (fetch, WebSocket, EventSource, caches, mocks), which an idle proxy carries as ~7 MB of resident memory
// it never uses. undici has no "exports" map, so its files are addressable; the version is pinned in
// package.json, and test/unit/proxy/endpoint/undici-pool.test.ts fails if this path stops being the Pool.
import { createRequire } from 'node:module';
import type { Pool as UndiciPool } from 'undici';

const require = createRequire(import.meta.url);

export const Pool = require('undici/lib/dispatcher/pool.js') as typeof UndiciPool;
export type Pool = UndiciPool;
