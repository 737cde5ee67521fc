// Wiring only: read config, build the inbound/outbound/admin stacks, start them, drain on SIGTERM.
import type { SettingValues } from '../common/settings.js';
import { resolveProxyConfig } from './config.js';

export async function runProxy(flags: SettingValues, env: NodeJS.ProcessEnv): Promise<void> {
  const config = resolveProxyConfig(flags, env);
  void config;
  throw new Error('not implemented');
}
