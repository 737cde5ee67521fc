// One `meshctl tap` stream: opens TapAPI.Watch, prints each event as it comes (respecting stdout's
// back-pressure), and ends on Ctrl-C (exit 130), on a closed stdout (exit 0), or on a server error.
import type { ServiceError } from '@grpc/grpc-js';
import type { TapEvent, WatchRequest } from '../api/gen/tap.js';
import { painterFor } from './colour.js';
import type { ControlPlane } from './control-plane.js';
import { EXIT_INTERRUPTED, EXIT_OK } from './exit.js';
import { renderJson, renderJsonLine, type OutputFormat } from './output.js';
import { tapEventJson, tapEventLine } from './views/tap.js';

export interface TapSession {
  readonly cp: ControlPlane;
  readonly request: WatchRequest;
  readonly format: OutputFormat;
  /** How the target is named in messages, e.g. "workload/web in demo". */
  readonly description: string;
  readonly out?: NodeJS.WriteStream;
  readonly err?: NodeJS.WriteStream;
}

/** Streams until interrupted; resolves with the exit code, rejects with a MeshError on a failed tap. */
export function runTap(session: TapSession): Promise<number> {
  const out = session.out ?? process.stdout;
  const err = session.err ?? process.stderr;
  const paint = painterFor(out);
  const wide = session.format === 'wide';
  const render = (e: TapEvent): string => {
    const j = tapEventJson(e);
    switch (session.format) {
      case 'json':
        return renderJson(j);
      case 'jsonl':
        return renderJsonLine(j);
      default:
        return tapEventLine(j, { wide, paint }) + '\n';
    }
  };

  return new Promise((resolve, reject) => {
    const call = session.cp.tap.watch(session.request);
    let finished = false;
    const finish = (outcome: () => void): void => {
      if (finished) return;
      finished = true;
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onInterrupt);
      out.off('error', onOutputError);
      call.cancel();
      outcome();
    };
    const onInterrupt = (): void => finish(() => resolve(EXIT_INTERRUPTED));
    // `meshctl tap … | head`: the reader left, which is not a failure.
    const onOutputError = (): void => finish(() => resolve(EXIT_OK));
    process.once('SIGINT', onInterrupt);
    process.once('SIGTERM', onInterrupt);
    out.on('error', onOutputError);

    call.on('metadata', () => {
      if (err.isTTY) err.write(`tapping ${session.description} (Ctrl-C to stop)\n`);
    });
    call.on('data', (e: TapEvent) => {
      if (finished) return;
      if (!out.write(render(e))) {
        call.pause();
        out.once('drain', () => call.resume());
      }
    });
    call.on('error', (e: ServiceError) => finish(() => reject(session.cp.callError('tap', e))));
    call.on('end', () => finish(() => resolve(EXIT_OK)));
  });
}
