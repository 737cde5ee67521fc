// Builds the proxy's native addon (native/: SO_ORIGINAL_DST for transparent capture) with the node-gyp
// that ships with npm, offline: against Node headers already on the machine, never downloaded ones.
// Part of `npm run build`. Linux only (the socket option is Linux's); elsewhere it says so and skips.
// MESHCTL_SKIP_NATIVE=1 skips it too: the proxy then runs without transparent capture and says why.
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = path.join(root, 'native');
const output = path.join(nativeDir, 'build', 'Release', 'original_dst.node');
const sources = ['binding.gyp', 'original_dst.c'].map((f) => path.join(nativeDir, f));

function log(message) {
  process.stderr.write(`build-native: ${message}\n`);
}

if (process.platform !== 'linux') {
  log(`skipped on ${process.platform}: SO_ORIGINAL_DST is Linux-only (transparent capture is unavailable)`);
  process.exit(0);
}
if (process.env.MESHCTL_SKIP_NATIVE === '1') {
  log('skipped (MESHCTL_SKIP_NATIVE=1): the proxy will run without transparent capture');
  process.exit(0);
}
if (existsSync(output)) {
  const built = statSync(output).mtimeMs;
  if (sources.every((s) => statSync(s).mtimeMs <= built)) process.exit(0);
}

/** node-gyp as npm runs it for install scripts; else the copy inside the npm that is on PATH. */
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  const npm = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' });
  if (npm.status === 0)
    candidates.push(path.join(npm.stdout.trim(), 'npm/node_modules/node-gyp/bin/node-gyp.js'));
  return candidates.find((c) => c !== undefined && c !== '' && existsSync(c));
}

/** A directory with include/node/node_api.h: npm's nodedir setting, this Node's prefix, or the system's. */
function findNodeDir() {
  const prefix = path.resolve(path.dirname(realpathSync(process.execPath)), '..');
  const candidates = [process.env.npm_config_nodedir, prefix, '/usr/local', '/usr'];
  return candidates.find((d) => d && existsSync(path.join(d, 'include', 'node', 'node_api.h')));
}

const nodeGyp = findNodeGyp();
const nodeDir = findNodeDir();
const missing = [
  nodeGyp === undefined ? 'node-gyp (it ships with npm)' : undefined,
  nodeDir === undefined ? "Node's C headers (include/node/node_api.h)" : undefined,
].filter(Boolean);
if (missing.length > 0) {
  log(`cannot build native/: missing ${missing.join(' and ')}`);
  log(
    'install Node with its headers (Debian: apt-get install nodejs libnode-dev), or set MESHCTL_SKIP_NATIVE=1',
  );
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  [nodeGyp, 'rebuild', '--directory', nativeDir, `--nodedir=${nodeDir}`, '--loglevel=warn'],
  { stdio: 'inherit', env: { ...process.env, npm_config_nodedir: nodeDir } },
);
if (result.status !== 0) {
  log(
    'node-gyp failed: it needs python3, make and a C/C++ compiler (Debian: apt-get install python3 make g++)',
  );
  log('or set MESHCTL_SKIP_NATIVE=1 to build without the addon (no transparent capture)');
  process.exit(1);
}
log(`built ${path.relative(root, output)} against the headers in ${nodeDir}`);
