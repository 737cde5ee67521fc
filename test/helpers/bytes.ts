// Deterministic byte streams for large-body tests: generated chunk by chunk (never held whole in memory),
// hashed on both ends.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

/** A readable of `total` pseudo-random bytes from `seed`, in 64 KiB chunks. */
export function patternStream(total: number, seed = 1): Readable {
  let sent = 0;
  let state = seed >>> 0 || 1;
  return new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const n = Math.min(65536, total - sent);
      const buf = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i += 4) {
        // xorshift32: cheap, deterministic, and not compressible.
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        buf.writeUInt32LE(state >>> 0, i);
      }
      sent += n;
      this.push(buf);
    },
  });
}

export async function sha256Of(
  stream: AsyncIterable<Buffer | string>,
): Promise<{ hash: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += b.length;
    h.update(b);
  }
  return { hash: h.digest('hex'), bytes };
}
