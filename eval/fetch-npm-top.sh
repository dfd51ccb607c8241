#!/usr/bin/env bash
# Fetches the `npm-top` benign corpus: the N (default 1000) most-downloaded npm packages of a ranked list
# (default ../shared/lists/npm-top.tsv: rank, name, version, downloads) that are not already in the
# benign development set (../shared/corpus/benign-npm-dev.tsv), at the version the list names.
#
#   eval/fetch-npm-top.sh DEST [N] [LIST] [EXCLUDE]
#
# Each package is stored as DEST/<name>-<version>.tgz by `npm pack --ignore-scripts` (nothing runs).
# Idempotent: tarballs already present are kept. Packages the registry refuses (unpublished versions)
# are reported on stderr and replaced by the next name on the list, so DEST holds N tarballs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:?usage: fetch-npm-top.sh DEST [N] [LIST] [EXCLUDE]}
want=${2:-1000}
list=${3:-$here/../../shared/lists/npm-top.tsv}
exclude=${4:-$here/../../shared/corpus/benign-npm-dev.tsv}
mkdir -p "$dest"
have=0
while IFS=$'\t' read -r _rank name version _downloads; do
  (( have >= want )) && break
  file="$dest/$(echo "$name" | sed 's#^@##; s#/#-#')-$version.tgz"
  if [[ ! -s $file ]]; then
    if ! (cd "$dest" && npm pack --ignore-scripts --silent "$name@$version" >/dev/null 2>&1); then
      echo "npm: could not fetch $name@$version" >&2
      continue
    fi
  fi
  have=$((have + 1))
done < <(tail -n +2 "$list" | awk -F'\t' 'NR == FNR { if (FNR > 1) skip[$1] = 1; next } !($2 in skip)' "$exclude" -)
echo "$dest: $have packages" >&2
