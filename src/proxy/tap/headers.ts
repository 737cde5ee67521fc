// Request/response headers and trailers as tap reports them: regular headers only (pseudo-headers are
// already fields of the event), one entry per value, and the values of sensitive names replaced before they
// leave the proxy.
import { REDACTED_VALUE } from '../../api/tap-rules.js';
import type { Header } from '../../api/gen/tap.js';
import type { HeaderBag } from './hook.js';

/** Header list for an event; values of names in `redacted` (lower case) become `[REDACTED]`. */
export function extractHeaders(bag: HeaderBag | undefined, redacted: ReadonlySet<string>): Header[] {
  const out: Header[] = [];
  if (bag === undefined) return out;
  for (const name of Object.keys(bag)) {
    if (name.startsWith(':')) continue;
    const value = bag[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    const hide = redacted.has(lower);
    if (Array.isArray(value)) {
      for (const v of value) out.push({ name: lower, value: hide ? REDACTED_VALUE : v });
    } else {
      out.push({ name: lower, value: hide ? REDACTED_VALUE : String(value) });
    }
  }
  return out;
}
