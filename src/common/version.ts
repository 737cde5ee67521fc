// The build's identity, read once from package.json (the single place the version is written).
import { readFileSync } from 'node:fs';

interface PackageJson {
  name: string;
  version: string;
}

const pkg = JSON.parse(
  readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
) as PackageJson;

export const VERSION: string = pkg.version;

export interface VersionInfo {
  version: string;
  node: string;
  platform: string;
}

export function versionInfo(): VersionInfo {
  return { version: VERSION, node: process.versions.node, platform: `${process.platform}/${process.arch}` };
}
