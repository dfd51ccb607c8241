/**
 * The guard's flat fixture lists (one entry per file or tarball) served by the shared loopback registry
 * (test/helpers/registry-server.ts). Kept for eval/proxy-load.ts; tests use the registry server directly
 * (see guarded-registry.ts). Files are also reachable at `/files/<filename>`.
 */
import { startRegistryServer } from '../helpers/registry-server.js';
import type { NpmPackageFixture, PypiProjectFixture } from '../helpers/registry-server.js';
import { LONG_AGO } from './guarded-registry.js';

export interface PypiFixture {
  project: string;
  version: string;
  filename: string;
  bytes: Uint8Array;
  /** Served instead of `bytes` (the index still lists the hash of `bytes`). */
  tampered?: Uint8Array;
  uploadTime?: string;
}

export interface NpmFixture {
  name: string;
  version: string;
  bytes: Uint8Array;
  tampered?: Uint8Array;
  time?: string;
}

export interface FixtureUpstream {
  url: string;
  pypiUrl: string;
  npmUrl: string;
  /** When true, project pages are served as HTML even when JSON is asked for. */
  htmlOnly: boolean;
  close(): Promise<void>;
}

export async function startFixtureUpstream(pypi: PypiFixture[], npm: NpmFixture[]): Promise<FixtureUpstream> {
  const projects = new Map<string, PypiProjectFixture>();
  for (const { project, ...file } of pypi) {
    const entry = projects.get(project) ?? { name: project, files: [] };
    entry.files.push(file);
    projects.set(project, entry);
  }
  const packages = new Map<string, NpmPackageFixture>();
  for (const { name, bytes, ...version } of npm) {
    const entry = packages.get(name) ?? { name, versions: [] };
    entry.versions.push({ ...version, tarball: bytes });
    packages.set(name, entry);
  }
  const server = await startRegistryServer({ pypi: [...projects.values()], npm: [...packages.values()], defaultTime: LONG_AGO });
  return {
    url: server.url,
    pypiUrl: server.pypiIndexUrl,
    npmUrl: server.npmRegistryUrl,
    get htmlOnly() {
      return server.htmlOnly;
    },
    set htmlOnly(value: boolean) {
      server.htmlOnly = value;
    },
    close: () => server.close(),
  };
}
