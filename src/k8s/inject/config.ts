// What injection needs to know about the mesh it injects for: the install values (images, ports,
// defaults), the trust anchors, and who is injecting. The CLI builds it from flags and the webhook from the
// mesh-config ConfigMap, so both inject the same bytes.
import { VERSION } from '../../common/version.js';
import type { MeshValues } from '../values.js';

export interface InjectConfig {
  readonly values: MeshValues;
  /** PEM bundle given to proxies; undefined when unknown (manual injection without a trust-anchors file). */
  readonly trustAnchorsPem: string | undefined;
  /** Recorded in `mesh.io/created-by`, e.g. `meshctl/0.1.0`. */
  readonly createdBy: string;
}

export function injectConfig(
  values: MeshValues,
  trustAnchorsPem?: string,
  createdBy = `meshctl/${VERSION}`,
): InjectConfig {
  return { values, trustAnchorsPem, createdBy };
}
