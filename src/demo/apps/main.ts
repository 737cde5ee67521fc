// Entry of `meshctl demo-app KIND`: runs one demo application until SIGTERM.
import { UsageError } from '../../common/errors.js';
import { runAuthors } from './authors.js';
import { runBooks, type AppHandle } from './books.js';
import { runTraffic } from './traffic.js';
import { runWeb } from './web.js';

export async function runDemoApp(
  kind: string,
  opts: { listen: string; instance: string; outbound: string; rps: number },
): Promise<void> {
  let app: AppHandle;
  switch (kind) {
    case 'web':
      app = await runWeb(opts.listen, opts.instance, opts.outbound);
      break;
    case 'books':
      app = await runBooks(opts.listen, opts.instance);
      break;
    case 'authors':
      app = await runAuthors(opts.listen, opts.instance);
      break;
    case 'traffic':
      app = await runTraffic(opts.outbound, opts.rps);
      break;
    default:
      throw new UsageError(
        'MESH_BAD_ARGUMENT',
        `unknown demo app "${kind}"`,
        'choose web, books, authors or traffic',
      );
  }
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await app.close();
  setImmediate(() => process.exit(0));
}
