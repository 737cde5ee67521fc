// Socket addresses (`host:port`, `[::1]:4143`, `:4191`) and HTTP authorities, parsed and normalised once.
import net from 'node:net';
import { UsageError } from './errors.js';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port`; an empty host (`:4191`) means all interfaces. `what` names the setting in errors. */
export function parseHostPort(text: string, what = 'address'): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535) {
    throw new UsageError(
      'MESH_BAD_ADDRESS',
      `invalid ${what} "${text}"`,
      'expected HOST:PORT, e.g. 127.0.0.1:4140',
    );
  }
  const host = m[1] ?? (m[2] || '0.0.0.0');
  return { host, port };
}

export function formatHostPort(addr: HostPort): string {
  return net.isIPv6(addr.host) ? `[${addr.host}]:${addr.port}` : `${addr.host}:${addr.port}`;
}

/**
 * Normalises an HTTP authority (Host header or :authority) to `host:port`, lower-case, with the scheme's
 * default port added. Returns undefined for values that are not a plausible authority, so that a hostile
 * Host header can never become a metric label or a lookup key as-is.
 */
export function normalizeAuthority(value: string | undefined, defaultPort = 80): string | undefined {
  if (!value || value.length > 255) return undefined;
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(value);
  if (!m) return undefined;
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return `${(m[1] as string).toLowerCase()}:${port}`;
}

/** Splits a normalised authority back into host and port. */
export function splitAuthority(authority: string): HostPort {
  const idx = authority.lastIndexOf(':');
  let host = authority.slice(0, idx);
  if (host.startsWith('[')) host = host.slice(1, -1);
  return { host, port: Number(authority.slice(idx + 1)) };
}

/** True when the authority's host is an IP literal (so it can be dialled without discovery). */
export function isIpAuthority(authority: string): boolean {
  return net.isIP(splitAuthority(authority).host) !== 0;
}
