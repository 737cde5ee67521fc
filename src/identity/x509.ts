// @peculiar/x509 on node:crypto's WebCrypto, set up once. Every identity module imports x509 from here so
// the Reflect polyfill and crypto provider are always in place first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

// The library is typed against the DOM's Crypto; node:crypto's webcrypto implements the same interface.
x509.cryptoProvider.set(webcrypto);

export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

export { x509 };

/** ECDSA P-256 with SHA-256: the mesh's algorithm for every key and signature it makes. */
export const EC_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export const subtle = webcrypto.subtle;

export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return await subtle.generateKey(EC_ALGORITHM, true, ['sign', 'verify']);
}

export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
}

export function randomSerial(): string {
  // Positive 128-bit serial (leading byte cleared of its top bit).
  const bytes = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
  bytes[0] = (bytes[0] as number) & 0x7f;
  return bytes.toString('hex');
}
