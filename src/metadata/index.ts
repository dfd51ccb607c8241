/**
 * Registry metadata signals for one resolved release: age, cadence, publishers, description,
 * repository link, yanked/deprecated, provenance, dependency-confusion versions and look-alike
 * dependencies. Works only from the documents the registry client already fetched (no extra
 * round-trip). Registry documents are attacker-influenced and are treated as `unknown`.
 *
 * None of these signals is malicious on its own: severities stay at medium or below; they add weight
 * to what the code analysis finds.
 */
import type { Ecosystem, Finding, RuleKind, Severity, Confidence } from '../core/types.js';
import type { ResolvedRelease } from '../ecosystems/types.js';
import { defaultIndex, findImitated, normaliseName } from '../typosquat/index.js';

export interface MetadataOptions {
  /** Clock for age computations (tests). */
  now?: Date;
  /** Policy: releases younger than this many hours get a `meta/min-age` finding. */
  minAgeHours?: number;
}

const HOUR = 3_600_000;
/** A release this young is reported (low) even without a policy. */
export const NEW_RELEASE_HOURS = 72;
/** A project whose first upload is this recent is reported. */
export const NEW_PROJECT_DAYS = 30;
/** A gap this long before the release counts as dormancy. */
export const DORMANT_DAYS = 730;
/** Repository names matched against the top lists up to this rank (star-jacking). */
const STAR_JACK_RANK = 5000;

type Rec = Record<string, unknown>;

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function rec(v: unknown): Rec | undefined {
  return isRecord(v) ? v : undefined;
}
function str(v: unknown, max = 100_000): string | undefined {
  return typeof v === 'string' && v.length <= max ? v : undefined;
}
function time(v: unknown): number | undefined {
  if (typeof v !== 'string' || v.length > 64) return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

function finding(
  ruleId: string,
  severity: Severity,
  message: string,
  evidence: string,
  data: Rec,
  kind: RuleKind = 'capability',
  confidence: Confidence = 'high',
): Finding {
  return {
    ruleId,
    severity,
    kind,
    category: 'metadata',
    confidence,
    message,
    location: { path: '(registry)', line: 0 },
    evidence: evidence.slice(0, 300),
    trigger: 'none',
    data,
  };
}

/** Smallest value without spreading (registry documents can list tens of thousands of versions). */
function minOf(xs: readonly number[]): number {
  let m = Infinity;
  for (const x of xs) if (x < m) m = x;
  return m;
}

/** Version -> publish time (ms), from the client's version list and the raw documents. */
function versionTimes(release: ResolvedRelease): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of release.versions) {
    const t = time(v.time);
    if (t !== undefined) out.set(v.version, t);
  }
  const doc = rec(release.registryDocument);
  if (release.ecosystem === 'npm') {
    const times = rec(doc?.time);
    if (times !== undefined) {
      for (const [v, raw] of Object.entries(times)) {
        if (v === 'created' || v === 'modified' || out.has(v)) continue;
        const t = time(raw);
        if (t !== undefined && (rec(doc?.versions)?.[v] !== undefined)) out.set(v, t);
      }
    }
  } else {
    const releases = rec(doc?.releases);
    if (releases !== undefined) {
      for (const [v, files] of Object.entries(releases)) {
        if (out.has(v) || !Array.isArray(files)) continue;
        const ts = files.map((f) => time(rec(f)?.upload_time_iso_8601) ?? time(rec(f)?.upload_time)).filter((t): t is number => t !== undefined);
        if (ts.length > 0) out.set(v, minOf(ts));
      }
    }
  }
  return out;
}

function releaseTime(release: ResolvedRelease, times: Map<string, number>): number | undefined {
  const t = times.get(release.version);
  if (t !== undefined) return t;
  const uploads = release.artifacts.map((a) => time(a.uploadTime)).filter((x): x is number => x !== undefined);
  return uploads.length > 0 ? minOf(uploads) : undefined;
}

/** npm: the packument's manifest of another version. */
function npmManifest(release: ResolvedRelease, version: string | undefined): Rec | undefined {
  if (version === undefined) return undefined;
  return rec(rec(rec(release.registryDocument)?.versions)?.[version]);
}

/** The versions published before this one, oldest first (by time when known, else list order). */
function earlierVersions(release: ResolvedRelease, times: Map<string, number>): string[] {
  const idx = release.versions.findIndex((v) => v.version === release.version);
  const listed = (idx >= 0 ? release.versions.slice(0, idx) : release.versions.filter((v) => v.version !== release.version)).map((v) => v.version);
  const mine = times.get(release.version);
  if (mine === undefined) return listed;
  return [...times].filter(([v, t]) => v !== release.version && t < mine).sort((a, b) => a[1] - b[1]).map(([v]) => v);
}

function userName(v: unknown): string | undefined {
  const r = rec(v);
  const name = str(r?.name, 214) ?? str(v, 214);
  return name?.toLowerCase();
}

function maintainerNames(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.slice(0, 500).map(userName).filter((x): x is string => x !== undefined);
}

interface Described {
  summary?: string;
  readme?: string;
  repositoryUrls: string[];
  dependencies: string[];
}

function describe(release: ResolvedRelease): Described {
  const out: Described = { repositoryUrls: [], dependencies: [] };
  if (release.ecosystem === 'npm') {
    const m = rec(release.versionManifest) ?? npmManifest(release, release.version);
    const doc = rec(release.registryDocument);
    const summary = str(m?.description) ?? str(doc?.description);
    if (summary !== undefined) out.summary = summary;
    const readme = str(m?.readme) ?? str(doc?.readme);
    if (readme !== undefined) out.readme = readme;
    const repo = m?.repository ?? doc?.repository;
    const url = str(repo, 2000) ?? str(rec(repo)?.url, 2000);
    if (url !== undefined) out.repositoryUrls.push(url);
    const hp = str(m?.homepage, 2000);
    if (hp !== undefined) out.repositoryUrls.push(hp);
    out.dependencies = npmDependencies(m);
  } else {
    const info = rec(rec(release.versionManifest)?.info) ?? rec(rec(release.registryDocument)?.info);
    const summary = str(info?.summary);
    if (summary !== undefined) out.summary = summary;
    const readme = str(info?.description);
    if (readme !== undefined) out.readme = readme;
    const urls = rec(info?.project_urls);
    if (urls !== undefined) for (const v of Object.values(urls).slice(0, 50)) { const u = str(v, 2000); if (u !== undefined) out.repositoryUrls.push(u); }
    const hp = str(info?.home_page, 2000);
    if (hp !== undefined) out.repositoryUrls.push(hp);
    const req = info?.requires_dist;
    if (Array.isArray(req)) {
      for (const r of req.slice(0, 1000)) {
        const s = str(r, 1000);
        if (s === undefined || /;\s*extra\s*==/.test(s)) continue; // optional extras
        const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]{0,200})/.exec(s);
        if (m?.[1] !== undefined) out.dependencies.push(normaliseName('pypi', m[1]));
      }
    }
  }
  return out;
}

function npmDependencies(m: Rec | undefined): string[] {
  const out: string[] = [];
  for (const field of ['dependencies', 'optionalDependencies']) {
    const deps = rec(m?.[field]);
    if (deps !== undefined) out.push(...Object.keys(deps).slice(0, 2000).map((d) => d.toLowerCase()));
  }
  return out;
}

/** owner/repo of a GitHub, GitLab or Bitbucket URL. */
export function parseRepositoryUrl(url: string): { host: string; owner: string; repo: string } | undefined {
  const m = /^(?:git\+)?(?:https?:\/\/|git:\/\/|ssh:\/\/git@|git@)?(?:www\.)?(github\.com|gitlab\.com|bitbucket\.org)[/:]([A-Za-z0-9_.-]{1,100})\/([A-Za-z0-9_.-]{1,100})/i.exec(url.trim());
  if (m === null) {
    const short = /^(?:github:)?([A-Za-z0-9_.-]{1,100})\/([A-Za-z0-9_.-]{1,100})$/.exec(url.trim()); // npm "owner/repo"
    return short === null ? undefined : { host: 'github.com', owner: short[1] ?? '', repo: (short[2] ?? '').replace(/\.git$/i, '') };
  }
  return { host: (m[1] ?? '').toLowerCase(), owner: m[2] ?? '', repo: (m[3] ?? '').replace(/\.git$/i, '') };
}

const bare = (s: string): string => s.toLowerCase().replace(/[-_.]/g, '').replace(/^(?:python|py|node)(?=.{3})/, '').replace(/(?:js|py|python)$/, '');

/** The first heading of a README, when it is a single package-like word. */
function readmeTitle(readme: string): string | undefined {
  const head = readme.slice(0, 4000);
  const md = /^#{1,2}[ \t]+([^\n]{1,200})/m.exec(head);
  const rst = /^([^\n]{1,200})\n(?:={3,}|-{3,}|\*{3,})[ \t]*$/m.exec(head);
  const raw = md?.[1] ?? rst?.[1];
  if (raw === undefined) return undefined;
  const title = (raw.split(/\s[-–—:|(]\s?|:\s/)[0] ?? '').replace(/[*_`]/g, '').trim();
  return /^[A-Za-z0-9][A-Za-z0-9._-]{1,100}$/.test(title) ? title : undefined;
}

/** All metadata signals for a release. Never throws on malformed documents. */
export function metadataFindings(release: ResolvedRelease, options: MetadataOptions = {}): Finding[] {
  const out: Finding[] = [];
  const now = (options.now ?? new Date()).getTime();
  const eco: Ecosystem = release.ecosystem;
  const label = `${eco}:${release.name}@${release.version}`;
  const times = versionTimes(release);
  const published = releaseTime(release, times);

  // Age of the release and of the project.
  if (published !== undefined) {
    const ageHours = Math.max(0, (now - published) / HOUR);
    const rounded = Math.round(ageHours * 10) / 10;
    if (options.minAgeHours !== undefined && ageHours < options.minAgeHours) {
      out.push(finding('meta/min-age', 'medium', `${label} was published ${rounded} hours ago, less than the ${options.minAgeHours}-hour minimum age policy; wait or pin an older release.`, `published ${new Date(published).toISOString()}`, { ageHours: rounded, minAgeHours: options.minAgeHours, published: new Date(published).toISOString() }));
    } else if (ageHours < NEW_RELEASE_HOURS) {
      out.push(finding('meta/new-release', 'low', `${label} was published ${rounded} hours ago; new releases have had little public scrutiny.`, `published ${new Date(published).toISOString()}`, { ageHours: rounded, published: new Date(published).toISOString() }));
    }
  }
  const allTimes = [...times.values()];
  const created = time(rec(rec(release.registryDocument)?.time)?.created);
  const first = allTimes.length > 0 ? Math.min(minOf(allTimes), created ?? Infinity) : created;
  if (first !== undefined) {
    const days = (now - first) / (24 * HOUR);
    if (days < NEW_PROJECT_DAYS) {
      out.push(finding('meta/new-project', 'low', `${release.name} first appeared on the registry ${Math.max(0, Math.round(days))} days ago.`, `first upload ${new Date(first).toISOString()}`, { projectAgeDays: Math.round(days * 10) / 10, firstUpload: new Date(first).toISOString() }));
    }
  }
  const versionCount = Math.max(release.versions.length, times.size);
  if (versionCount <= 1) {
    out.push(finding('meta/single-release', 'low', `${release.name} has only this one release; a one-off upload is typical of throwaway malicious packages.`, `${versionCount} release`, { versions: versionCount }));
  }

  // Dormant for years, then a new release.
  const earlier = earlierVersions(release, times);
  const prevVersion = release.previousVersion ?? earlier[earlier.length - 1];
  const prevTime = prevVersion !== undefined ? times.get(prevVersion) : undefined;
  const lastBefore = -minOf(earlier.map((v) => -(times.get(v) ?? -Infinity)));
  if (published !== undefined && Number.isFinite(lastBefore) && prevVersion !== undefined) {
    const gapDays = (published - lastBefore) / (24 * HOUR);
    if (gapDays >= DORMANT_DAYS) {
      out.push(finding('meta/dormant-revival', 'medium', `${label} comes ${Math.round(gapDays)} days after the previous release; a long-dormant project that suddenly publishes may have changed hands.`, `previous release ${new Date(lastBefore).toISOString()}`, { gapDays: Math.round(gapDays), previousVersion: prevVersion, previousTime: new Date(prevTime ?? lastBefore).toISOString() }, 'capability', 'low'));
    }
  }

  if (eco === 'npm') out.push(...npmSignals(release, label, earlier, prevVersion));

  // Dependency-confusion style version numbers.
  const major = /^v?(\d{1,12})\./.exec(release.version);
  if (major !== null && Number(major[1]) >= 99) {
    out.push(finding('meta/dependency-confusion-version', 'medium', `${label} uses a very high version number, a trick to win over an internal package of the same name.`, release.version, { version: release.version, major: Number(major[1]) }, 'threat', 'low'));
  }

  // Yanked / deprecated.
  const vinfo = release.versions.find((v) => v.version === release.version);
  const yankedFile = release.artifacts.find((a) => a.yanked !== undefined && a.yanked !== false);
  if (vinfo?.yanked === true || yankedFile !== undefined) {
    const info = rec(rec(release.versionManifest)?.info);
    const reason = str(info?.yanked_reason, 500) ?? (typeof yankedFile?.yanked === 'string' ? yankedFile.yanked : undefined);
    out.push(finding('meta/yanked', 'low', `${label} was yanked by its publisher${reason !== undefined && reason !== '' ? `: ${reason}` : ''}.`, reason ?? 'yanked', { reason: reason ?? null }));
  }
  if (vinfo?.deprecated !== undefined) {
    out.push(finding('meta/deprecated', 'low', `${label} is deprecated: ${vinfo.deprecated.slice(0, 300)}`, vinfo.deprecated, { message: vinfo.deprecated.slice(0, 1000) }));
  }

  // Description and repository.
  const d = describe(release);
  const text = `${d.summary ?? ''}${d.readme ?? ''}`.trim();
  if (text === '' || /^(?:UNKNOWN|none|n\/a|todo|test)$/i.test(text)) {
    out.push(finding('meta/no-description', 'low', `${label} has no description.`, 'empty description', { summary: d.summary ?? null }));
  } else if (d.readme !== undefined) {
    const title = readmeTitle(d.readme);
    const own = normaliseName(eco, release.name.replace(/^@[^/]+\//, ''));
    if (title !== undefined) {
      const t = normaliseName(eco, title);
      const top = defaultIndex(eco).lookup(t);
      if (top !== undefined && top.rank <= STAR_JACK_RANK && t !== own && !bare(own).includes(bare(t)) && !bare(t).includes(bare(own))) {
        out.push(finding('meta/copied-description', 'medium', `The description of ${label} is titled '${title}', the popular ${eco} package '${top.name}'; copied READMEs are common in typosquats.`, `README title: ${title}`, { title, imitated: top.name, imitatedRank: top.rank }, 'threat', 'low'));
      }
    }
  }
  const repos = d.repositoryUrls.map(parseRepositoryUrl).filter((r): r is NonNullable<typeof r> => r !== undefined);
  if (repos.length === 0) {
    out.push(finding('meta/no-repository', 'info', `${label} links no source repository, so its code cannot be compared with a public history.`, 'no repository link', { urls: d.repositoryUrls.slice(0, 5) }));
  } else {
    const r = repos[0];
    if (r !== undefined) {
      const own = bare(release.name.replace(/^@[^/]+\//, ''));
      const scope = release.name.startsWith('@') ? bare(release.name.slice(1, release.name.indexOf('/'))) : '';
      const repo = bare(r.repo);
      const ownerBare = bare(r.owner);
      const top = defaultIndex(eco).lookup(r.repo);
      const selfListed = defaultIndex(eco).lookup(release.name);
      if (
        top !== undefined && top.rank <= STAR_JACK_RANK && selfListed === undefined && repo !== own && !own.includes(repo) &&
        !repo.includes(own) && repo !== scope && ownerBare !== own && !own.includes(ownerBare)
      ) {
        out.push(finding('meta/star-jacking', 'medium', `${label} links the repository ${r.host}/${r.owner}/${r.repo}, which belongs to the popular package '${top.name}', not to ${release.name}; its stars and history say nothing about this package.`, `${r.host}/${r.owner}/${r.repo}`, { repository: `https://${r.host}/${r.owner}/${r.repo}`, imitated: top.name, imitatedRank: top.rank }, 'threat', 'low'));
      }
    }
  }

  // Dependencies that imitate popular packages (new ones when the previous release is known).
  const prevDeps = eco === 'npm' ? new Set(npmDependencies(npmManifest(release, prevVersion))) : undefined;
  const seen = new Set<string>();
  for (const dep of d.dependencies) {
    if (seen.has(dep) || (prevDeps !== undefined && prevVersion !== undefined && prevDeps.has(dep))) continue;
    seen.add(dep);
    if (seen.size > 500) break;
    const hit = findImitated(eco, dep);
    if (hit === undefined) continue;
    out.push(finding('meta/lookalike-dependency', 'medium', `${label} depends on '${dep}', which imitates the popular package '${hit.target}' (${hit.technique}).`, `${dep} ~ ${hit.target}`, { dependency: dep, target: hit.target, technique: hit.technique, newInRelease: prevDeps !== undefined && prevVersion !== undefined }, 'threat', 'medium'));
  }
  return out;
}

function npmSignals(release: ResolvedRelease, label: string, earlier: readonly string[], prevVersion: string | undefined): Finding[] {
  const out: Finding[] = [];
  const m = rec(release.versionManifest) ?? npmManifest(release, release.version);
  if (m === undefined) return out;
  const publisher = userName(m._npmUser);
  const previousPublishers = new Set<string>();
  for (const v of earlier.slice(-200)) {
    const p = userName(npmManifest(release, v)?._npmUser);
    if (p !== undefined) previousPublishers.add(p);
  }
  if (publisher !== undefined && previousPublishers.size > 0 && !previousPublishers.has(publisher)) {
    out.push(finding('meta/new-publisher', 'medium', `${label} was published by '${publisher}', who published none of the earlier releases (${[...previousPublishers].slice(0, 5).join(', ')}); account takeovers look like this.`, `_npmUser ${publisher}`, { publisher, previousPublishers: [...previousPublishers].slice(0, 20) }, 'capability', 'medium'));
  }
  const prev = npmManifest(release, prevVersion);
  if (prev !== undefined) {
    const now = new Set(maintainerNames(m.maintainers));
    const before = new Set(maintainerNames(prev.maintainers));
    const added = [...now].filter((x) => !before.has(x));
    const removed = [...before].filter((x) => !now.has(x));
    if (before.size > 0 && added.length > 0) {
      out.push(finding('meta/maintainers-changed', 'low', `Maintainers changed since ${prevVersion ?? 'the previous release'}: added ${added.join(', ')}${removed.length > 0 ? `, removed ${removed.join(', ')}` : ''}.`, `maintainers +${added.join(',')} -${removed.join(',')}`, { added, removed, previousVersion: prevVersion ?? null }));
    }
    const hadProvenance = rec(rec(prev.dist)?.attestations) !== undefined;
    const hasProvenance = rec(rec(m.dist)?.attestations) !== undefined;
    if (hadProvenance && !hasProvenance) {
      out.push(finding('meta/provenance-removed', 'medium', `${prevVersion ?? 'The previous release'} was published with a provenance attestation but ${release.version} was not; a release built outside the project's CI looks like this.`, 'dist.attestations missing', { previousVersion: prevVersion ?? null }, 'threat', 'low'));
    }
  }
  return out;
}
