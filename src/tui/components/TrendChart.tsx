// The trend pane: line charts of the selected row's RPS, p99 and success rate over the kept history, one or
// three side by side depending on width; drawn by whatever ChartRenderer it is given.
import type { ReactElement } from 'react';
import { Box, Text } from 'ink';
import type { ChartRenderer } from '../chart/chart.js';
import { truncateEnd } from '../format.js';
import type { TrendPoint } from '../state/trends.js';
import type { TrendMetric } from '../state/state.js';
import type { TrendModel } from '../view-model.js';

interface MetricSpec {
  readonly title: string;
  readonly value: (p: TrendPoint) => number | null;
  readonly format: (v: number) => string;
  readonly floor?: number;
  readonly ceiling?: number;
}

const METRICS: Record<TrendMetric, MetricSpec> = {
  rps: {
    title: 'RPS',
    value: (p) => p.rps,
    format: (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1)),
    floor: 0,
  },
  p99: {
    title: 'P99 ms',
    value: (p) => p.latencyP99Ms,
    format: (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1)),
    floor: 0,
  },
  success: {
    title: 'SUCCESS %',
    value: (p) => (p.successRate === null ? null : p.successRate * 100),
    format: (v) => v.toFixed(1),
    ceiling: 100,
  },
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function Chart({
  metric,
  points,
  width,
  height,
  renderer,
}: {
  metric: TrendMetric;
  points: readonly TrendPoint[];
  width: number;
  height: number;
  renderer: ChartRenderer;
}): ReactElement {
  const spec = METRICS[metric];
  const values = points.map(spec.value).filter((v): v is number => v !== null);
  const body =
    values.length < 2
      ? [`collecting… (${plural(values.length, 'point')})`]
      : renderer(values, {
          width,
          height: height - 1,
          format: spec.format,
          labelWidth: 6,
          ...(spec.floor === undefined ? {} : { floor: spec.floor }),
          ...(spec.ceiling === undefined ? {} : { ceiling: spec.ceiling }),
        });
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold>{truncateEnd(spec.title, width)}</Text>
      {body.map((line, i) => (
        <Text key={i} color="cyan" wrap="truncate-end">
          {line === '' ? ' ' : line}
        </Text>
      ))}
    </Box>
  );
}

export function TrendChart({
  model,
  renderer,
}: {
  model: TrendModel;
  renderer: ChartRenderer;
}): ReactElement {
  const n = model.metrics.length;
  const gap = 2;
  const chartWidth = Math.max(10, Math.floor((model.width - gap * (n - 1)) / n));
  const title = model.view
    ? `TREND ${model.view.label} · window ${model.window} · ${plural(model.view.points.length, 'point')}`
    : 'TREND (select a row)';
  const switchHint = n === 1 && model.active ? '  ↑↓ switch chart' : '';
  return (
    <Box flexDirection="column" width={model.width} height={model.lines + 1}>
      <Text wrap="truncate-end" bold={model.active} color={model.active ? 'cyan' : undefined}>
        {`${model.active ? '▶ ' : '─ '}${title}${switchHint}`}
      </Text>
      {model.view ? (
        <Box flexDirection="row" gap={gap}>
          {model.metrics.map((m) => (
            <Chart
              key={m}
              metric={m}
              points={model.view?.points ?? []}
              width={chartWidth}
              height={model.lines}
              renderer={renderer}
            />
          ))}
        </Box>
      ) : null}
    </Box>
  );
}
