// What the harness and the origin process agree on: the ports line the origin prints, and its paths.

export interface OriginPorts {
  readonly h1: number;
  readonly h2: number;
  readonly grpc: number;
}

/** The gRPC unary method the origin serves (echoes the request message). */
export const GRPC_ECHO_PATH = '/bench.Echo/Echo';

/** Response body paths: `/` is 13 bytes; `/bytes/<n>` is n bytes. */
export const SMALL_PATH = '/';
export const bytesPath = (n: number): string => `/bytes/${n}`;
