// Replaces AsyncResource.prototype.bind in the proxy process with an equivalent that leaves no garbage in
// V8's old generation.
//
// Why: Node's own bind() gives every bound function a deprecated `asyncResource` accessor (DEP0172) made of
// two fresh closures. Accessors live in the object's hidden class, so each call creates a new hidden class —
// and hidden classes are allocated straight into the old generation. Node's HTTP/2 client calls bind() for
// every request it sends (ClientHttp2Session.request), and the closures reach the request's stream, so every
// upstream HTTP/2 stream, with its headers, buffers and listeners, stays reachable from the old generation
// until the next full mark-compact. Young-generation collections therefore copied and promoted every stream:
// in the proxy at 1,000 gRPC requests/s, 2.2 MB survived each scavenge, V8 grew the young generation to
// 16 MB, scavenges took 3–6 ms and full collections ran every few seconds — the HTTP/2 p99 budget several
// times over. With this bind(), 3 KB survives a scavenge and a scavenge takes ~0.2 ms (bench/README.md,
// "HTTP/2 and garbage collection").
//
// The replacement keeps bind()'s contract: the function runs in the resource's async scope, with the given
// thisArg (or the caller's this), and reports the wrapped function's length. Only the deprecated property
// is gone. It is installed by `meshctl proxy` alone; other commands keep Node's bind().
import { AsyncResource } from 'node:async_hooks';

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

function bindWithoutAccessor<F extends AnyFunction>(resource: AsyncResource, fn: F, thisArg: unknown): F {
  if (typeof fn !== 'function') throw new TypeError('The "fn" argument must be of type function');
  const bound =
    thisArg === undefined
      ? function (this: unknown, ...args: unknown[]): unknown {
          return resource.runInAsyncScope(fn, this, ...args);
        }
      : function (...args: unknown[]): unknown {
          return resource.runInAsyncScope(fn, thisArg, ...args);
        };
  // A data property, unlike an accessor, keeps its value in the object: every bound function shares one
  // hidden class.
  Object.defineProperty(bound, 'length', { value: fn.length, configurable: true });
  return bound as F;
}

let installed = false;

export function installLeanAsyncResourceBind(): void {
  if (installed) return;
  installed = true;
  Object.defineProperty(AsyncResource.prototype, 'bind', {
    value: function bind(this: AsyncResource, fn: AnyFunction, thisArg?: unknown): AnyFunction {
      return bindWithoutAccessor(this, fn, thisArg);
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
