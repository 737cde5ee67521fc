// node:http, loaded without the ES-module facade. To build the facade for `import http from 'node:http'`,
// Node reads every export once, and node:http's lazy `WebSocket` export then loads Node's whole bundled
// undici (fetch, WebSocket, EventSource and their WASM HTTP parser): about 9.5 MB of resident memory in a
// process that never uses any of it, measured on Node 22 (an ESM import 57.3 MB, require() 47.8 MB).
// require() hands back the module object untouched. Type-only imports of 'node:http' stay as they are;
// the lint rule in eslint.config.js sends every value import here.
import type * as NodeHttp from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const http = require('node:http') as typeof NodeHttp;
