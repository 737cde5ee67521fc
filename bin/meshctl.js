#!/usr/bin/env node
// Entry point. Plain JavaScript on purpose: it must run on any Node to say clearly when the Node is too old,
// before loading modules (commander 15, ink 8, undici 8) that would fail with an obscure error.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `meshctl needs Node.js 22.19 or newer (found ${process.versions.node}).\n` +
      `Install Node 22 LTS from https://nodejs.org, or run it through npm, which uses the project's own Node:\n` +
      `  npm exec -- meshctl <command>\n`,
  );
  process.exit(1);
}
// Chalk (and so Ink) ignores NO_COLOR; FORCE_COLOR=0 is what it honours. Must happen before any import of them.
if (process.env.NO_COLOR) process.env.FORCE_COLOR = '0';

try {
  const { main } = await import('../dist/src/cli/main.js');
  await main(process.argv);
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/src/cli/main.js')) {
    process.stderr.write('meshctl is not built yet: run `npm run build` in the project directory first.\n');
    process.exit(1);
  }
  throw err;
}
