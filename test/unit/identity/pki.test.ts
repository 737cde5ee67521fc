// The PKI module: fresh chains are valid, and every way a supplied chain can be wrong has its own error code
// and a message naming the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import {
  PKI_ERRORS,
  PkiError,
  createIssuer,
  createServingCertificate,
  createTrustAnchor,
  parseCertificates,
  trustRootSha256,
  validateChain,
  type CertAndKey,
} from '../../../src/identity/pki.js';

const DAY = 86_400_000;
const domain = 'mesh.cluster.local';
const anchor = await createTrustAnchor({ trustDomain: domain });
const issuer = await createIssuer(anchor, { trustDomain: domain });

function chain(a: string, i: CertAndKey) {
  return {
    trustAnchorsPem: a,
    issuerCertPem: i.certPem,
    issuerKeyPem: i.keyPem,
    sources: { trustAnchors: 'ca.crt', issuerCert: 'issuer.crt', issuerKey: 'issuer.key' },
  };
}

function rejects(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof PkiError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

test('a fresh anchor and issuer form a valid ECDSA P-256 chain', () => {
  const root = new X509Certificate(anchor.certPem);
  const inter = new X509Certificate(issuer.certPem);
  assert.equal(root.subject, `CN=root.${domain}`);
  assert.equal(inter.subject, `CN=identity.${domain}`);
  assert.ok(root.ca && inter.ca);
  assert.ok(inter.verify(root.publicKey) && inter.checkIssued(root));
  assert.equal(inter.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const years = (c: X509Certificate): number =>
    (Date.parse(c.validTo) - Date.parse(c.validFrom)) / (365 * DAY);
  assert.ok(Math.abs(years(root) - 10) < 0.02, 'anchor: 10 years');
  assert.ok(Math.abs(years(inter) - 1) < 0.01, 'issuer: 1 year');
  const report = validateChain(chain(anchor.certPem, issuer));
  assert.deepEqual(report.warnings, []);
  assert.equal(report.issuer.subject, `CN=identity.${domain}`);
  assert.match(issuer.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
});

test('an issuer signed by another root is refused, naming both files', async () => {
  const other = await createTrustAnchor({ trustDomain: 'other.local' });
  rejects(
    () => validateChain(chain(other.certPem, issuer)),
    PKI_ERRORS.notSignedByAnchor,
    /issuer\.crt.*not signed by any certificate in ca\.crt/,
  );
  // A bundle with the right root anywhere in it is fine.
  assert.ok(validateChain(chain(other.certPem + anchor.certPem, issuer)));
});

test('a key that does not belong to the issuer is refused', async () => {
  const another = await createIssuer(anchor, { trustDomain: domain });
  rejects(
    () => validateChain(chain(anchor.certPem, { certPem: issuer.certPem, keyPem: another.keyPem })),
    PKI_ERRORS.keyMismatch,
    /issuer\.key does not belong to issuer\.crt/,
  );
});

test('expired, not yet valid, and expiring soon', () => {
  const expiry = Date.parse(new X509Certificate(issuer.certPem).validTo);
  rejects(
    () => validateChain(chain(anchor.certPem, issuer), { now: new Date(expiry + DAY) }),
    PKI_ERRORS.expired,
    /issuer\.crt: "CN=identity\.mesh\.cluster\.local" expired on \d{4}-/,
  );
  rejects(
    () => validateChain(chain(anchor.certPem, issuer), { now: new Date(Date.now() - 2 * DAY) }),
    PKI_ERRORS.notYetValid,
    /ca\.crt: .* is not valid before/,
  );
  const soon = validateChain(chain(anchor.certPem, issuer), { now: new Date(expiry - 30 * DAY) });
  assert.equal(soon.warnings.length, 1);
  assert.match(soon.warnings[0] ?? '', /issuer certificate "CN=identity\.mesh\.cluster\.local" expires on/);
});

test('a certificate that is not a CA cannot be the issuer or an anchor', async () => {
  const serving = await createServingCertificate({ dnsNames: ['x.mesh.svc'] });
  rejects(
    () => validateChain(chain(serving.caPem, serving)),
    PKI_ERRORS.notCa,
    /issuer\.crt: "CN=x\.mesh\.svc" is not a CA certificate/,
  );
  rejects(() => validateChain(chain(serving.certPem, issuer)), PKI_ERRORS.notCa, /ca\.crt/);
});

test('bad PEM, RSA keys and encrypted keys get precise errors', () => {
  rejects(
    () => validateChain(chain('hello', issuer)),
    PKI_ERRORS.badPem,
    /ca\.crt: no PEM certificate found/,
  );
  const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
  rejects(
    () => parseCertificates(anchor.certPem + broken, 'bundle.pem'),
    PKI_ERRORS.badPem,
    /bundle\.pem \(certificate 2 of 2\): unreadable/,
  );
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
  rejects(
    () => validateChain(chain(anchor.certPem, { certPem: issuer.certPem, keyPem: rsa })),
    PKI_ERRORS.algorithm,
    /issuer\.key: the key is RSA, but the mesh signs with ECDSA P-256/,
  );
  rejects(
    () =>
      validateChain(
        chain(anchor.certPem, { certPem: issuer.certPem, keyPem: '-----BEGIN ENCRYPTED PRIVATE KEY-----\n' }),
      ),
    PKI_ERRORS.badPem,
    /encrypted/,
  );
});

test('SEC1 "EC PRIVATE KEY" files (step, openssl) are accepted and can sign', async () => {
  const sec1 = createPrivateKey(issuer.keyPem).export({ type: 'sec1', format: 'pem' }) as string;
  assert.match(sec1, /BEGIN EC PRIVATE KEY/);
  assert.ok(validateChain(chain(anchor.certPem, { certPem: issuer.certPem, keyPem: sec1 })));
  const anchorSec1 = {
    certPem: anchor.certPem,
    keyPem: createPrivateKey(anchor.keyPem).export({ type: 'sec1', format: 'pem' }) as string,
  };
  const again = await createIssuer(anchorSec1, { trustDomain: domain, validityDays: 30 });
  assert.ok(validateChain(chain(anchor.certPem, again)));
});

test('the webhook serving certificate names the service and chains to its own CA', async () => {
  const s = await createServingCertificate({
    dnsNames: ['mesh-injector.mesh.svc', 'mesh-injector.mesh.svc.cluster.local'],
  });
  const ca = new X509Certificate(s.caPem);
  const leaf = new X509Certificate(s.certPem);
  assert.ok(leaf.verify(ca.publicKey));
  assert.equal(leaf.ca, false);
  assert.equal(leaf.subjectAltName, 'DNS:mesh-injector.mesh.svc, DNS:mesh-injector.mesh.svc.cluster.local');
  assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.equal(trustRootSha256(s.caPem), trustRootSha256(s.caPem));
  assert.match(trustRootSha256(s.caPem), /^[0-9a-f]{64}$/);
});
