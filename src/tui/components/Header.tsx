// The top three lines: what is shown and from where, the connection state (with "reconnecting…" and the
// stale marker), mesh-wide golden metrics, and per-namespace ones (or, while disconnected, what to do).
import type { ReactElement } from 'react';
import { Box, Text } from 'ink';
import { formatAge, formatLatency, formatPercent, formatRps, successHealth } from '../format.js';
import type { HeaderModel } from '../view-model.js';
import { healthColor } from './colors.js';

export function Header({ model, width }: { model: HeaderModel; width: number }): ReactElement {
  return (
    <Box flexDirection="column" width={width} height={3}>
      <StatusLine model={model} />
      <MeshLine model={model} />
      <DetailLine model={model} />
    </Box>
  );
}

function StatusLine({ model }: { model: HeaderModel }): ReactElement {
  const { connection: c } = model;
  const retry = model.retryInMs === null ? '' : ` · retry in ${Math.ceil(model.retryInMs / 1000)}s`;
  return (
    <Text wrap="truncate-end">
      <Text bold>meshctl top</Text>
      {`  ${model.target}  window ${model.window}  `}
      {c.status === 'connected' ? (
        <Text color="green">{`● connected ${model.controlPlane}`}</Text>
      ) : c.status === 'connecting' ? (
        <Text color="yellow">{`○ connecting to ${model.controlPlane}…${c.failures > 0 ? retry : ''}`}</Text>
      ) : (
        <Text color="red" bold>{`○ reconnecting… ${model.controlPlane}${retry}`}</Text>
      )}
      {model.stale && model.ageMs !== null ? (
        <Text color="yellow" inverse>{` STALE ${formatAge(model.ageMs)} `}</Text>
      ) : null}
      {model.paused ? <Text inverse>{` PAUSED +${model.arrivedWhilePaused} `}</Text> : null}
    </Text>
  );
}

function MeshLine({ model }: { model: HeaderModel }): ReactElement {
  const m = model.mesh;
  if (m === null) {
    return <Text dimColor>{model.connection.error ? '' : 'waiting for the first snapshot…'}</Text>;
  }
  const health = successHealth(m.successRate);
  return (
    <Text wrap="truncate-end" dimColor={model.stale}>
      <Text bold>mesh</Text>
      {'  success '}
      <Text color={healthColor(health)}>{formatPercent(m.successRate)}</Text>
      {`  rps ${formatRps(m.rps)}`}
      {`  p50 ≤${formatLatency(m.latencyP50MsAtMost)}  p99 ≤${formatLatency(m.latencyP99MsAtMost)}`}
      {`  tls ${formatPercent(m.tlsShare)}  meshed ${m.meshedPods}/${m.runningPods}`}
    </Text>
  );
}

function DetailLine({ model }: { model: HeaderModel }): ReactElement {
  const { connection: c } = model;
  if (c.status !== 'connected' && c.error) {
    return (
      <Text wrap="truncate-end" color="red">
        {c.error.message}
        {c.error.hint ? <Text color="yellow">{` — ${c.error.hint}`}</Text> : null}
      </Text>
    );
  }
  if (model.namespaces.length === 0)
    return <Text dimColor>{model.mesh ? 'no namespaces with traffic' : ''}</Text>;
  return (
    <Text wrap="truncate-end" dimColor={model.stale}>
      {model.namespaces.map((n, i) => (
        <Text key={n.namespace}>
          {i > 0 ? '  │ ' : ''}
          <Text bold>{n.namespace}</Text>{' '}
          <Text color={healthColor(successHealth(n.successRate))}>{formatPercent(n.successRate)}</Text>
          {` ${formatRps(n.rps)}rps p99 ${formatLatency(n.latencyP99Ms)}`}
        </Text>
      ))}
    </Text>
  );
}
