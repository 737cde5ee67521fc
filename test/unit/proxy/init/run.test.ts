// Applying proxy-init's commands with a stand-in for iptables: which failures are fatal, what the errors
// say, and that cleanup removes repeated jumps and tolerates having nothing to remove.
import assert from 'node:assert/strict';
import test from 'node:test';
import { MeshError } from '../../../../src/common/errors.js';
import { applyCommands, runProxyInit, type CommandResult } from '../../../../src/proxy/init/run.js';

type Fake = (argv: readonly string[]) => CommandResult;
const ok: CommandResult = { status: 0, stderr: '' };
const noChain: CommandResult = { status: 1, stderr: 'iptables: No chain/target/match by that name.\n' };

async function run(
  args: Record<string, string | boolean>,
  fake: Fake,
): Promise<{ out: string; calls: string[] }> {
  const calls: string[] = [];
  let out = '';
  await runProxyInit(
    args,
    {},
    (argv) => {
      calls.push(argv.join(' '));
      return fake(argv);
    },
    (t) => (out += t),
  );
  return { out, calls };
}

test('a first install: cleanup finds nothing, every rule is added, the trace and summary are printed', async () => {
  const { out, calls } = await run({}, (argv) =>
    argv.includes('-D') || argv.includes('-F') || argv.includes('-X') ? noChain : ok,
  );
  assert.equal(calls.length, 15, '6 cleanup commands, 9 rules');
  assert.match(out, /^\+ iptables -w 10 -t nat -N MESH_INBOUND$/m);
  assert.doesNotMatch(out, /-X MESH_INBOUND/, 'failed cleanup is not traced');
  assert.match(
    out,
    /rules installed: inbound TCP → port 4143 \(except ports 4143,4190,4191\); outbound TCP → 127\.0\.0\.1:4140 \(except uid 2102, loopback, ports none\)/,
  );
});

test('reinstalling deletes every copy of a jump rule (bounded), then flushes and recreates the chains', async () => {
  let prerouting = 3;
  const { calls } = await run({}, (argv) => {
    if (argv.includes('-D') && argv.includes('PREROUTING')) return prerouting-- > 0 ? ok : noChain;
    return ok;
  });
  assert.equal(calls.filter((c) => c.includes('-D PREROUTING')).length, 4);
  assert.equal(
    calls.filter((c) => c.includes('-D OUTPUT')).length,
    16,
    'a jump that never goes away: bounded',
  );
});

test('iptables missing, or not allowed, is fatal at once with a hint; so is a rule the kernel refuses', async () => {
  const missing: Fake = () => ({
    status: null,
    stderr: '',
    error: Object.assign(new Error('spawn iptables ENOENT'), { code: 'ENOENT' }),
  });
  await assert.rejects(run({ iptables: '/sbin/nope' }, missing), (err: unknown) => {
    assert.ok(err instanceof MeshError);
    assert.equal(err.code, 'MESH_IPTABLES_MISSING');
    assert.match(err.message, /\/sbin\/nope not found/);
    assert.match(err.hint ?? '', /apt-get install iptables/);
    return true;
  });
  const denied: Fake = () => ({
    status: 4,
    stderr:
      'iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)\n',
  });
  await assert.rejects(run({}, denied), (err: unknown) => {
    assert.ok(err instanceof MeshError);
    assert.equal(err.code, 'MESH_IPTABLES_PERMISSION');
    assert.match(err.hint ?? '', /NET_ADMIN and NET_RAW/);
    return true;
  });
  const refused: Fake = (argv) =>
    argv.includes('REDIRECT') ? { status: 2, stderr: "iptables: Couldn't load target `REDIRECT'\n" } : ok;
  await assert.rejects(run({}, refused), (err: unknown) => {
    assert.ok(err instanceof MeshError);
    assert.equal(err.code, 'MESH_IPTABLES_FAILED');
    assert.match(
      err.message,
      /-A MESH_INBOUND -p tcp -j REDIRECT --to-ports 4143 failed \(exit 2\): iptables: Couldn't load target/,
    );
    return true;
  });
});

test('--dry-run prints a runnable script and runs nothing; --uninstall says whether it removed anything', async () => {
  const dry = await run({ dryRun: true }, () => assert.fail('nothing runs in a dry run'));
  assert.deepEqual(dry.calls, []);
  assert.match(dry.out, /^# meshctl proxy-init: inbound TCP/);
  assert.match(dry.out, /^iptables -w 10 -t nat -X MESH_OUTBOUND 2>\/dev\/null \|\| true$/m);
  assert.match((await run({ uninstall: true }, () => noChain)).out, /no rules to remove/);
  assert.match(
    (await run({ uninstall: true }, (a) => (a.includes('-D') ? noChain : ok))).out,
    /rules removed/,
  );
});

test('applyCommands reports how many cleanup commands removed something', () => {
  const { removed } = applyCommands(
    [
      { argv: ['iptables', '-F', 'X'], cleanup: true },
      { argv: ['iptables', '-X', 'X'], cleanup: true },
    ],
    (argv) => (argv.includes('-F') ? ok : noChain),
    () => undefined,
  );
  assert.equal(removed, 1);
});
