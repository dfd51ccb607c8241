/** Server-rendered pages of the dashboard. No scripts, no external assets; every value is escaped. */
import type { Finding, Verdict } from '../core/types.js';
import type { AlertRecord, ProjectRecord, ReleaseRecord } from '../store/types.js';
import { releasePath } from '../store/types.js';
import { html, raw } from './html.js';
import type { Html } from './html.js';

/** The one stylesheet, inline; the Content-Security-Policy allows it by its hash (no 'unsafe-inline'). */
export const STYLE_CSS = `
:root{--bg:#f7f7f9;--fg:#1d1d27;--muted:#667;--line:#dde;--mal:#b00020;--sus:#b35c00;--ok:#1b7f3b;--card:#fff}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
header{background:#20203a;color:#fff;padding:.7rem 1.5rem;display:flex;gap:1.5rem;align-items:center;flex-wrap:wrap}
header a{color:#fff;text-decoration:none}header .brand{font-weight:700;font-size:1.2rem;letter-spacing:.02em}
header form{margin-left:auto}input[type=search]{padding:.35rem .6rem;border-radius:4px;border:0;min-width:16rem}
button{padding:.35rem .8rem;border:0;border-radius:4px;background:#5b5bd6;color:#fff;cursor:pointer}
main{padding:1.2rem 1.5rem;max-width:1200px;margin:0 auto}h1{font-size:1.4rem;margin:.3rem 0 1rem}h2{font-size:1.1rem;margin:1.6rem 0 .6rem}
section,.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.8rem 1rem;margin-bottom:1rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.8rem;text-transform:uppercase;color:var(--muted);font-weight:600}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.8rem;font-weight:600;color:#fff}
.malicious,.critical,.alert{background:var(--mal)}.suspicious,.high,.error{background:var(--sus)}.clean,.ok{background:var(--ok)}
.medium{background:#9a7d00}.low,.info,.pending{background:#667}
pre{background:#14141f;color:#e8e8f0;padding:.6rem .8rem;border-radius:4px;overflow:auto;white-space:pre-wrap;word-break:break-all;max-height:24rem;font-size:.85rem}
.muted{color:var(--muted)}.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;word-break:break-all}
.finding{border-left:4px solid var(--line);padding:.4rem .8rem;margin:.8rem 0}.finding.sev-critical{border-color:var(--mal)}.finding.sev-high{border-color:var(--sus)}
time{white-space:nowrap}
.empty{color:var(--muted);font-style:italic}
header .account{margin-left:.5rem}header .account button{background:#44446a}
.login{max-width:26rem;margin:4rem auto}.login label{display:block;margin:.6rem 0 .3rem;font-weight:600}
.login input[type=password]{width:100%;padding:.45rem .6rem;border:1px solid var(--line);border-radius:4px}
.login .error{color:var(--mal);font-weight:600}.login button{margin-top:.8rem}
`;
const STYLE = raw(`<style>${STYLE_CSS}</style>`);

/** Replaced by the server with a logout button when the dashboard has a token. */
export const ACCOUNT_SLOT = '<!--vigil:account-->';

export function layout(title: string, body: Html, search = ''): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Vigil</title><link rel="icon" href="data:,">${STYLE}</head>
<body><header><a class="brand" href="/">Vigil</a><a href="/">Overview</a><a href="/releases">Releases</a><a href="/alerts">Alerts</a>
<form method="get" action="/releases" role="search"><input type="search" name="q" value="${search}" placeholder="Search packages" aria-label="Search packages"> <button type="submit">Search</button></form>${raw(ACCOUNT_SLOT)}</header>
<main>${body}</main></body></html>`.value;
}

function badge(text: string): Html {
  return html`<span class="badge ${text}">${text}</span>`;
}

function time(iso: string | undefined): Html {
  if (iso === undefined) return html`<span class="muted">never</span>`;
  return html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>`;
}

function releaseLink(r: { ecosystem: ReleaseRecord['ecosystem']; name: string; version: string }): Html {
  return html`<a href="${releasePath(r.ecosystem, r.name, r.version)}">${r.name}@${r.version}</a>`;
}

export function projectsTable(projects: readonly ProjectRecord[]): Html {
  if (projects.length === 0) return html`<p class="empty">No watched projects. Add one with <code>vigil watch add PATH</code> or <code>vigil watch add REPO-URL</code>.</p>`;
  return html`<table><thead><tr><th>Project</th><th>Status</th><th>Direct deps</th><th>Last run</th><th>Summary</th></tr></thead><tbody>
${projects.map((p) => html`<tr><td><a href="/project/${p.id}">${p.name}</a><div class="muted mono">${p.path}</div></td><td>${badge(p.status)}</td><td>${p.dependencies.length}</td><td>${time(p.lastRunAt)}</td><td>${p.summary}</td></tr>`)}
</tbody></table>`;
}

export function alertsTable(alerts: readonly AlertRecord[]): Html {
  if (alerts.length === 0) return html`<p class="empty">No alerts.</p>`;
  return html`<table><thead><tr><th>Severity</th><th>Alert</th><th>Raised</th><th>Evidence</th></tr></thead><tbody>
${alerts.map((a) => html`<tr><td>${badge(a.severity)}</td><td>${a.title}<div class="muted">${a.message.split('\n')[0] ?? ''}</div></td><td>${time(a.createdAt)}</td><td><a href="${a.evidencePath}">evidence</a></td></tr>`)}
</tbody></table>`;
}

export function releasesTable(releases: readonly ReleaseRecord[]): Html {
  if (releases.length === 0) return html`<p class="empty">No scanned releases match.</p>`;
  return html`<table><thead><tr><th>Release</th><th>Ecosystem</th><th>Verdict</th><th>Score</th><th>Findings</th><th>Scanned</th><th>Why</th></tr></thead><tbody>
${releases.map((r) => html`<tr><td>${releaseLink(r)}</td><td>${r.ecosystem}</td><td>${badge(r.verdict)}</td><td>${r.score}</td><td>${r.findings.length}</td><td>${time(r.scannedAt)}</td><td>${r.reason}</td></tr>`)}
</tbody></table>`;
}

export function overviewPage(projects: readonly ProjectRecord[], alerts: readonly AlertRecord[], releases: readonly ReleaseRecord[], counts: { releases: number }): string {
  return layout('Overview', html`<h1>Overview</h1>
<p class="muted">${counts.releases} scanned releases · ${projects.length} watched projects</p>
<h2>Watched projects</h2><section>${projectsTable(projects)}</section>
<h2>Recent alerts</h2><section>${alertsTable(alerts)}</section>
<h2>Recently scanned releases</h2><section>${releasesTable(releases)}</section>`);
}

export function releasesPage(releases: readonly ReleaseRecord[], search: string, verdict: Verdict | undefined): string {
  const title = search !== '' ? `Releases matching “${search}”` : 'Scanned releases';
  return layout(title, html`<h1>${title}${verdict !== undefined ? html` · ${verdict}` : ''}</h1>
<p class="muted">Filter: <a href="/releases?q=${encodeURIComponent(search)}">all</a> · <a href="/releases?q=${encodeURIComponent(search)}&amp;verdict=malicious">malicious</a> · <a href="/releases?q=${encodeURIComponent(search)}&amp;verdict=suspicious">suspicious</a> · <a href="/releases?q=${encodeURIComponent(search)}&amp;verdict=clean">clean</a></p>
<section>${releasesTable(releases)}</section>`, search);
}

export function alertsPage(alerts: readonly AlertRecord[], search: string): string {
  return layout('Alerts', html`<h1>Alerts${search !== '' ? html` for “${search}”` : ''}</h1><section>${alertsTable(alerts)}</section>`, search);
}

function findingBlock(f: Finding, anchor: string): Html {
  const loc = `${f.location.artifact !== undefined ? `${f.location.artifact}: ` : ''}${f.location.path}${f.location.line > 0 ? `:${f.location.line}` : ''}`;
  return html`<div class="finding sev-${f.severity}" id="${anchor}">
<div>${badge(f.severity)} <strong>${f.message}</strong></div>
<div class="muted"><span class="mono">${f.ruleId}</span> · ${f.kind} · ${f.category} · confidence ${f.confidence} · runs on <strong>${f.trigger}</strong></div>
<div class="mono">${loc}</div>
<pre>${f.evidence}</pre>
${f.decoded !== undefined ? html`<div class="muted">Decoded:</div><pre>${f.decoded}</pre>` : ''}
</div>`;
}

export function releasePage(r: ReleaseRecord): string {
  const newKeys = new Set((r.newInRelease ?? []).map((f) => `${f.ruleId}\0${f.location.path}\0${f.location.line}`));
  return layout(`${r.name}@${r.version}`, html`<h1>${r.ecosystem} · ${r.name}@${r.version} ${badge(r.verdict)}</h1>
<section><p><strong>Score ${r.score}.</strong> ${r.reason}</p>
<p class="muted">Scanned ${time(r.scannedAt)} in ${r.durationMs} ms · source ${r.source}${r.scanCount > 1 ? ` · stored ${r.scanCount} times` : ''}</p>
<table><thead><tr><th>Artifact</th><th>sha256</th><th>Size</th></tr></thead><tbody>
${r.artifacts.map((a) => html`<tr><td>${a.source !== undefined ? html`<a href="${/^https?:\/\//.test(a.source) ? a.source : '#'}" rel="noreferrer nofollow">${a.filename}</a>` : a.filename}</td><td class="mono">${a.sha256}</td><td>${a.size}</td></tr>`)}
</tbody></table></section>
<h2>Release diff${r.previousVersion !== undefined ? html` against ${releaseLink({ ...r, version: r.previousVersion })}` : ''}</h2>
<section>${r.newInRelease === undefined
    ? html`<p class="empty">${r.previousVersion === undefined ? 'No previous release.' : 'The previous release has not been scanned.'}</p>`
    : r.newInRelease.length === 0
      ? html`<p>No finding is new in this release.</p>`
      : html`<p><strong>${r.newInRelease.length}</strong> finding(s) are new in this release:</p><ul>${r.newInRelease.map((f) => html`<li><span class="mono">${f.ruleId}</span> — ${f.message} <span class="mono">(${f.location.path}${f.location.line > 0 ? `:${f.location.line}` : ''})</span></li>`)}</ul>`}</section>
<h2>Findings (${r.findings.length})</h2>
<section>${r.findings.length === 0 ? html`<p class="empty">No findings.</p>` : r.findings.map((f, i) => html`${newKeys.has(`${f.ruleId}\0${f.location.path}\0${f.location.line}`) ? html`<div class="muted">new in this release</div>` : ''}${findingBlock(f, `f${i + 1}`)}`)}</section>
${r.errors.length > 0 ? html`<h2>Errors</h2><section><ul>${r.errors.map((e) => html`<li><span class="mono">${e.code}</span> ${e.message}</li>`)}</ul></section>` : ''}`, r.name);
}

export function projectPage(p: ProjectRecord, alerts: readonly AlertRecord[], results: ReadonlyMap<string, ReleaseRecord>): string {
  return layout(p.name, html`<h1>${p.name} ${badge(p.status)}</h1>
<section><p class="mono">${p.path}</p><p>${p.summary}</p><p class="muted">Added ${time(p.addedAt)} · last run ${time(p.lastRunAt)}</p></section>
<h2>Direct dependencies (${p.dependencies.length})</h2>
<section><table><thead><tr><th>Package</th><th>Ecosystem</th><th>In use</th><th>Verdict</th></tr></thead><tbody>
${p.dependencies.map((d) => {
    const r = results.get(`${d.ecosystem}:${d.name}@${d.version}`);
    return html`<tr><td>${d.name}</td><td>${d.ecosystem}</td><td>${releaseLink(d)}</td><td>${r !== undefined ? badge(r.verdict) : html`<span class="muted">not scanned</span>`}</td></tr>`;
  })}
</tbody></table></section>
<h2>Alerts</h2><section>${alertsTable(alerts)}</section>`);
}

export function notFoundPage(what: string): string {
  return layout('Not found', html`<h1>Not found</h1><p>${what}</p><p><a href="/">Back to the overview</a></p>`);
}

/** The logout button for the header (the server puts it in ACCOUNT_SLOT). */
export const LOGOUT_FORM = '<form class="account" method="post" action="/logout"><button type="submit">Log out</button></form>';

/** The token form. `next` is a local path to go back to after logging in. */
export function loginPage(next: string, error?: string): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in · Vigil</title><link rel="icon" href="data:,">${STYLE}</head>
<body><header><span class="brand">Vigil</span></header>
<main><section class="login"><h1>Log in</h1>
<p class="muted">This dashboard needs its access token (the one given to <code>vigil serve</code>).</p>
${error !== undefined ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/login"><input type="hidden" name="next" value="${next}">
<label for="token">Access token</label><input type="password" id="token" name="token" autocomplete="current-password" required autofocus>
<button type="submit">Log in</button></form></section></main></body></html>`.value;
}
