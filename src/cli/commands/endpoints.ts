// `meshctl endpoints [AUTHORITY...]`: what the Destination API currently says serves each authority — the
// first snapshot of each Get stream — or, without authorities, every authority of the namespace (-A: all).
import type { Command } from '@commander-js/extra-typings';
import { normalizeAuthority } from '../../common/address.js';
import { MeshError, UsageError } from '../../common/errors.js';
import {
  addControlPlaneOptions,
  SHARED_HELP,
  allNamespacesOption,
  namespaceOption,
} from '../common-options.js';
import { outputOption, writeOut } from '../output.js';
import type { ControlPlane } from '../control-plane.js';
import type { EndpointJsonRow } from '../views/endpoints.js';
import type { ServiceError } from '@grpc/grpc-js';
import type { DestinationList, Update } from '../../api/gen/destination.js';

const EXAMPLES = `
Examples:
  meshctl endpoints web.demo:80              # who serves web.demo on port 80
  meshctl endpoints web.demo books.demo:8080 # several authorities (a missing port means 80)
  meshctl endpoints -n demo                  # every authority of namespace demo
  meshctl endpoints -A -o wide               # every authority the mesh knows, with weights and protocol
  meshctl endpoints web.demo -o json | jq -r '.[].identity'

An authority the destination service does not know is an error (exit 1); one it knows without endpoints
prints nothing for it. JSON fields are listed in docs/cli-json.md.

${SHARED_HELP}
`;

/** How long to wait for each authority's first answer. */
const SNAPSHOT_TIMEOUT_MS = 5000;

type Snapshot = { known: false } | { known: true; rows: EndpointJsonRow[] };

/** The first message of Destination.Get for `authority`: its endpoints now, or that it is unknown. */
async function firstSnapshot(cp: ControlPlane, authority: string): Promise<Snapshot> {
  const { endpointJsonRow } = await import('../views/endpoints.js');
  return new Promise((resolve, reject) => {
    const call = cp.destination.get(
      { authority, contextToken: '' },
      { deadline: Date.now() + SNAPSHOT_TIMEOUT_MS },
    );
    let done = false;
    const finish = (outcome: () => void): void => {
      if (done) return;
      done = true;
      call.cancel();
      outcome();
    };
    call.on('data', (u: Update) => {
      if (u.noEndpoints !== undefined) {
        const known = u.noEndpoints.exists;
        finish(() => resolve(known ? { known, rows: [] } : { known }));
      } else {
        const addrs = u.add?.addrs ?? [];
        finish(() => resolve({ known: true, rows: addrs.map((a) => endpointJsonRow(authority, a)) }));
      }
    });
    call.on('error', (err: ServiceError) => finish(() => reject(cp.callError('destination', err))));
    call.on('end', () =>
      finish(() =>
        reject(new MeshError('MESH_STREAM_ENDED', `the destination service closed ${authority} at once`)),
      ),
    );
  });
}

async function listAuthorities(cp: ControlPlane, namespace: string | undefined): Promise<string[]> {
  const list = await cp.unary<DestinationList>('destination', (md, o, cb) =>
    cp.destination.list({}, md, o, cb),
  );
  return list.destinations
    .filter((d) => namespace === undefined || d.namespace === namespace)
    .map((d) => d.authority)
    .sort();
}

export function registerEndpoints(program: Command): void {
  addControlPlaneOptions(
    program
      .command('endpoints')
      .alias('ep')
      .description('the endpoints the destination service gives for authorities')
      .argument('[authorities...]', 'host:port as clients address it, e.g. web.demo:80')
      .addOption(namespaceOption())
      .addOption(allNamespacesOption())
      .addOption(outputOption()),
  )
    .addHelpText('after', EXAMPLES)
    .action(async (args, opts) => {
      const authorities = args.map((a) => {
        const normal = normalizeAuthority(a);
        if (normal === undefined) {
          throw new UsageError(
            'MESH_BAD_AUTHORITY',
            `invalid authority "${a}"`,
            'expected host or host:port',
          );
        }
        return normal;
      });
      const { withControlPlane, resolveNamespace } = await import('../control-plane.js');
      const ns = await resolveNamespace(opts.namespace, opts);
      const { endpointsTable, sortEndpoints } = await import('../views/endpoints.js');
      const { renderRows } = await import('../output.js');
      const rows: EndpointJsonRow[] = [];
      const unknown: string[] = [];
      await withControlPlane(opts, ['destination'], async (cp) => {
        const wanted =
          authorities.length > 0
            ? authorities
            : await listAuthorities(cp, opts.allNamespaces ? undefined : ns);
        const snapshots = await Promise.all(wanted.map((a) => firstSnapshot(cp, a)));
        snapshots.forEach((s, i) => {
          if (s.known) rows.push(...s.rows);
          else unknown.push(wanted[i] ?? '');
        });
      });
      sortEndpoints(rows);
      if (rows.length === 0 && unknown.length === 0) process.stderr.write('No endpoints found.\n');
      writeOut(
        await renderRows(opts.output, rows, () =>
          rows.length === 0 ? '' : endpointsTable(rows, { wide: opts.output === 'wide' }),
        ),
      );
      if (unknown.length > 0) {
        throw new MeshError(
          'MESH_UNKNOWN_AUTHORITY',
          `${unknown.length === 1 ? 'authority' : 'authorities'} ${unknown.map((a) => `"${a}"`).join(', ')} not known to the destination service`,
          'list the known ones with `meshctl endpoints -A`',
        );
      }
    });
}
