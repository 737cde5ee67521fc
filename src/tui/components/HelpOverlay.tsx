// The key help, shown in place of the panes while `?` is on.
import type { ReactElement } from 'react';
import { Box, Text } from 'ink';
import { KEY_HELP } from '../keymap.js';

export function HelpOverlay({ width, height }: { width: number; height: number }): ReactElement {
  const keyWidth = Math.max(...KEY_HELP.map((k) => k.keys.length)) + 2;
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" paddingX={1}>
      <Text bold>Keys — press ? or Esc to close</Text>
      {KEY_HELP.map((k) => (
        <Text key={k.keys} wrap="truncate-end">
          <Text bold color="cyan">
            {k.keys.padEnd(keyWidth)}
          </Text>
          {k.what}
        </Text>
      ))}
      <Text> </Text>
      <Text dimColor>
        Success ≥ 99 % is green, ≥ 95 % yellow with !, below red with ✗. p50/p99 in the mesh line are upper
        bounds over namespaces. STALE: the control plane has not answered lately; the numbers are the last
        known.
      </Text>
    </Box>
  );
}
