// Process-level entry of `meshctl proxy`: config, logger, signals, exit status.
import { createLogger } from '../common/logger.js';
import type { SettingValues } from '../common/settings.js';
import { resolveProxyConfig } from './config.js';
import { startProxy } from './proxy.js';
import { installLeanAsyncResourceBind } from './async-resource-bind.js';
import { keepWebAssemblyOnBaselineCompiler } from './wasm-baseline.js';

export async function runProxy(flags: SettingValues, env: NodeJS.ProcessEnv): Promise<void> {
  const config = resolveProxyConfig(flags, env);
  installLeanAsyncResourceBind();
  keepWebAssemblyOnBaselineCompiler();
  const logger = createLogger('proxy', config.logLevel);
  const proxy = await startProxy(config, logger);
  const onSignal = (signal: NodeJS.Signals): void => {
    void proxy.shutdown(signal);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await proxy.closed;
  // Exit explicitly: pooled sockets and timers must not keep a drained proxy alive.
  setImmediate(() => process.exit(0));
}
