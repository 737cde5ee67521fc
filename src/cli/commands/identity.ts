// `meshctl identity create|inspect`: make a trust anchor and issuer for local use, and read certificates.
import { readFileSync } from 'node:fs';
import { Option, type Command } from '@commander-js/extra-typings';
import { UsageError } from '../../common/errors.js';
import { parseDuration } from '../../common/duration.js';
import { outputOption, renderJson, renderYaml, writeOut } from '../output.js';

async function readInput(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      'MESH_NO_FILE',
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

const days = (text: string, what: string): number => Math.round(parseDuration(text, what) / 86_400_000);

export function registerIdentity(program: Command): void {
  const identity = program.command('identity').description('make and inspect mesh identity certificates');

  identity
    .command('create')
    .description('write a trust anchor (ca.crt, ca.key) and an issuer (issuer.crt, issuer.key), ECDSA P-256')
    .requiredOption('--out <dir>', 'directory to write to (created if missing; keys are mode 0600)')
    .option('--trust-domain <domain>', 'trust domain named in the certificates', 'cluster.local')
    .addOption(new Option('--anchor-validity <duration>', 'trust anchor lifetime').default('3650d'))
    .addOption(new Option('--issuer-validity <duration>', 'issuer lifetime').default('365d'))
    .addHelpText(
      'after',
      '\nExamples:\n  meshctl identity create --out ./identity\n  meshctl control --identity-dir ./identity --mesh-file mesh.yaml\n',
    )
    .action(async (opts) => {
      const { createTrustAnchor, createIssuer } = await import('../../identity/pki.js');
      const { writeIdentityDir } = await import('../../identity/files.js');
      const anchor = await createTrustAnchor({
        trustDomain: opts.trustDomain,
        validityDays: days(opts.anchorValidity, '--anchor-validity'),
      });
      const issuer = await createIssuer(anchor, {
        trustDomain: opts.trustDomain,
        validityDays: days(opts.issuerValidity, '--issuer-validity'),
      });
      writeIdentityDir(opts.out, anchor, issuer);
      process.stderr.write(`wrote ca.crt, ca.key, issuer.crt and issuer.key to ${opts.out}\n`);
    });

  identity
    .command('inspect')
    .description('print what a PEM certificate (or bundle) holds: subject, SANs, issuer, algorithm, validity')
    .argument('<file>', 'PEM file, or - for standard input')
    .addOption(outputOption(['table', 'json', 'yaml']))
    .addHelpText(
      'after',
      '\nExamples:\n  meshctl identity inspect ./identity/issuer.crt\n  meshctl identity inspect - -o json < leaf.pem\n',
    )
    .action(async (file, opts) => {
      const { parseCertificates, describe, checkChainOrder } = await import('../../identity/inspect.js');
      const source = file === '-' ? 'standard input' : file;
      const certs = parseCertificates(await readInput(file), source);
      const infos = certs.map((c) => describe(c));
      if (opts.output === 'json') writeOut(renderJson(infos));
      else if (opts.output === 'yaml') writeOut(await renderYaml(infos));
      else {
        writeOut(
          infos
            .map((i, n) =>
              [
                certs.length > 1 ? `Certificate ${n + 1} of ${certs.length}` : undefined,
                `Subject:     ${i.subject}`,
                `SANs:        ${i.sans.join(', ') || '-'}`,
                `Issuer:      ${i.issuer}`,
                `Algorithm:   ${i.algorithm}${i.isCa ? ' (CA)' : ''}`,
                `Valid:       ${i.notBefore} to ${i.notAfter}`,
                `Days left:   ${i.expired ? 'EXPIRED' : i.daysLeft}`,
                `SHA-256:     ${i.fingerprintSha256}`,
              ]
                .filter((l) => l !== undefined)
                .join('\n'),
            )
            .join('\n\n') + '\n',
        );
      }
      checkChainOrder(certs, source);
      const expired = infos.findIndex((i) => i.expired);
      if (expired !== -1) {
        const { PkiError, PKI_ERRORS } = await import('../../identity/pki.js');
        throw new PkiError(
          PKI_ERRORS.expired,
          `${source}: certificate ${expired + 1} expired on ${infos[expired]?.notAfter}`,
        );
      }
    });
}
