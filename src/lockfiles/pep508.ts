/** Minimal PEP 508 requirement parsing (name, extras, specifier, URL, marker) for extractors. */
export interface Requirement {
  name: string;
  extras: string[];
  /** Version specifier text, e.g. `==1.2`, `>=1,<2`, '' when none. */
  specifier: string;
  url?: string;
  marker?: string;
}

const NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]{0,200}[A-Za-z0-9])?)\s*/;

/** Parses `name[extras] (spec) ; marker` or `name[extras] @ url ; marker`. Undefined when not a requirement. */
export function parseRequirement(text: string): Requirement | undefined {
  let rest = text.trim();
  const m = NAME.exec(rest);
  if (!m || m[1] === undefined) return undefined;
  const name = m[1];
  rest = rest.slice(m[0].length);
  let extras: string[] = [];
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return undefined;
    extras = rest
      .slice(1, close)
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '');
    rest = rest.slice(close + 1).trim();
  }
  let marker: string | undefined;
  let url: string | undefined;
  if (rest.startsWith('@')) {
    const body = rest.slice(1).trim();
    // A URL requirement's marker must be separated by whitespace before ';'.
    const semi = body.search(/\s;/);
    url = (semi < 0 ? body : body.slice(0, semi)).trim();
    if (semi >= 0) marker = body.slice(semi + 2).trim();
    return { name, extras, specifier: '', url, ...(marker !== undefined ? { marker } : {}) };
  }
  const semi = rest.indexOf(';');
  let specifier = semi < 0 ? rest : rest.slice(0, semi);
  if (semi >= 0) marker = rest.slice(semi + 1).trim();
  specifier = specifier.trim();
  if (specifier.startsWith('(') && specifier.endsWith(')')) specifier = specifier.slice(1, -1).trim();
  if (specifier !== '' && !/^[<>=!~]/.test(specifier)) return undefined;
  specifier = specifier.replace(/\s+/g, '');
  return { name, extras, specifier, ...(marker !== undefined ? { marker } : {}) };
}

/** The exact version of a specifier that pins one (`==1.2.3` or `===1.2.3`, no wildcard), else undefined. */
export function pinnedVersion(specifier: string): string | undefined {
  const m = /^===?([^,*<>=!~;\s]+)$/.exec(specifier.trim());
  return m?.[1];
}
