// Prints the RSS a fresh Node process has after importing one module (or nothing), so the profile can show
// what each dependency costs the proxy's idle footprint. `node rss-probe.js [specifier]` → one JSON line.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const spec = process.argv[2];
const root = process.argv[3] ?? process.cwd();

async function main(): Promise<void> {
  if (spec !== undefined && spec !== '') {
    if (spec.startsWith('.') || spec.startsWith('/'))
      await import(pathToFileURL(path.resolve(root, spec)).href);
    else createRequire(path.join(root, 'package.json'))(spec);
  }
  await new Promise((r) => setTimeout(r, 1500));
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  process.stdout.write(
    `${JSON.stringify({ module: spec ?? '', rssMb: kb('VmRSS') / 1024, anonMb: kb('RssAnon') / 1024, heapUsedMb: process.memoryUsage().heapUsed / 1048576 })}\n`,
  );
}

void main();
