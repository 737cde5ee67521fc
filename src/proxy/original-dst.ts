// The "original destination" layer: where a connection that iptables REDIRECTed to the proxy was addressed,
// read from conntrack with SO_ORIGINAL_DST through the native addon in native/. Without the addon (not built,
// not Linux) it reports itself unavailable and every lookup answers undefined: the proxy then degrades to
// --app and HTTP authorities, and says so once at startup.
import { createRequire } from 'node:module';
import type net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostPort } from '../common/address.js';
import { errorCode, errorMessage } from '../common/errors.js';

/** native/build/Release/original_dst.node, from dist/src/proxy/ (compiled) as from src/proxy/ (sources). */
export const ADDON_PATH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  import.meta.url.includes('/dist/src/') ? '../../..' : '../..',
  'native/build/Release/original_dst.node',
);

interface Addon {
  getOriginalDst(fd: number): { host: string; port: number };
}

/** What a lookup found out about one accepted connection. */
export type OriginalDstResult =
  /** iptables redirected it: `target` is where it was addressed. */
  | { readonly kind: 'redirected'; readonly target: HostPort }
  /** It reached the listener directly (its original destination is the listener's own address). */
  | { readonly kind: 'direct' }
  /** Unknown: no file descriptor, no conntrack entry (no NAT in this namespace), or no addon. */
  | { readonly kind: 'failed'; readonly reason: string };

export interface OriginalDst {
  readonly available: boolean;
  /** Why lookups cannot work, for the startup log; undefined when available. */
  readonly unavailableReason: string | undefined;
  lookup(socket: net.Socket): OriginalDstResult;
}

const DIRECT: OriginalDstResult = { kind: 'direct' };
const NO_FD: OriginalDstResult = { kind: 'failed', reason: 'the socket has no file descriptor' };

/** Loads the addon (once per call; the proxy calls this once). Never throws. */
export function loadOriginalDst(file: string = ADDON_PATH): OriginalDst {
  let addon: Addon | undefined;
  let unavailableReason: string | undefined;
  if (process.platform !== 'linux') {
    unavailableReason = `SO_ORIGINAL_DST exists only on Linux (this is ${process.platform})`;
  } else {
    try {
      addon = createRequire(import.meta.url)(file) as Addon;
      if (typeof addon.getOriginalDst !== 'function') throw new Error('it does not export getOriginalDst');
    } catch (err) {
      addon = undefined;
      unavailableReason =
        errorCode(err) === 'MODULE_NOT_FOUND'
          ? `the native addon is not built (${file}): run \`npm run build\` (it needs python3, make and g++)`
          : `the native addon ${file} did not load: ${errorMessage(err)}`;
    }
  }
  const unavailable: OriginalDstResult = { kind: 'failed', reason: unavailableReason ?? '' };
  return {
    available: addon !== undefined,
    unavailableReason,
    lookup(socket) {
      if (addon === undefined) return unavailable;
      const fd = socketFd(socket);
      if (fd === undefined) return NO_FD;
      let dst: HostPort;
      try {
        dst = addon.getOriginalDst(fd);
      } catch (err) {
        // ENOENT: conntrack has no entry (no NAT in this network namespace), so it was not redirected.
        return { kind: 'failed', reason: `${errorCode(err) ?? 'error'}: ${errorMessage(err)}` };
      }
      if (dst.port === socket.localPort && unmapped(dst.host) === unmapped(socket.localAddress ?? '')) {
        return DIRECT;
      }
      return { kind: 'redirected', target: { host: unmapped(dst.host), port: dst.port } };
    },
  };
}

/**
 * The socket's file descriptor. `_handle.fd` is libuv's uv_fileno of the TCP handle: undocumented but
 * unchanged for a decade, and the only way to reach the fd of a socket Node accepted. Reading it is safe
 * here because it is used synchronously, at accept, on the event loop thread: the handle cannot be closed
 * (and its number reused) between reading the fd and the getsockopt that uses it. Anything other than a
 * non-negative integer (no handle yet, a wrapped stream, Windows' -1) means "unknown".
 */
function socketFd(socket: net.Socket): number | undefined {
  const handle = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : undefined;
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) → `10.0.0.1`. */
function unmapped(host: string): string {
  return host.startsWith('::ffff:') && host.includes('.') ? host.slice(7) : host;
}
