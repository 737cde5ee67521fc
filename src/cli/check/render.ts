// How check results look: Linkerd's grouped table (√ ‼ ×, or [ok] [warn] [FAIL] where the terminal is
// not UTF-8; colour only on a TTY without NO_COLOR), `short` (only what is not OK), and JSON.
import type { CheckReport, CheckResult } from './model.js';

export interface Style {
  readonly unicode: boolean;
  readonly color: boolean;
}

/** UTF-8 glyphs only when the locale says UTF-8 (LC_ALL, then LC_CTYPE, then LANG, as setlocale reads them). */
export function terminalStyle(env: NodeJS.ProcessEnv, isTty: boolean): Style {
  const locale = env['LC_ALL'] || env['LC_CTYPE'] || env['LANG'] || '';
  const noColor = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
  return { unicode: /utf-?8/i.test(locale), color: isTty && !noColor && env['TERM'] !== 'dumb' };
}

const GLYPHS = {
  success: { unicode: '√', ascii: '[ok]', color: '\x1b[32m' },
  warning: { unicode: '‼', ascii: '[warn]', color: '\x1b[33m' },
  error: { unicode: '×', ascii: '[FAIL]', color: '\x1b[31m' },
} as const;

export function glyph(result: CheckResult['result'], style: Style): string {
  const g = GLYPHS[result];
  const text = style.unicode ? g.unicode : g.ascii;
  return style.color ? `${g.color}${text}\x1b[0m` : text;
}

export function categoryHeader(name: string): string {
  return `${name}\n${'-'.repeat(name.length)}\n`;
}

export function checkLine(r: CheckResult, style: Style): string {
  let out = `${glyph(r.result, style)} ${r.description}\n`;
  if (r.result !== 'success') {
    if (r.error)
      out += r.error
        .split('\n')
        .map((l) => `    ${l}\n`)
        .join('');
    if (r.hint) out += `    hint: ${r.hint}\n`;
  }
  return out;
}

export function statusLine(report: CheckReport, style: Style): string {
  return `Status check results are ${glyph(report.success ? 'success' : 'error', style)}\n`;
}

/** The whole report as a table, for when it was not printed progressively. */
export function renderTable(report: CheckReport, style: Style, onlyProblems = false): string {
  let out = '';
  for (const c of report.categories) {
    const checks = onlyProblems ? c.checks.filter((r) => r.result !== 'success') : c.checks;
    if (checks.length === 0) continue;
    out += categoryHeader(c.categoryName) + checks.map((r) => checkLine(r, style)).join('') + '\n';
  }
  return out + statusLine(report, style);
}

export function renderJson(report: CheckReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
