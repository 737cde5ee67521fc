// The route (or workload) table: fitted columns, the sorted column marked, success rate coloured by
// threshold with a glyph, the selected row highlighted and the focused one starred.
import type { ReactElement } from 'react';
import { Box, Text } from 'ink';
import {
  HEALTH_GLYPH,
  formatLatency,
  formatPercent,
  formatRps,
  successHealth,
  truncateMiddle,
} from '../format.js';
import type { FittedColumn } from '../layout.js';
import type { TableRow } from '../state/rows.js';
import type { TableModel } from '../view-model.js';
import { healthColor } from './colors.js';

function pad(text: string, column: FittedColumn): string {
  const cut = truncateMiddle(text, column.width);
  return column.align === 'right' ? cut.padStart(column.width) : cut.padEnd(column.width);
}

function cellText(row: TableRow, column: FittedColumn): string {
  switch (column.id) {
    case 'name':
      return row.name;
    case 'secondary':
      return row.secondary;
    case 'meshed':
      return row.meshed ?? '-';
    case 'success':
      return formatPercent(row.successRate);
    case 'rps':
      return formatRps(row.rps);
    case 'p50':
      return formatLatency(row.latencyP50Ms);
    case 'p95':
      return formatLatency(row.latencyP95Ms);
    case 'p99':
      return formatLatency(row.latencyP99Ms);
  }
}

function HeaderRow({ model }: { model: TableModel }): ReactElement {
  return (
    <Text wrap="truncate-end">
      {'  '}
      {model.columns.map((c, i) => {
        const sorted = c.sort !== null && c.sort === model.sort.column;
        const label = sorted ? `${c.header}${model.sort.descending ? '▼' : '▲'}` : c.header;
        // The success column ends in a glyph cell; its header lines up with the numbers before it.
        const text = c.id === 'success' ? pad(label, { ...c, width: c.width - 1 }) + ' ' : pad(label, c);
        return (
          <Text key={c.id} bold underline={sorted}>
            {(i > 0 ? ' ' : '') + text}
          </Text>
        );
      })}
    </Text>
  );
}

function Row({ row, model }: { row: TableRow; model: TableModel }): ReactElement {
  const selected = row.key === model.selectedKey;
  const focused = row.key === model.focusKey;
  const marker = `${selected ? '▶' : ' '}${focused ? '*' : ' '}`;
  return (
    <Text
      wrap="truncate-end"
      inverse={selected && model.active}
      underline={selected && !model.active}
      dimColor={model.stale}
    >
      {marker}
      {model.columns.map((c, i) => {
        const gap = i > 0 ? ' ' : '';
        if (c.id === 'success') {
          // The glyph carries the class without colour; the number stays right-aligned before it.
          const health = successHealth(row.successRate);
          const text = `${formatPercent(row.successRate).padStart(c.width - 1)}${HEALTH_GLYPH[health]}`;
          return (
            <Text key={c.id} color={healthColor(health)} bold={health === 'bad'}>
              {gap + text}
            </Text>
          );
        }
        return <Text key={c.id}>{gap + pad(cellText(row, c), c)}</Text>;
      })}
    </Text>
  );
}

export function RouteTable({ model, width }: { model: TableModel; width: number }): ReactElement {
  return (
    <Box flexDirection="column" width={width} height={model.capacity + 1}>
      <HeaderRow model={model} />
      {model.rows.length === 0 ? (
        <Text dimColor>{`  ${model.empty}`}</Text>
      ) : (
        model.rows.map((row) => <Row key={row.key} row={row} model={model} />)
      )}
    </Box>
  );
}
