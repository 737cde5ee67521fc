// `meshctl top` on a terminal: the full-screen app in the alternate screen, fed by the controller from the
// control plane's gRPC APIs. Resolves with the exit code once the user quits and everything is closed.
import { render } from 'ink';
import { errorMessage } from '../common/errors.js';
import type { ResourceRef, ViewMode } from './model.js';
import { App } from './components/App.js';
import { TopController } from './controller.js';
import { initialState } from './state/state.js';
import { createStore } from './state/store.js';
import { GrpcStatsSource } from './sources/grpc-stats.js';
import { GrpcTapSource } from './sources/grpc-tap.js';
import { resourceLabel } from './target.js';

export interface InteractiveOptions {
  /** The Metrics API's address (and the Tap API's, unless tapAddress says otherwise); shown in the header. */
  readonly controlPlane: string;
  /** The Tap API's address when it is served apart (Kubernetes: another port-forward). */
  readonly tapAddress?: string | undefined;
  readonly target: ResourceRef;
  readonly from: ResourceRef | undefined;
  readonly to: ResourceRef | undefined;
  readonly mode: ViewMode;
  readonly windowMs: number;
  readonly intervalMs: number;
}

export async function runInteractive(o: InteractiveOptions): Promise<number> {
  const stats = new GrpcStatsSource({ address: o.controlPlane });
  const tap = new GrpcTapSource({ address: o.tapAddress ?? o.controlPlane });
  const targetLabel =
    resourceLabel(o.target) +
    (o.from ? ` from ${resourceLabel(o.from)}` : '') +
    (o.to ? ` to ${resourceLabel(o.to)}` : '');
  const store = createStore(
    initialState({
      targetLabel,
      controlPlane: o.controlPlane,
      windowMs: o.windowMs,
      intervalMs: o.intervalMs,
      mode: o.mode,
      now: Date.now(),
    }),
  );
  const controller = new TopController({
    store,
    stats,
    tap,
    target: o.target,
    from: o.from,
    to: o.to,
    intervalMs: o.intervalMs,
  });
  let code = 0;
  let quitting = false;
  const quit = (c: number): void => {
    if (quitting) return;
    quitting = true;
    code = c;
    // Blank the alternate screen before Ink leaves it: after a resize, tmux ≥ 3.2 copies what is left on the
    // alternate screen into the restored primary screen (tmux/tmux#3510); a blank screen leaves nothing.
    // Render nothing first: Ink flushes a pending (throttled) frame while unmounting, which would otherwise
    // paint the last screen back over the blank one.
    app.rerender(<></>);
    app.clear();
    process.stdout.write('\x1b[2J\x1b[H');
    app.unmount();
  };
  const onSignal = (signal: NodeJS.Signals): void =>
    quit(signal === 'SIGINT' ? 130 : signal === 'SIGHUP' ? 129 : 143);
  // A bug must not die inside the alternate screen, where its message would vanish with the screen: leave it
  // first, then let the error reach the CLI, which prints it on the restored screen and exits 1.
  let crash: unknown;
  const onCrash = (err: unknown): void => {
    crash ??= err;
    quit(1);
  };
  const app = render(<App store={store} onQuit={quit} />, {
    // The caller checked that stdin and stdout are terminals; do not let CI detection turn the screen off.
    interactive: true,
    alternateScreen: true,
    incrementalRendering: true,
    exitOnCtrlC: false,
  });
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  controller.start();
  try {
    await app.waitUntilExit();
  } finally {
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    controller.stop();
    stats.close();
    tap.close();
  }
  if (crash !== undefined) throw crash instanceof Error ? crash : new Error(errorMessage(crash));
  return code;
}
