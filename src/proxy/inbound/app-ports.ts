// Inbound in transparent mode: each connection is delivered to the app port it was addressed to
// (127.0.0.1:<original port>), so one proxy serves every port of the pod. Connections that were not
// redirected (or whose original destination is unknown) go to --app, when there is one.
import { type HostPort, formatHostPort } from '../../common/address.js';
import { originalTargetOf } from '../accept/original-target.js';
import { Endpoint, type EndpointDeps } from '../endpoint/endpoint.js';
import { FixedPicker } from '../endpoint/picker.js';
import { ProxyError } from '../errors.js';
import type { RequestRouter, RouteDecision } from '../http/context.js';

/** Distinct app ports kept with their connection pools; beyond this the least recently added is closed. */
const MAX_PORTS = 64;

export class AppPorts implements RequestRouter {
  private readonly ports = new Map<number, FixedPicker>();

  constructor(
    private readonly deps: EndpointDeps,
    /** --app: where connections without an original destination go. */
    private readonly fallback: FixedPicker | undefined,
    /** The proxy's own listening ports: a connection "originally" addressed to one must not loop back in. */
    private readonly ownPorts: ReadonlySet<number>,
    private readonly appHost = '127.0.0.1',
  ) {}

  route(_authority: string | undefined, connection?: object): RouteDecision {
    return this.pickerFor(originalTargetOf(connection));
  }

  /** The picker for a connection's original destination (undefined: not redirected). */
  pickerFor(target: HostPort | undefined): RouteDecision {
    if (target === undefined) {
      return (
        this.fallback ??
        new ProxyError(
          'MESH_NO_ORIGINAL_DST',
          'the connection was not redirected by iptables and the proxy has no --app to deliver it to',
        )
      );
    }
    if (this.ownPorts.has(target.port)) {
      return new ProxyError(
        'MESH_NO_ORIGINAL_DST',
        `the connection was addressed to the proxy's own port ${target.port}; not delivering it to itself`,
      );
    }
    let picker = this.ports.get(target.port);
    if (picker === undefined) {
      const address = { host: this.appHost, port: target.port };
      picker = new FixedPicker(formatHostPort(address), new Endpoint(address, this.deps));
      this.ports.set(target.port, picker);
      if (this.ports.size > MAX_PORTS) this.evictOldest();
    }
    return picker;
  }

  destroy(): void {
    for (const p of this.ports.values()) p.pick()?.destroy();
    this.ports.clear();
  }

  private evictOldest(): void {
    const [port, picker] = this.ports.entries().next().value as [number, FixedPicker];
    this.ports.delete(port);
    // In-flight requests on it finish; its pooled connections close.
    void picker.pick()?.close();
  }
}
