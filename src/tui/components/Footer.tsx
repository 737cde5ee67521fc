// The bottom line: the keys (as many as fit), or the filter being typed.
import type { ReactElement } from 'react';
import { Text } from 'ink';
import { KEY_HELP } from '../keymap.js';
import type { FooterModel } from '../view-model.js';

const SHORT_KEYS: Record<string, string> = {
  'q  Esc  Ctrl-C': 'q',
  '↑ ↓  j k': '↑↓',
  Enter: '⏎',
  'S  I': 'S',
  Tab: 'tab',
};

export function Footer({ model }: { model: FooterModel }): ReactElement {
  if (model.editingFilter) {
    return (
      <Text wrap="truncate-end">
        <Text bold>{'filter: '}</Text>
        {model.filter}
        <Text inverse> </Text>
        <Text dimColor>{'   Enter keep · Esc clear'}</Text>
      </Text>
    );
  }
  const items = KEY_HELP.filter((k) => k.short !== undefined);
  return (
    <Text wrap="truncate-end" dimColor>
      {items.map((k, i) => (
        <Text key={k.keys}>
          {i > 0 ? '  ' : ''}
          <Text bold>{SHORT_KEYS[k.keys] ?? k.keys}</Text>
          {` ${k.short ?? ''}`}
        </Text>
      ))}
    </Text>
  );
}
