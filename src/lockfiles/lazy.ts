import { createRequire } from 'node:module';
import type * as YamlModule from 'yaml';

const require = createRequire(import.meta.url);
let yaml: typeof YamlModule | undefined;

/** The `yaml` package, loaded on first use (only pnpm lockfiles and ignore files need it). */
export function loadYaml(): typeof YamlModule {
  yaml ??= require('yaml') as typeof YamlModule;
  return yaml;
}
