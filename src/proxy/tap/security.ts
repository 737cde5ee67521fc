// mTLS for the tap listener: with an identity, the tap server presents this proxy's certificate and accepts
// only the control plane's tap component as a client; without one, tap stays plaintext (and says so).
import * as grpc from '@grpc/grpc-js';
import {
  MemoryCertificateProvider,
  peerDnsIdentity,
  tapControllerIdentity,
} from '../../common/grpc-certificates.js';
import type { Logger } from '../../common/logger.js';
import type { ProxyIdentity } from '../identity/client.js';
import type { TapServerOptions } from './server.js';

export function tapSecurity(
  identity: ProxyIdentity | undefined,
  logger: Logger,
  allowedClient = identity === undefined ? undefined : tapControllerIdentity(identity.identity),
): Pick<TapServerOptions, 'credentials' | 'authorize'> {
  if (identity === undefined) {
    logger.warn('tap listener is plaintext: this proxy has no identity');
    return {};
  }
  const provider = new MemoryCertificateProvider();
  provider.setCa(identity.options.trustAnchorsPem);
  const update = (): void => {
    const pems = identity.pems();
    if (pems) provider.setIdentity(pems.certChainPem, pems.keyPem);
  };
  update();
  identity.onRotate(update);
  return {
    credentials: grpc.experimental.createCertificateProviderServerCredentials(provider, provider, true),
    authorize(call) {
      const peer = peerDnsIdentity(call.getAuthContext().sslPeerCertificate?.subjectaltname);
      const ok = peer !== undefined && peer === allowedClient;
      if (!ok)
        logger.warn({ peerIdentity: peer ?? null, allowed: allowedClient ?? null }, 'refused a tap client');
      return ok;
    },
  };
}
