// The demo's traffic generator: a steady, open-loop stream of requests to the web front end through its
// own sidecar, a mix of listing and fetching, so every route has traffic.
import { Pool } from 'undici';
import type { AppHandle } from './books.js';

export async function runTraffic(outbound: string, rps: number): Promise<AppHandle> {
  const web = new Pool(`http://${outbound}`, { connections: 32 });
  let n = 0;
  const fire = (): void => {
    if (closed) return;
    n++;
    // 30 % listings, 70 % single books (every fifth is slow, and author lookups sometimes fail).
    const path = n % 10 < 3 ? '/api/books' : `/api/books/${1 + (n % 10)}`;
    web
      .request({
        path,
        method: 'GET',
        headers: { host: 'web.demo' },
        headersTimeout: 5000,
        bodyTimeout: 5000,
      })
      .then(
        (res) => res.body.dump(),
        () => undefined,
      );
  };
  let closed = false;
  // Start only once web answers through the mesh, so that start-up does not show up as failures.
  for (let tries = 0; tries < 300 && !closed; tries++) {
    const ok = await web
      .request({ path: '/healthz', method: 'GET', headers: { host: 'web.demo' }, headersTimeout: 1000 })
      .then(
        async (res) => (await res.body.dump(), res.statusCode === 200),
        () => false,
      );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const timer = setInterval(fire, 1000 / rps);
  return {
    async close() {
      closed = true;
      clearInterval(timer);
      await web.close();
    },
  };
}
