// One frame: header, table, trend and tap panes (as the layout allows), footer; or the help; or a clear
// "terminal too small". Pure rendering of a ScreenModel.
import type { ReactElement } from 'react';
import { Box, Text } from 'ink';
import type { ChartRenderer } from '../chart/chart.js';
import { MIN_COLUMNS, MIN_ROWS, FOOTER_LINES, HEADER_LINES } from '../layout.js';
import type { ScreenModel } from '../view-model.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { RouteTable } from './RouteTable.js';
import { TapTail } from './TapTail.js';
import { TrendChart } from './TrendChart.js';

export function Screen({ model, chart }: { model: ScreenModel; chart: ChartRenderer }): ReactElement {
  const { layout } = model;
  if (layout.tooSmall) {
    return (
      <Box flexDirection="column" width={layout.columns} height={layout.rows}>
        <Text wrap="truncate-end" color="yellow">
          {`terminal too small: ${layout.columns}×${layout.rows} (need ${MIN_COLUMNS}×${MIN_ROWS})`}
        </Text>
        <Text wrap="truncate-end" dimColor>
          enlarge the window, or press q to quit
        </Text>
      </Box>
    );
  }
  const bodyHeight = layout.rows - HEADER_LINES - FOOTER_LINES;
  return (
    <Box flexDirection="column" width={layout.columns} height={layout.rows}>
      <Header model={model.header} width={layout.columns} />
      {model.help ? (
        <HelpOverlay width={layout.columns} height={bodyHeight} />
      ) : (
        <Box flexDirection="column" height={bodyHeight}>
          <RouteTable model={model.table} width={layout.columns} />
          {model.trend ? <TrendChart model={model.trend} renderer={chart} /> : null}
          {model.tap ? <TapTail model={model.tap} /> : null}
        </Box>
      )}
      <Footer model={model.footer} />
    </Box>
  );
}
