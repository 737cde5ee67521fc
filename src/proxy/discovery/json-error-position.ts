// Finds where a JSON text first goes wrong (offset, line, column, reason), for error messages.
// V8's JSON.parse errors only sometimes carry a position ("Unexpected token ']', "…" is not valid JSON" does
// not), so after JSON.parse has rejected a text this scanner walks it once with the RFC 8259 grammar.

export interface JsonErrorPosition {
  /** UTF-16 offset of the offending character, or the text's length for a premature end. */
  readonly offset: number;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units from the start of the line. */
  readonly column: number;
  readonly reason: string;
}

/** Returns the first syntax error in `text`, or undefined when the text is valid JSON. */
export function locateJsonError(text: string): JsonErrorPosition | undefined {
  const found = scan(text);
  if (found === undefined) return undefined;
  const { line, column } = lineAndColumn(text, found.offset);
  return { offset: found.offset, line, column, reason: found.reason };
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

interface Failure {
  offset: number;
  reason: string;
}

/** What the scanner expects next; containers are tracked on an explicit stack so depth cannot overflow. */
type Expect = 'value' | 'value-or-array-end' | 'key-or-object-end' | 'key' | 'colon' | 'comma-or-end';

function scan(text: string): Failure | undefined {
  const stack: number[] = []; // 0x5b '[' or 0x7b '{'
  let expect: Expect = 'value';
  let i = 0;
  const n = text.length;

  const fail = (offset: number, what: string): Failure =>
    offset >= n
      ? { offset: n, reason: `unexpected end of input, expected ${what}` }
      : { offset, reason: `unexpected ${describe(text, offset)}, expected ${what}` };

  for (;;) {
    i = skipWhitespace(text, i);
    const c = i < n ? text.charCodeAt(i) : -1;

    switch (expect) {
      case 'value':
      case 'value-or-array-end': {
        if (expect === 'value-or-array-end' && c === 0x5d) {
          stack.pop();
          i++;
          break;
        }
        if (c === 0x7b || c === 0x5b) {
          stack.push(c);
          i++;
          expect = c === 0x7b ? 'key-or-object-end' : 'value-or-array-end';
          continue;
        }
        const end = scanScalar(text, i);
        if (typeof end !== 'number') return end ?? fail(i, 'a value');
        i = end;
        break;
      }
      case 'key-or-object-end':
      case 'key': {
        if (expect === 'key-or-object-end' && c === 0x7d) {
          stack.pop();
          i++;
          break;
        }
        if (c !== 0x22) return fail(i, 'a property name in double quotes');
        const end = scanString(text, i);
        if (typeof end !== 'number') return end;
        i = end;
        expect = 'colon';
        continue;
      }
      case 'colon':
        if (c !== 0x3a) return fail(i, "':' after the property name");
        i++;
        expect = 'value';
        continue;
      case 'comma-or-end': {
        const top = stack[stack.length - 1];
        const close = top === 0x7b ? 0x7d : 0x5d;
        if (c === close) {
          stack.pop();
          i++;
          break;
        }
        if (c === 0x2c) {
          i++;
          expect = top === 0x7b ? 'key' : 'value';
          continue;
        }
        return fail(i, top === 0x7b ? "',' or '}'" : "',' or ']'");
      }
    }

    // A value (scalar or container) just ended.
    if (stack.length === 0) {
      i = skipWhitespace(text, i);
      return i < n ? fail(i, 'the end of input after the top-level value') : undefined;
    }
    expect = 'comma-or-end';
  }
}

/** Returns the offset after a string, number or literal at `i`, a Failure inside it, or undefined if none starts here. */
function scanScalar(text: string, i: number): number | Failure | undefined {
  const c = text.charCodeAt(i);
  if (c === 0x22) return scanString(text, i);
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return scanNumber(text, i);
  for (const literal of ['true', 'false', 'null']) {
    if (c === literal.charCodeAt(0)) {
      for (let k = 1; k < literal.length; k++) {
        if (text.charCodeAt(i + k) !== literal.charCodeAt(k)) {
          return i + k >= text.length
            ? { offset: text.length, reason: `unexpected end of input in '${literal}'` }
            : { offset: i + k, reason: `unexpected ${describe(text, i + k)} in '${literal}'` };
        }
      }
      return i + literal.length;
    }
  }
  return undefined;
}

function scanString(text: string, start: number): number | Failure {
  const n = text.length;
  for (let i = start + 1; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return { offset: i, reason: `unescaped ${describe(text, i)} in string` };
    if (c === 0x5c) {
      const e = text.charCodeAt(i + 1);
      if (e === 0x75) {
        for (let k = 2; k < 6; k++) {
          if (!isHex(text.charCodeAt(i + k))) {
            return i + k >= n
              ? { offset: n, reason: 'unterminated string' }
              : { offset: i + k, reason: `bad \\u escape in string: ${describe(text, i + k)}` };
          }
        }
        i += 5;
      } else if (i + 1 < n && '"\\/bfnrt'.includes(text.charAt(i + 1))) {
        i++;
      } else {
        return i + 1 >= n
          ? { offset: n, reason: 'unterminated string' }
          : { offset: i + 1, reason: `bad escape in string: ${describe(text, i + 1)}` };
      }
    }
  }
  return { offset: n, reason: 'unterminated string' };
}

function scanNumber(text: string, start: number): number | Failure {
  let i = start;
  if (text.charCodeAt(i) === 0x2d) i++;
  const digits = (from: number): number => {
    let k = from;
    while (isDigit(text.charCodeAt(k))) k++;
    return k;
  };
  const bad = (at: number, what: string): Failure =>
    at >= text.length
      ? { offset: text.length, reason: `unexpected end of input in number, expected ${what}` }
      : { offset: at, reason: `unexpected ${describe(text, at)} in number, expected ${what}` };

  if (text.charCodeAt(i) === 0x30) i++;
  else if (isDigit(text.charCodeAt(i))) i = digits(i);
  else return bad(i, 'a digit');
  if (text.charCodeAt(i) === 0x2e) {
    if (!isDigit(text.charCodeAt(i + 1))) return bad(i + 1, 'a digit after the decimal point');
    i = digits(i + 1);
  }
  const e = text.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 0x2b || sign === 0x2d) i++;
    if (!isDigit(text.charCodeAt(i))) return bad(i, 'a digit in the exponent');
    i = digits(i);
  }
  return i;
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
    i++;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function describe(text: string, offset: number): string {
  const c = text.codePointAt(offset) ?? 0;
  return c >= 0x20 && c !== 0x7f ? `'${String.fromCodePoint(c)}'` : `character U+${hex4(c)}`;
}

function hex4(c: number): string {
  return c.toString(16).toUpperCase().padStart(4, '0');
}
