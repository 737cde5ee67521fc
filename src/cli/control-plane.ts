// Which control plane a command talks to, and one gRPC channel to it. Looks at --control-plane, then
// $MESHCTL_CONTROL_PLANE, then the running demo's record, then the default; fails fast with one line
// when nothing answers there, and turns gRPC errors into the CLI's messages and exit codes.
import * as grpc from '@grpc/grpc-js';
import { formatHostPort, parseHostPort } from '../common/address.js';
import { MeshError, UsageError } from '../common/errors.js';
import { DEFAULT_CONTROL_PLANE } from '../control/config.js';
import { readControlPlaneRecord } from '../demo/state.js';
import { DestinationClient } from '../api/gen/destination.js';
import { MetricsClient } from '../api/gen/metrics.js';
import { TapAPIClient } from '../api/gen/tap.js';
import type { KubeSelection } from './kube-control-plane.js';

import { CONTROL_PLANE_ENV, DEFAULT_CONTROL_PLANE_NAMESPACE, DEFAULT_NAMESPACE } from './common-options.js';

export type ControlPlaneSource = 'flag' | 'env' | 'demo' | 'default' | 'kubernetes';

export interface ControlPlaneTarget {
  /** host:port of the control plane's gRPC listener. */
  readonly address: string;
  readonly source: ControlPlaneSource;
  /** The namespace of the mesh behind it when it is known (the running demo's), for -n's default. */
  readonly namespace?: string;
  /** Per-API addresses when the APIs are served apart (Kubernetes: one port-forward per component). */
  readonly apis?: ReadonlyMap<ControlApi, string>;
  /** What `address` leads to, for messages (Kubernetes: the pod it is forwarded to). */
  readonly via?: string;
}

/** The flags that choose the control plane: --control-plane, or a cluster's (--context/--kubeconfig). */
export interface ControlPlaneFlags {
  readonly controlPlane?: string | undefined;
  readonly context?: string | undefined;
  readonly kubeconfig?: string | undefined;
  readonly controlPlaneNamespace?: string | undefined;
}

/** --context or --kubeconfig: ask the control plane installed in that cluster. */
export function kubernetesMode(flags: ControlPlaneFlags): boolean {
  if (flags.context === undefined && flags.kubeconfig === undefined) return false;
  if (flags.controlPlane !== undefined) {
    throw new UsageError(
      'MESH_EXCLUSIVE_FLAGS',
      '--control-plane cannot be combined with --context or --kubeconfig',
      "pass --control-plane for a local control plane, or --context/--kubeconfig for a cluster's",
    );
  }
  return true;
}

export function resolveControlPlane(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ControlPlaneTarget {
  if (flag !== undefined) return { address: checkedAddress(flag, '--control-plane'), source: 'flag' };
  const fromEnv = env[CONTROL_PLANE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    return { address: checkedAddress(fromEnv, CONTROL_PLANE_ENV), source: 'env' };
  }
  const demo = readControlPlaneRecord(env);
  if (demo !== undefined) {
    return {
      address: demo.address,
      source: 'demo',
      ...(demo.namespace ? { namespace: demo.namespace } : {}),
    };
  }
  return { address: DEFAULT_CONTROL_PLANE, source: 'default' };
}

/**
 * The namespace a command works in: -n, else the running demo's when the demo is the control plane it
 * talks to (as kubectl takes the context's namespace), else "default".
 */
export async function resolveNamespace(
  flag: string | undefined,
  flags: ControlPlaneFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  if (flag !== undefined) return flag;
  if (kubernetesMode(flags)) {
    const { kubeNamespace } = await import('./kube-control-plane.js');
    return kubeNamespace(flags, env);
  }
  return resolveControlPlane(flags.controlPlane, env).namespace ?? DEFAULT_NAMESPACE;
}

function checkedAddress(text: string, what: string): string {
  return formatHostPort(parseHostPort(text, what));
}

const SOURCE_NOTE: Readonly<Record<ControlPlaneSource, string>> = {
  flag: '',
  env: ` (from $${CONTROL_PLANE_ENV})`,
  demo: ' (recorded by the running demo)',
  default: '',
  kubernetes: '',
};

export function unreachable(target: ControlPlaneTarget): MeshError {
  return new MeshError(
    'MESH_NO_CONTROL_PLANE',
    `no control plane reachable at ${target.address}${SOURCE_NOTE[target.source]}${target.via ? ` (${target.via})` : ''} — ${
      target.source === 'kubernetes'
        ? 'run `meshctl check` to see what is wrong with the control plane'
        : 'start one with `meshctl demo` or pass --control-plane'
    }`,
  );
}

/** The APIs the control plane serves, with the `meshctl control` component that serves each. */
export type ControlApi = 'destination' | 'tap' | 'metrics';

/** How long a command waits for the control plane to accept a connection. */
export const CONNECT_TIMEOUT_MS = 3000;

/** One channel to the control plane, shared by the clients a command uses. */
export class ControlPlane {
  private destinationClient: DestinationClient | undefined;
  private tapClient: TapAPIClient | undefined;
  private metricsClient: MetricsClient | undefined;

  private constructor(
    readonly target: ControlPlaneTarget,
    private readonly probe: grpc.Client,
  ) {}

  /**
   * Connects, failing with the one-line "no control plane reachable" error when the address refuses
   * connections (at once) or does not answer within `timeoutMs`.
   */
  static async connect(target: ControlPlaneTarget, timeoutMs = CONNECT_TIMEOUT_MS): Promise<ControlPlane> {
    const probe = new grpc.Client(target.address, grpc.credentials.createInsecure());
    const channel = probe.getChannel();
    const deadline = Date.now() + timeoutMs;
    const ready = await new Promise<boolean>((resolve) => {
      const check = (): void => {
        const state = channel.getConnectivityState(true);
        if (state === grpc.connectivityState.READY) return resolve(true);
        // A refused connection will not start working in the next second: say so now.
        if (state === grpc.connectivityState.TRANSIENT_FAILURE || state === grpc.connectivityState.SHUTDOWN) {
          return resolve(false);
        }
        if (Date.now() >= deadline) return resolve(false);
        channel.watchConnectivityState(state, deadline, check);
      };
      check();
    });
    if (!ready) {
      probe.close();
      throw unreachable(target);
    }
    return new ControlPlane(target, probe);
  }

  /** Where `api` is served; clients of the probed address share its channel. */
  private addressOf(api: ControlApi): string {
    return this.target.apis?.get(api) ?? this.target.address;
  }

  private options(api: ControlApi): grpc.ClientOptions {
    return this.addressOf(api) === this.target.address ? { channelOverride: this.probe.getChannel() } : {};
  }

  get destination(): DestinationClient {
    return (this.destinationClient ??= new DestinationClient(
      this.addressOf('destination'),
      grpc.credentials.createInsecure(),
      this.options('destination'),
    ));
  }

  get tap(): TapAPIClient {
    return (this.tapClient ??= new TapAPIClient(
      this.addressOf('tap'),
      grpc.credentials.createInsecure(),
      this.options('tap'),
    ));
  }

  get metrics(): MetricsClient {
    return (this.metricsClient ??= new MetricsClient(
      this.addressOf('metrics'),
      grpc.credentials.createInsecure(),
      this.options('metrics'),
    ));
  }

  /** Runs a unary call with a deadline; gRPC errors become MeshErrors (see callError). */
  unary<Res>(
    api: ControlApi,
    invoke: (
      metadata: grpc.Metadata,
      options: Partial<grpc.CallOptions>,
      callback: (err: grpc.ServiceError | null, res: Res) => void,
    ) => unknown,
    timeoutMs = 10_000,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      invoke(new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err) reject(this.callError(api, err));
        else resolve(res);
      });
    });
  }

  /** Maps a gRPC status to what the user should read, and its exit code (usage problems exit 2). */
  callError(api: ControlApi, err: grpc.ServiceError | grpc.StatusObject): MeshError {
    const details = err.details || grpc.status[err.code] || 'unknown error';
    switch (err.code) {
      case grpc.status.UNIMPLEMENTED:
        return new MeshError(
          'MESH_API_UNAVAILABLE',
          `the control plane at ${this.target.address} does not serve the ${api} API`,
          `run \`meshctl control\` with the ${api} component (meshctl demo runs every component)`,
        );
      case grpc.status.NOT_FOUND:
        return new MeshError('MESH_NOT_FOUND', details);
      case grpc.status.INVALID_ARGUMENT:
        return new UsageError('MESH_BAD_REQUEST', details);
      case grpc.status.UNAVAILABLE:
        return unreachable(this.target);
      case grpc.status.DEADLINE_EXCEEDED:
        return new MeshError(
          'MESH_TIMEOUT',
          `the control plane at ${this.target.address} did not answer in time (${api})`,
        );
      default:
        return new MeshError('MESH_CONTROL_PLANE_ERROR', `${api}: ${details}`);
    }
  }

  close(): void {
    this.destinationClient?.close();
    this.tapClient?.close();
    this.metricsClient?.close();
    this.probe.close();
  }
}

/** The cluster and control-plane namespace that --kubeconfig, --context and --control-plane-namespace name. */
export function kubeSelectionOf(flags: ControlPlaneFlags): KubeSelection {
  return {
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    controlPlaneNamespace: flags.controlPlaneNamespace ?? DEFAULT_CONTROL_PLANE_NAMESPACE,
  };
}

/**
 * Connects to the control plane the flags choose, runs `fn`, and closes everything whatever happens. With
 * --context/--kubeconfig, `apis` are port-forwarded to their components' pods in the cluster.
 */
export async function withControlPlane<T>(
  flags: ControlPlaneFlags,
  apis: readonly [ControlApi, ...ControlApi[]],
  fn: (cp: ControlPlane) => Promise<T>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const run = async (target: ControlPlaneTarget): Promise<T> => {
    const cp = await ControlPlane.connect(target);
    try {
      return await fn(cp);
    } finally {
      cp.close();
    }
  };
  if (!kubernetesMode(flags)) return run(resolveControlPlane(flags.controlPlane, env));
  const { withKubeControlPlane } = await import('./kube-control-plane.js');
  const selection = kubeSelectionOf(flags);
  return withKubeControlPlane(
    selection,
    apis,
    (forwards) =>
      run({
        address: forwards.addresses.get(apis[0]) as string,
        source: 'kubernetes',
        apis: forwards.addresses,
        via: `port-forwarded to pod ${selection.controlPlaneNamespace}/${forwards.pods.get(apis[0]) ?? '?'}`,
      }),
    env,
  );
}
