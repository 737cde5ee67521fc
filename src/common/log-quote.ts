// User-controlled text on its way into a log line: quoted and escaped like Go's %q, and bounded, so a value
// can neither forge log lines (newlines, control characters, ANSI escapes) nor flood the log.
// Linkerd's tap once logged namespace/name verbatim (Trail of Bits TOB-LNKD-7); this is the fix in one place.

const DEFAULT_MAX = 200;

/** `"text"`: quoted, with quotes, backslashes and control/format characters escaped; longer text is cut with `…`. */
export function quoteForLog(text: string, max = DEFAULT_MAX): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  // JSON.stringify escapes quotes, backslashes and C0 controls; the rest (DEL, C1, line/paragraph
  // separators, bidi controls) is escaped here so terminals and log viewers show it literally.
  const quoted = JSON.stringify(cut).replace(
    /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return cut.length < text.length ? `${quoted}…` : quoted;
}
