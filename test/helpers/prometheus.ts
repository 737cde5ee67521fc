// A real Prometheus server for tests (Debian package `prometheus`): run in the foreground on 127.0.0.1 with a
// temp config and data directory, scraping the given targets every second, stopped by the test's cleanup.
// Never the system service.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { freePort } from './ports.js';
import { startProcess, type OwnedProcess } from './processes.js';
import { waitFor } from './wait.js';

export const PROMETHEUS_BIN = process.env['PROMETHEUS_BIN'] ?? '/usr/bin/prometheus';

export interface PrometheusTarget {
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface TestPrometheus {
  readonly proc: OwnedProcess;
  readonly url: string;
  readonly job: string;
}

/** Why a real Prometheus cannot run here, or undefined when it can. */
export function prometheusUnavailable(): string | undefined {
  return existsSync(PROMETHEUS_BIN)
    ? undefined
    : `no Prometheus at ${PROMETHEUS_BIN} (apt-get install --no-install-recommends prometheus, or set PROMETHEUS_BIN)`;
}

export async function startPrometheus(
  t: TestContext,
  targets: readonly PrometheusTarget[],
  options: { scrapeIntervalMs?: number } = {},
): Promise<TestPrometheus> {
  const interval = `${options.scrapeIntervalMs ?? 1000}ms`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meshctl-prometheus-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const job = 'mesh';
  const config = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  scrape_timeout: ${interval}`,
    'scrape_configs:',
    `  - job_name: ${job}`,
    '    static_configs:',
    ...targets.flatMap((target) => [
      `      - targets: [${JSON.stringify(target.address)}]`,
      `        labels: ${JSON.stringify(target.labels)}`,
    ]),
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const proc = startProcess(t, PROMETHEUS_BIN, [
    `--config.file=${path.join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`prometheus exited: ${proc.stderr()}`);
      const res = await fetch(`${url}/-/ready`).catch(() => undefined);
      return res?.status === 200;
    },
    { timeoutMs: 30_000, what: `prometheus ready on ${url}` },
  );
  // Ready is not scraping: the scrape manager applies its targets on a 5-second tick. Tests need data from
  // the start, so wait until every target has been scraped once.
  await waitFor(
    async () => {
      const r = await queryPrometheus(url, `count(up{job="${job}"} == 1)`, Date.now());
      return Number(r[0]?.value?.[1] ?? 0) === targets.length;
    },
    { timeoutMs: 30_000, what: `prometheus scraping all ${targets.length} targets` },
  );
  return { proc, url, job };
}

/** Runs a PromQL query at `atMs` and returns its data (vector or matrix results). */
export async function queryPrometheus(
  url: string,
  query: string,
  atMs: number,
): Promise<{ metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[]> {
  const res = await fetch(`${url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query, time: (atMs / 1000).toFixed(3) }).toString(),
  });
  const body = (await res.json()) as { status: string; error?: string; data: { result: never[] } };
  if (body.status !== 'success') throw new Error(`prometheus query ${query} failed: ${body.error}`);
  return body.data.result;
}
