// Transparent outbound routing: by the request's HTTP authority, as in local mode, and when discovery knows
// nothing by that name (an external host, a name only DNS knows), by where the app actually connected: the
// connection's original IP:port. Without this, every plain call out of a meshed pod would fail.
import { formatHostPort } from '../../common/address.js';
import { originalTargetOf } from '../accept/original-target.js';
import { ProxyError } from '../errors.js';
import type { RequestRouter, RouteDecision } from '../http/context.js';
import type { Profile } from '../route/profile.js';
import type { ServiceDirectory } from './directory.js';

export class OriginalDstRouter implements RequestRouter {
  constructor(private readonly directory: ServiceDirectory) {}

  route(authority: string | undefined, connection?: object): RouteDecision | Promise<RouteDecision> {
    const target = originalTargetOf(connection);
    if (target === undefined) return this.directory.route(authority);
    const original = formatHostPort(target);
    if (authority === undefined) return this.directory.route(original);
    const decision = this.directory.route(authority);
    const orOriginal = (d: RouteDecision): RouteDecision | Promise<RouteDecision> =>
      d instanceof ProxyError && d.code === 'MESH_UNKNOWN_AUTHORITY' ? this.directory.route(original) : d;
    return decision instanceof Promise ? decision.then(orOriginal) : orOriginal(decision);
  }

  profile(authority: string): Profile | undefined {
    return this.directory.profile(authority);
  }
}
