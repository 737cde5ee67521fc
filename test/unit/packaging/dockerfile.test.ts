// The Dockerfile cannot be built here (no Docker engine), so its structure is checked instead: pinned
// bases, a multi-stage build with npm ci and a pruned production install, a non-root distroless runtime
// whose entrypoint is meshctl, and build-context paths that exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../helpers/processes.js';

interface Stage {
  from: string;
  name: string | undefined;
  lines: string[];
}

/** Joins continuation lines, drops comments, splits into stages, and resolves ARG defaults in FROM. */
function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [instruction = '', ...rest] = line.split(/\s+/);
    const body = rest.join(' ');
    if (instruction === 'ARG' && stages.length === 0) {
      const [k = '', v = ''] = body.split('=');
      args.set(k, v);
    } else if (instruction === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(body);
      assert.ok(m, `FROM line: ${line}`);
      const from = (m[1] ?? '').replace(
        /^\$\{(\w+)\}$/,
        (_s, name: string) => args.get(name) ?? `<unset ${name}>`,
      );
      stages.push({ from, name: m[2], lines: [] });
    } else {
      stages.at(-1)?.lines.push(line);
    }
  }
  return { args, stages };
}

const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
const { stages } = parseDockerfile(dockerfile);
const stage = (name: string): Stage => {
  const s = stages.find((x) => x.name === name);
  assert.ok(s, `stage ${name}`);
  return s;
};

test('every base image is pinned by digest', () => {
  assert.ok(stages.length >= 3, 'build, proxy-init and runtime stages');
  for (const s of stages)
    assert.match(s.from, /^[a-z0-9./-]+(:[\w.-]+)?@sha256:[0-9a-f]{64}$/, `${s.name}: ${s.from}`);
});

test('the build stage installs with npm ci, builds, and prunes dev dependencies', () => {
  const build = stage('build').lines.join('\n');
  assert.match(build, /RUN npm ci\b/);
  assert.match(build, /npm run build/);
  assert.match(build, /npm prune --omit=dev/);
  assert.ok(build.indexOf('npm ci') < build.indexOf('COPY src'), 'dependencies are a layer of their own');
});

test('the default (last) stage is distroless Node 22, non-root, with meshctl as its entrypoint', () => {
  const runtime = stages.at(-1);
  assert.ok(runtime);
  assert.match(runtime.from, /^gcr\.io\/distroless\/nodejs22-debian12:nonroot@/);
  const user = runtime.lines.filter((l) => l.startsWith('USER ')).at(-1);
  assert.ok(user, 'sets USER');
  assert.doesNotMatch(user, /^USER (0|root)\b/, 'never root');
  const entrypoint = runtime.lines.find((l) => l.startsWith('ENTRYPOINT '));
  assert.ok(entrypoint);
  assert.deepEqual(JSON.parse(entrypoint.slice('ENTRYPOINT '.length)), [
    '/nodejs/bin/node',
    '/app/bin/meshctl.js',
  ]);
  for (const needed of [
    '/src/dist/src',
    '/src/node_modules',
    '/src/bin',
    '/src/package.json',
    '/src/manifests',
  ]) {
    assert.ok(
      runtime.lines.some((l) => l.startsWith('COPY --from=build') && l.includes(needed)),
      needed,
    );
  }
});

test('the proxy-init target has iptables and runs meshctl', () => {
  const init = stage('proxy-init').lines.join('\n');
  assert.match(init, /apt-get install[^\n]*\biptables\b/);
  assert.match(init, /ENTRYPOINT \["node", "\/app\/bin\/meshctl\.js"\]/);
});

test('what the build copies from the context exists, and .dockerignore keeps the rest out', () => {
  for (const line of stage('build').lines.filter((l) => l.startsWith('COPY ') && !l.includes('--from'))) {
    const parts = line.split(/\s+/).slice(1, -1);
    for (const p of parts) assert.ok(existsSync(path.join(REPO_ROOT, p)), `${p} exists`);
  }
  const ignore = readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');
  for (const p of ['node_modules', 'dist', '.git']) assert.ok(ignore.includes(p), p);
});

test('the images the manifests use are the ones this Dockerfile builds', () => {
  const values = readFileSync(path.join(REPO_ROOT, 'manifests', 'values.yaml'), 'utf8');
  const image = (key: string): string | undefined => new RegExp(`^${key}: (\\S+)`, 'm').exec(values)?.[1];
  assert.equal(image('controllerImage'), image('proxyImage'), 'one image runs control plane and proxy');
  assert.match(dockerfile, new RegExp(`-t ${image('proxyImage') ?? '?'}:`));
  assert.match(dockerfile, new RegExp(`--target proxy-init -t ${image('proxyInitImage') ?? '?'}:`));
});
