// Static discovery from a JSON file: {"web.test:80": ["127.0.0.1:4143", ...]}. The offline fallback.
// Parsing is strict (every error names the file, key and value), and watching polls so it works everywhere.
import fs from 'node:fs';
import net from 'node:net';
import type { HostPort } from '../../common/address.js';
import { formatHostPort, normalizeAuthority, parseHostPort } from '../../common/address.js';
import { UsageError, errorCode, errorMessage } from '../../common/errors.js';
import { lineAndColumn, locateJsonError } from './json-error-position.js';

export type EndpointMap = ReadonlyMap<string, readonly HostPort[]>;

const CODE = 'MESH_BAD_ENDPOINTS';
const FORMAT_HINT = 'expected a JSON object like {"web.test:80": ["127.0.0.1:4143"]}';
const DNS_NAME =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;

/**
 * Parses the file's text. Keys are authorities and are normalised (lower-case, default port 80 added);
 * values are arrays of `host:port` strings. Throws UsageError (code MESH_BAD_ENDPOINTS) naming the file,
 * the key and the bad value for: invalid JSON (with line/column), a non-object top level, a bad authority,
 * a non-array value, a bad address. An empty array is allowed (authority known, no endpoints).
 *
 * Also rejected, as bad authorities/addresses: two keys that normalise to the same authority (which one
 * wins would be an accident of key order), a repeated address under one authority (it would silently get
 * double weight), and addresses that cannot be dialled (empty host, port 0).
 */
export function parseEndpointMap(text: string, fileName: string): EndpointMap {
  // Editors on Windows like to add a byte-order mark; JSON.parse rejects it.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (err) {
    throw syntaxError(body, fileName, err);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new UsageError(CODE, `${fileName}: top level must be an object, got ${kindOf(doc)}`, FORMAT_HINT);
  }

  const map = new Map<string, readonly HostPort[]>();
  const keyOf = new Map<string, string>();
  for (const [key, value] of Object.entries(doc)) {
    const authority = normalizeAuthority(key);
    if (authority === undefined) {
      throw new UsageError(
        CODE,
        `${fileName}: invalid authority ${JSON.stringify(key)}`,
        'expected HOST or HOST:PORT, e.g. "web.test:80"',
      );
    }
    const earlier = keyOf.get(authority);
    if (earlier !== undefined) {
      throw new UsageError(
        CODE,
        `${fileName}: authority ${JSON.stringify(key)} repeats ${JSON.stringify(earlier)} (both are ${authority})`,
        'list each authority once',
      );
    }
    keyOf.set(authority, key);
    map.set(authority, parseAddresses(value, key, fileName));
  }
  return map;
}

function parseAddresses(value: unknown, key: string, fileName: string): readonly HostPort[] {
  const where = `${fileName}: ${JSON.stringify(key)}`;
  if (!Array.isArray(value)) {
    throw new UsageError(
      CODE,
      `${where}: expected an array of "host:port" strings, got ${kindOf(value)} ${preview(value)}`,
      FORMAT_HINT,
    );
  }
  const addresses: HostPort[] = [];
  const seen = new Set<string>();
  value.forEach((item: unknown, index) => {
    const at = `${where}[${index}]`;
    if (typeof item !== 'string') {
      throw new UsageError(
        CODE,
        `${at}: expected a "host:port" string, got ${kindOf(item)} ${preview(item)}`,
        FORMAT_HINT,
      );
    }
    const addr = parseEndpointAddress(item);
    if (addr === undefined) {
      throw new UsageError(
        CODE,
        `${at}: invalid address ${JSON.stringify(item)}`,
        'expected HOST:PORT with a port from 1 to 65535, e.g. 127.0.0.1:4143 or [::1]:4143',
      );
    }
    const canonical = formatHostPort(addr);
    if (seen.has(canonical)) {
      throw new UsageError(
        CODE,
        `${at}: address ${JSON.stringify(item)} is listed twice`,
        'remove the duplicate',
      );
    }
    seen.add(canonical);
    addresses.push(addr);
  });
  return addresses;
}

/** parseHostPort, minus what makes sense for a listener but not for a destination. */
function parseEndpointAddress(text: string): HostPort | undefined {
  if (text.trim() !== text) return undefined;
  let addr: HostPort;
  try {
    addr = parseHostPort(text);
  } catch {
    return undefined;
  }
  if (text.startsWith(':') || addr.port === 0) return undefined;
  if (text.startsWith('['))
    return net.isIPv6(addr.host) ? { host: addr.host.toLowerCase(), port: addr.port } : undefined;
  // All-numeric names would be read as (bad) IPv4 addresses by resolvers, so only real IPs may be numeric.
  if (net.isIP(addr.host) === 0 && (!DNS_NAME.test(addr.host) || /^[\d.]+$/.test(addr.host))) {
    return undefined;
  }
  return { host: addr.host.toLowerCase(), port: addr.port };
}

function syntaxError(text: string, fileName: string, err: unknown): UsageError {
  const found = locateJsonError(text);
  if (found !== undefined) {
    return new UsageError(
      CODE,
      `${fileName}:${found.line}:${found.column}: invalid JSON: ${found.reason}`,
      FORMAT_HINT,
    );
  }
  // The scanner and V8 disagree; trust V8 and take its position if it gave one.
  const m = /at position (\d+)/.exec(errorMessage(err));
  const { line, column } = lineAndColumn(text, m ? Number(m[1]) : text.length);
  return new UsageError(
    CODE,
    `${fileName}:${line}:${column}: invalid JSON: ${errorMessage(err)}`,
    FORMAT_HINT,
  );
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

interface FileStamp {
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly size: number;
  readonly ino: number;
}

function stampOf(stat: fs.Stats): FileStamp {
  return { mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, size: stat.size, ino: stat.ino };
}

function sameStamp(a: FileStamp | undefined, b: FileStamp): boolean {
  return (
    a !== undefined &&
    a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs &&
    a.size === b.size &&
    a.ino === b.ino
  );
}

function readError(fileName: string, err: unknown): UsageError {
  const code = errorCode(err);
  return new UsageError(
    CODE,
    code === 'ENOENT'
      ? `${fileName}: endpoints file not found`
      : `${fileName}: cannot read endpoints file: ${errorMessage(err)}`,
    'pass the path of a JSON file mapping authorities to "host:port" lists',
  );
}

/**
 * Loads the file, calls onChange with the parsed map now, then again whenever the file's content changes
 * (polling its mtime/size every `intervalMs`). A change that fails to parse is reported through onError and
 * the last good map stays in force. Returns a function that stops watching.
 * The initial load throws (UsageError) if the file is missing or invalid.
 *
 * Polling (a stat per interval, a read only when the stat changes) rather than fs.watch, because fs.watch
 * misses atomic renames and ConfigMap symlink swaps on some platforms. Content equal to the map in force
 * (a touch, an identical rewrite, a revert after a bad edit) does not fire onChange; the same bad content or
 * the same missing file is reported once, not on every poll. The timer is unref()'d: watching never keeps
 * a process alive. If onChange throws, the error goes to onError; onError itself must not throw (that would
 * surface as an unhandled rejection).
 */
export function watchEndpointFile(
  fileName: string,
  onChange: (map: EndpointMap) => void,
  onError: (err: Error) => void,
  intervalMs = 1000,
): () => void {
  if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
    throw new RangeError(`intervalMs must be a positive number, got ${intervalMs}`);
  }

  // Stat before reading: a write that lands between the two then shows up as a changed stamp next poll.
  let stamp: FileStamp;
  let goodText: string;
  try {
    stamp = stampOf(fs.statSync(fileName));
    goodText = fs.readFileSync(fileName, 'utf8');
  } catch (err) {
    throw readError(fileName, err);
  }
  onChange(parseEndpointMap(goodText, fileName));

  let lastStamp: FileStamp | undefined = stamp;
  /** The last content (or error) reported, so that a persisting problem is reported once. */
  let lastReported = goodText;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const report = (key: string, err: Error): void => {
    if (key === lastReported) return;
    lastReported = key;
    onError(err);
  };

  const poll = async (): Promise<void> => {
    let current: FileStamp;
    let text: string;
    try {
      current = stampOf(await fs.promises.stat(fileName));
      if (sameStamp(lastStamp, current)) return;
      text = await fs.promises.readFile(fileName, 'utf8');
    } catch (err) {
      if (stopped) return;
      // Forget the stamp so the file is re-read once it is back, even with the same mtime and size.
      lastStamp = undefined;
      report(`\0${errorCode(err) ?? errorMessage(err)}`, readError(fileName, err));
      return;
    }
    if (stopped) return;
    lastStamp = current;
    if (text === goodText) {
      lastReported = text;
      return;
    }
    let map: EndpointMap;
    try {
      map = parseEndpointMap(text, fileName);
    } catch (err) {
      report(text, err instanceof Error ? err : new Error(String(err)));
      return;
    }
    goodText = text;
    lastReported = text;
    try {
      onChange(map);
    } catch (err) {
      onError(err instanceof Error ? err : new Error(String(err)));
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(tick, intervalMs);
    timer.unref();
  };
  // One poll at a time: the next is scheduled only when this one is done, so slow I/O cannot pile up.
  const tick = (): void => {
    timer = undefined;
    void poll().finally(schedule);
  };
  schedule();

  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
}
