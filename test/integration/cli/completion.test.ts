// `meshctl completion`: scripts generated from the command tree; the bash one is checked by bash itself and
// driven the way bash drives it when Tab is pressed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildProgram } from '../../../src/cli/main.js';
import { runMeshctl } from '../../helpers/processes.js';

function bash(script: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the bash script is valid bash and completes every command, its flags and their values', async (t) => {
  const r = await runMeshctl(['completion', 'bash']);
  assert.equal(r.code, 0, r.stderr);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meshctl-completion-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'meshctl.bash');
  writeFileSync(file, r.stdout);
  const syntax = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);

  const program = buildProgram();
  const visible = program
    .createHelp()
    .visibleCommands(program)
    .filter((c) => c.name() !== 'help');
  assert.ok(visible.length >= 15);
  const complete = (...words: string[]): string[] => {
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const out = bash(
      `source '${file}'; COMP_WORDS=(meshctl ${quoted}); COMP_CWORD=${words.length}; _meshctl_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
    );
    assert.equal(out.status, 0, out.stderr);
    return out.stdout.split('\n').filter((l) => l !== '');
  };
  // Every command is offered at the top, and each one's own flags after it.
  const top = complete('');
  for (const cmd of visible) {
    assert.ok(top.includes(cmd.name()), `top level offers ${cmd.name()}`);
    const flags = complete(cmd.name(), '-');
    for (const opt of program.createHelp().visibleOptions(cmd)) {
      const flag = opt.long ?? opt.short ?? '';
      assert.ok(flags.includes(flag), `${cmd.name()} offers ${flag}`);
    }
  }
  assert.deepEqual(complete('st'), ['stat']);
  assert.deepEqual(complete('stat', '-o', ''), ['table', 'wide', 'json', 'jsonl', 'yaml']);
  assert.deepEqual(complete('tap', '-o', ''), ['table', 'wide', 'json', 'jsonl']);
  assert.deepEqual(complete('stat', '-n', 'demo', 'deploy'), ['deployment', 'deploy', 'deployments']);
  assert.deepEqual(complete('tap', 'workload/web', '--to', 'sv'), ['svc']);
  assert.deepEqual(complete('ep', '--all'), ['--all-namespaces']);
  assert.deepEqual(complete('identity', ''), ['create', 'inspect']);
  assert.deepEqual(complete('completion', ''), ['bash', 'zsh', 'fish']);
});

test('zsh and fish scripts name every command; an unknown shell is a usage error', async () => {
  const program = buildProgram();
  const names = program
    .createHelp()
    .visibleCommands(program)
    .map((c) => c.name())
    .filter((n) => n !== 'help');
  const zsh = await runMeshctl(['completion', 'zsh']);
  assert.equal(zsh.code, 0, zsh.stderr);
  assert.match(zsh.stdout, /^#compdef meshctl\n/);
  const fish = await runMeshctl(['completion', 'fish']);
  assert.equal(fish.code, 0, fish.stderr);
  for (const n of names) {
    assert.ok(zsh.stdout.includes(`'${n}:`), `zsh: ${n}`);
    assert.ok(fish.stdout.includes(` -a ${n} -d `), `fish: ${n}`);
  }
  const bad = await runMeshctl(['completion', 'tcsh']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /tcsh/);
});
