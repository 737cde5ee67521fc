// Keeps WebAssembly in the proxy process on V8's baseline compiler (Liftoff), without the optimising tier-up.
//
// Why: undici parses upstream HTTP/1.1 responses with llhttp compiled to WebAssembly. V8 compiles it with
// Liftoff first and, once it runs hot (after a few dozen responses), recompiles it with TurboFan on a
// background thread. llhttp is one big state machine, and that single compile takes ≈ 17 MB of compiler
// memory for some 40 ms: the proxy's peak RSS (VmHWM) jumped by that much shortly after its first traffic,
// every time, for a parser whose baseline code is fast enough. Measured side by side (wrk, 50 connections,
// three interleaved rounds of 5 s): 30.6k requests/s with tier-up, 30.7k without; VmHWM at saturation
// −5.5 MB, at 1,000 requests/s 93.8 → 90.3 MB.
//
// The flag is read when WebAssembly is compiled, so setting it at run time works as long as it happens
// before the proxy's first upstream HTTP/1.1 connection, which is when undici compiles llhttp.
import v8 from 'node:v8';

export function keepWebAssemblyOnBaselineCompiler(): void {
  v8.setFlagsFromString('--liftoff-only');
}
