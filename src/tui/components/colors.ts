// The few colours the TUI uses, by meaning. Colour is never the only signal: every class also has a glyph
// or a word, so NO_COLOR (mapped to FORCE_COLOR=0 in bin/meshctl.js) loses nothing.
import type { Health } from '../format.js';

export function healthColor(health: Health): string | undefined {
  switch (health) {
    case 'good':
      return 'green';
    case 'warn':
      return 'yellow';
    case 'bad':
      return 'red';
    case 'none':
      return undefined;
  }
}
