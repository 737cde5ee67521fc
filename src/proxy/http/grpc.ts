// gRPC details the proxy needs: status from trailers (responses are classified by it, not by :status)
// and deadlines from grpc-timeout.

/** Parses a grpc-timeout value (`100m`, `5S`, `1H`…) to milliseconds; undefined when absent or invalid. */
export function parseGrpcTimeout(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{1,8})([HMSmun])$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  switch (m[2]) {
    case 'H':
      return n * 3_600_000;
    case 'M':
      return n * 60_000;
    case 'S':
      return n * 1000;
    case 'm':
      return n;
    case 'u':
      return n / 1000;
    default:
      return n / 1_000_000;
  }
}

/** The numeric grpc-status of a header or trailer block, or undefined. */
export function grpcStatusOf(headers: Record<string, unknown> | undefined): number | undefined {
  const value = headers?.['grpc-status'];
  if (typeof value !== 'string') return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 16 ? n : undefined;
}
