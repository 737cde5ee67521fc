// The live tap tail: the newest request/response lines for the current focus and filter, from a bounded
// ring (never <Static>, whose output Ink keeps forever), with the stream's state in the title.
import type { ReactElement } from 'react';
import { Box, Text } from 'ink';
import { formatTapLine } from '../tap-format.js';
import type { TapModel } from '../view-model.js';

function statusText(model: TapModel): { text: string; color: string | undefined } {
  const s = model.status;
  switch (s.status) {
    case 'streaming':
      return { text: 'live', color: 'green' };
    case 'connecting':
      return { text: 'connecting…', color: 'yellow' };
    case 'reconnecting':
      return { text: `reconnecting…${s.error ? ` (${s.error.message})` : ''}`, color: 'red' };
    case 'unavailable':
      return { text: `unavailable${s.error ? `: ${s.error.message}` : ''}`, color: 'red' };
  }
}

export function TapTail({ model }: { model: TapModel }): ReactElement {
  const status = statusText(model);
  const scope = [
    model.focus ? `focus ${model.focus.label}` : 'all requests',
    model.filter ? `filter "${model.filter}"` : '',
  ]
    .filter((s) => s !== '')
    .join(' · ');
  const scrolled = model.view.newerHidden > 0 ? ` · ↓ ${model.view.newerHidden} newer` : '';
  return (
    <Box flexDirection="column" width={model.width} height={model.lines + 1}>
      <Text wrap="truncate-end" bold={model.active} color={model.active ? 'cyan' : undefined}>
        {`${model.active ? '▶ ' : '─ '}TAP ${scope}${scrolled} · `}
        <Text color={status.color}>{status.text}</Text>
      </Text>
      {model.view.lines.length === 0 ? (
        <Text dimColor>{model.received === 0 ? '  no requests tapped yet' : '  no requests match'}</Text>
      ) : (
        model.view.lines.map((line) => (
          <Text key={line.seq} wrap="truncate-end" color={line.failure ? 'red' : undefined}>
            {formatTapLine(line)}
          </Text>
        ))
      )}
    </Box>
  );
}
