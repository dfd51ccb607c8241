#!/usr/bin/env bash
# Fetches a benign corpus of real Python source distributions from Debian's archive, for measuring
# false positives of the Python detector (eval/evaluate.ts --benign DIR, or `vigil scan DIR/*/*`).
#
#   eval/fetch-debian-sdists.sh [options] DEST [N]
#
# Debian source packages of Python libraries carry the upstream release tarball as
# <src>_<version>.orig.tar.{gz,xz,bz2,...}: the sdist itself or a tagged source archive of the project
# (versions with +dfsg / +ds are repacked without some files). Either way: setup.py / pyproject.toml,
# C extensions, SDK code, installers. The script picks N (default 400) source packages of one suite that build at least one
# python3-* binary package and stores their upstream tarballs as DEST/<srcpkg>/<file>:
#   - first a fixed list of popular, heavy or install-time-busy projects (numpy, cryptography, lxml,
#     pillow, grpcio, boto3, azure, setuptools, pip, ...), named by the binary package they build;
#   - then a deterministic sample (hash of the source name and --seed) of the rest: Python projects
#     built with setuptools / pyproject / Python headers / Cython first, then other Python projects,
#     then non-Python projects that also build python3-* bindings.
# Native Debian packages (no .orig tarball) and tarballs over --max-mb are skipped; the next candidate
# takes their place. Only main .orig.tar.* files are fetched (no component tarballs, no signatures).
#
# Trust chain: the suite's InRelease is checked with gpgv against the Debian archive keyring, the
# Sources.xz index against the SHA256 listed there, and each tarball against the SHA256 and size listed
# in Sources. The archive is the one the system's apt sources name for the suite (or --mirror); nothing
# under /etc/apt is changed, and the index lives in a temporary folder.
#
# Idempotent: files already present with the right checksum are kept; an older .orig tarball of a
# package whose version changed is removed. DEST/.manifest.tsv lists what the last run selected
# (dot-files are ignored by eval/evaluate.ts). The archive (or a proxy in front of it) may refuse some
# files: those are skipped, recorded in DEST/.unavailable.tsv and not asked for again by later runs
# (delete that file to retry them). Downloads are sequential (network-bound, little CPU).
#
# Needs: bash, curl, gpgv, xz, sha256sum, awk, sort; the keyring of package debian-archive-keyring.
#
# Example:
#   eval/fetch-debian-sdists.sh /work/data/benign-extra/debian-sdists 400
#   node bin/vigil.js scan --jobs 2 --no-metadata --fail-on never --format json \
#     --output /tmp/sdists.json /work/data/benign-extra/debian-sdists/*/*
set -euo pipefail
umask 022
export LC_ALL=C

PROG=${0##*/}
MIRROR=${DEBIAN_MIRROR:-}
SUITE=''
MAX_MB=50
SEED=vigil
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
LIST_ONLY=0

# Binary packages whose source packages are always taken first (in this order), when the suite has them.
PRIORITY=(
  python3-setuptools python3-pip python3-wheel python3-virtualenv python3-build python3-installer
  python3-numpy python3-scipy python3-pandas python3-matplotlib python3-h5py python3-sklearn
  python3-cryptography python3-openssl python3-nacl python3-bcrypt python3-pycryptodome python3-cffi
  python3-lxml python3-pil python3-psycopg2 python3-grpcio python3-protobuf python3-yaml
  python3-ruamel.yaml python3-gevent python3-greenlet python3-uvloop python3-boto3 python3-botocore
  python3-s3transfer python3-boto awscli python3-google-auth python3-googleapi python3-azure
  python3-azure-storage python3-msal python3-msrest python3-adal python3-paramiko python3-requests
  python3-urllib3 python3-certifi python3-httplib2 python3-httpx python3-aiohttp python3-pycurl
  python3-websocket python3-websockets python3-docker python3-kubernetes python3-psutil
  python3-setproctitle python3-netifaces python3-msgpack python3-ujson python3-simplejson
  python3-regex python3-lz4 python3-zstandard python3-brotli python3-zmq python3-tornado
  python3-twisted python3-django python3-flask python3-werkzeug python3-jinja2 python3-markupsafe
  python3-sqlalchemy python3-pymysql python3-mysqldb python3-pymongo python3-redis python3-celery
  python3-kombu python3-ldap python3-gssapi python3-kerberos python3-keyring python3-secretstorage
  python3-dbus python3-gi python3-pexpect python3-sh python3-invoke python3-fabric python3-scapy
  python3-impacket python3-pybind11 cython3 python3-numba python3-llvmlite python3-mypy
  python3-pydantic python3-click python3-rich python3-tqdm python3-colorama python3-pygments
  python3-sphinx python3-pytest python3-coverage python3-setuptools-scm python3-poetry
  python3-poetry-core python3-hatchling python3-flit pipx python3-pipenv python3-nuitka
  python3-pyinstaller python3-serial python3-usb python3-pyudev python3-watchdog python3-pyinotify
  python3-dateutil python3-tz python3-babel python3-packaging python3-pyparsing python3-distro
)

usage() {
  cat <<EOF
Usage: $PROG [options] DEST [N]

Downloads the upstream source tarballs (.orig.tar.*) of N (default 400) Debian source packages that
build python3-* binaries into DEST/<srcpkg>/<file>, verifying each against the signed archive index.

Options:
  --suite NAME     Debian suite (default: VERSION_CODENAME from /etc/os-release, else bookworm)
  --mirror URL     archive base URL (default: \$DEBIAN_MIRROR, else the URI that the system's apt
                   sources give for the suite, else the one they give for the system's own suite)
  --max-mb N       skip tarballs larger than N MiB (default 50)
  --seed WORD      changes the sample of non-priority packages (default: vigil)
  --keyring FILE   keyring for the InRelease signature (default: $KEYRING)
  --list-only      print the selection (package, version, file, size) without downloading
  -h, --help       show this help
EOF
}

die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 2; }
log() { printf '%s\n' "$*" >&2; }

POSITIONAL=()
while [ $# -gt 0 ]; do
  case $1 in
    --suite) [ $# -ge 2 ] || die "--suite needs a value"; SUITE=$2; shift 2 ;;
    --mirror) [ $# -ge 2 ] || die "--mirror needs a value"; MIRROR=$2; shift 2 ;;
    --max-mb) [ $# -ge 2 ] || die "--max-mb needs a value"; MAX_MB=$2; shift 2 ;;
    --seed) [ $# -ge 2 ] || die "--seed needs a value"; SEED=$2; shift 2 ;;
    --keyring) [ $# -ge 2 ] || die "--keyring needs a value"; KEYRING=$2; shift 2 ;;
    --list-only) LIST_ONLY=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; POSITIONAL+=("$@"); break ;;
    -*) die "unknown option: $1 (see --help)" ;;
    *) POSITIONAL+=("$1"); shift ;;
  esac
done
if [ ${#POSITIONAL[@]} -lt 1 ] || [ ${#POSITIONAL[@]} -gt 2 ]; then usage >&2; exit 2; fi
DEST=${POSITIONAL[0]}
N=${POSITIONAL[1]:-400}

codename=''
if [ -r /etc/os-release ]; then
  codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d '"' | head -n 1)
fi
[ -n "$SUITE" ] || SUITE=${codename:-bookworm}
# The archive URI that apt's sources (deb822 .sources files, one-line .list files) give for a suite.
# Only read; the first plain http(s) URI wins.
apt_mirror() { # SUITE
  local f files=()
  [ -r /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || return 0
  awk -v suite="$1" '
    function take(uri, s, n, i, parts) {
      if (uri !~ /^https?:\/\//) return
      n = split(s, parts, /[ \t]+/)
      for (i = 1; i <= n; i++) if (parts[i] == suite && exact == "") exact = uri
    }
    function flush() { if (types ~ /(^|[ \t])deb(-src)?([ \t]|$)/ && enabled != "no") take(uris, suites); types = uris = suites = enabled = "" }
    FILENAME ~ /\.sources$/ {
      if ($0 ~ /^[ \t]*$/) { flush(); next }
      if ($0 ~ /^#/) next
      if (tolower($1) == "types:") { types = $0; sub(/^[^:]*:[ \t]*/, "", types) }
      if (tolower($1) == "uris:") uris = $2
      if (tolower($1) == "suites:") { suites = $0; sub(/^[^:]*:[ \t]*/, "", suites) }
      if (tolower($1) == "enabled:") enabled = tolower($2)
      next
    }
    FNR == 1 { flush() }
    /^[ \t]*deb(-src)?[ \t]/ {
      line = $0; sub(/^[ \t]*deb(-src)?[ \t]+/, "", line); sub(/^\[[^]]*\][ \t]*/, "", line)
      split(line, w, /[ \t]+/); take(w[1], w[2])
    }
    END { flush(); if (exact != "") print exact }
  ' "${files[@]}"
}
if [ -z "$MIRROR" ]; then
  MIRROR=$(apt_mirror "$SUITE")
  # Another suite of the same archive: the one the system itself is on.
  if [ -z "$MIRROR" ] && [[ $codename =~ ^[a-z][a-z0-9-]{0,40}$ ]]; then MIRROR=$(apt_mirror "$codename"); fi
  [ -n "$MIRROR" ] || die "no http(s) archive for $SUITE in the apt sources; pass --mirror URL or set DEBIAN_MIRROR"
fi
MIRROR=${MIRROR%/}

# Everything below ends up in URLs, paths or awk; accept only plain values.
[[ $N =~ ^[1-9][0-9]{0,5}$ ]] || die "N must be a whole number from 1 to 999999, got '$N'"
[[ $MAX_MB =~ ^[1-9][0-9]{0,5}$ ]] || die "--max-mb must be a whole number of MiB, got '$MAX_MB'"
[[ $SUITE =~ ^[a-z][a-z0-9-]{0,40}$ ]] || die "--suite must look like bookworm or bookworm-backports, got '$SUITE'"
[[ $SEED =~ ^[A-Za-z0-9._-]{1,64}$ ]] || die "--seed must be 1-64 letters, digits, '.', '_' or '-'"
[[ $MIRROR =~ ^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~-]+)*$ ]] ||
  die "--mirror must be an http(s) URL without query or credentials, got '$MIRROR'"
[ -z "$DEST" ] && die "DEST must not be empty"
for tool in curl gpgv xz sha256sum awk sort; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required (apt-get install curl gpgv xz-utils coreutils)"
done
[ -r "$KEYRING" ] || die "keyring $KEYRING not readable (apt-get install debian-archive-keyring, or --keyring FILE)"

MAX_BYTES=$((MAX_MB * 1024 * 1024))
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fetch-debian-sdists.XXXXXX")
trap 'rm -rf -- "$WORK"' EXIT
trap 'exit 130' INT TERM

# curl with bounded time and size; only http(s), also on redirects. Prints the HTTP status.
fetch() { # URL OUTFILE MAXBYTES
  curl -fsL --proto '=http,https' --proto-redir '=http,https' --max-redirs 5 \
    --connect-timeout 20 --max-time 900 --retry 3 --retry-delay 2 \
    --max-filesize "$3" -w '%{http_code}' -o "$2" -- "$1"
}
sha256_of() { sha256sum -- "$1" | awk '{print $1}'; }
size_of() { wc -c <"$1" | tr -d ' '; }

# 1. Signed release file -> checksum of the source index -> source index.
log "[index] $MIRROR $SUITE: InRelease"
fetch "$MIRROR/dists/$SUITE/InRelease" "$WORK/InRelease" 10485760 >/dev/null || die "could not download $MIRROR/dists/$SUITE/InRelease"
gpgv --keyring "$KEYRING" --output "$WORK/Release" "$WORK/InRelease" 2>"$WORK/gpgv.log" ||
  { cat "$WORK/gpgv.log" >&2; die "InRelease signature does not verify against $KEYRING"; }
read -r idx_sha idx_size < <(awk '
  /^[^ ]/ { insha = ($0 == "SHA256:") ; next }
  insha && $3 == "main/source/Sources.xz" { print $1, $2; exit }
' "$WORK/Release") || true
[[ ${idx_sha:-} =~ ^[0-9a-f]{64}$ && ${idx_size:-} =~ ^[0-9]+$ ]] || die "no SHA256 for main/source/Sources.xz in the $SUITE release file"
log "[index] main/source/Sources.xz ($((idx_size / 1048576)) MiB)"
fetch "$MIRROR/dists/$SUITE/main/source/Sources.xz" "$WORK/Sources.xz" "$idx_size" >/dev/null || die "could not download Sources.xz"
[ "$(sha256_of "$WORK/Sources.xz")" = "$idx_sha" ] || die "Sources.xz does not match the SHA256 in the signed release file"
xz -dc -- "$WORK/Sources.xz" | head -c 1073741824 >"$WORK/Sources"

# 2. One line per source package that builds a python3-* binary and has an upstream tarball:
#    tier  key  package  version  directory  sha256  size  file
#    tier 0 = priority list (key = its rank); the rest by hash of seed and name, in tiers:
#    1 = mostly Python binaries and a build with setuptools/pyproject/Python headers/Cython,
#    2 = mostly Python binaries otherwise, 3 = other projects that also ship Python bindings.
#    Only the first stanza of a package name is used.
printf '%s\n' "${PRIORITY[@]}" >"$WORK/priority"
awk -v seed="$SEED" -v missing="$WORK/missing" -F '\n' '
  BEGIN { for (i = 32; i < 127; i++) ord[sprintf("%c", i)] = i }
  NR == FNR { if (!($0 in prio)) prio[$0] = FNR; next }
  function hash(s,   h, i) {
    h = 5381
    for (i = 1; i <= length(s); i++) h = (h * 131 + ord[substr(s, i, 1)] + 1) % 2147483647
    return h
  }
  function reset() { delete f; cur = "" }
  function emit(   pkg, bins, nb, b, i, isPy, rank, tier, key, n, lines, parts, orig, bd, npy) {
    pkg = f["Package"]
    if (pkg == "" || (pkg in seen) || f["Extra-Source-Only"] == "yes") { reset(); return }
    seen[pkg] = 1
    bins = f["Binary"]; gsub(/[ \t\n]/, "", bins)
    nb = split(bins, b, ",")
    isPy = 0; rank = 0
    for (i = 1; i <= nb; i++) {
      if (b[i] ~ /^python3-/) isPy = 1
      if (!(b[i] in prio)) continue
      if (rank == 0 || prio[b[i]] < rank) rank = prio[b[i]]
    }
    if (rank > 0) isPy = 1
    if (!isPy) { reset(); return }
    orig = ""
    n = split(f["Checksums-Sha256"], lines, "\n")
    for (i = 1; i <= n; i++) {
      if (split(lines[i], parts, " ") != 3) continue
      if (parts[3] ~ /\.orig\.tar\.(gz|xz|bz2|lzma|zst)$/) { orig = parts[1] "\t" parts[2] "\t" parts[3]; break }
    }
    if (orig == "") { reset(); return }
    bd = f["Build-Depends"] " " f["Build-Depends-Indep"] " " f["Build-Depends-Arch"]
    if (rank > 0) { tier = 0; key = rank }
    else {
      npy = 0
      for (i = 1; i <= nb; i++) if (b[i] ~ /^(python3-|pypy3-)/ || b[i] ~ /^python-.*-doc$/) npy++
      if (npy * 2 < nb) tier = 3
      else if (bd ~ /(python3-setuptools|pybuild-plugin-pyproject|python3-all-dev|python3-dev|cython3|python3-poetry-core|python3-hatchling|flit)/) tier = 1
      else tier = 2
      key = hash(seed ":" pkg)
    }
    for (i = 1; i <= nb; i++) if (b[i] in prio) found[b[i]] = 1
    print tier "\t" key "\t" pkg "\t" f["Version"] "\t" f["Directory"] "\t" orig
    reset()
  }
  /^$/ { emit(); next }
  /^[ \t]/ { if (cur != "") f[cur] = f[cur] "\n" substr($0, 2); next }
  {
    c = index($0, ":")
    if (c == 0) { cur = ""; next }
    cur = substr($0, 1, c - 1)
    v = substr($0, c + 1); sub(/^[ \t]+/, "", v)
    f[cur] = v
  }
  END {
    emit()
    for (p in prio) if (!(p in found)) print p > missing
  }
' "$WORK/priority" "$WORK/Sources" | sort -t "$(printf '\t')" -k1,1n -k2,2n -k3,3 >"$WORK/candidates"

total=$(wc -l <"$WORK/candidates" | tr -d ' ')
log "[index] $total source packages build python3-* binaries and have an upstream tarball"
if [ -s "$WORK/missing" ]; then
  log "[index] not in $SUITE (priority list): $(sort "$WORK/missing" | tr '\n' ' ')"
fi

# 3. Walk the candidates in order until N tarballs are in place.
if [ "$LIST_ONLY" -eq 0 ]; then
  mkdir -p -- "$DEST"
  DEST=$(cd -- "$DEST" && pwd -P)
  manifest="$DEST/.manifest.tsv.part"
  printf 'package\tversion\tfile\tsha256\tsize\ttier\n' >"$manifest"
  # Files the archive would not serve on an earlier run (by name and checksum): not asked for again.
  unavailable="$DEST/.unavailable.tsv"
  touch -- "$unavailable"
fi
have=0 fetched=0 kept=0 skipped_big=0 failed=0 known_na=0
while IFS=$'\t' read -r tier _key pkg version dir sha size file; do
  [ "$have" -ge "$N" ] && break
  # Values come from the signed index, but still only plain names reach paths and URLs.
  if ! [[ $pkg =~ ^[a-z0-9][a-z0-9.+-]{0,100}$ && $dir =~ ^pool/[A-Za-z0-9._+/-]{1,200}$ && $dir != *..* &&
    $file =~ ^[A-Za-z0-9][A-Za-z0-9._+~-]{0,200}$ && $sha =~ ^[0-9a-f]{64}$ && $size =~ ^[0-9]{1,12}$ ]]; then
    log "[skip] unexpected entry in Sources for '$pkg'"
    continue
  fi
  if [ "$size" -gt "$MAX_BYTES" ]; then
    log "[skip] $pkg: $file is $((size / 1048576)) MiB (> $MAX_MB MiB)"
    skipped_big=$((skipped_big + 1))
    continue
  fi
  if [ "$LIST_ONLY" -eq 1 ]; then
    have=$((have + 1))
    printf '%s\t%s\t%s\t%s\ttier%s\n' "$pkg" "$version" "$file" "$size" "$tier"
    continue
  fi
  pdir="$DEST/$pkg"
  target="$pdir/$file"
  mkdir -p -- "$pdir"
  if [ -f "$target" ] && [ "$(size_of "$target")" = "$size" ] && [ "$(sha256_of "$target")" = "$sha" ]; then
    kept=$((kept + 1))
    status=have
  elif grep -qxF -- "$pkg"$'\t'"$file"$'\t'"$sha" "$unavailable"; then
    known_na=$((known_na + 1))
    rmdir -- "$pdir" 2>/dev/null || true
    continue
  else
    code=$(fetch "$MIRROR/$dir/$file" "$pdir/.$file.part" "$size") || true
    if [ -f "$pdir/.$file.part" ] && [ "$(size_of "$pdir/.$file.part")" = "$size" ] &&
      [ "$(sha256_of "$pdir/.$file.part")" = "$sha" ]; then
      mv -f -- "$pdir/.$file.part" "$target"
      fetched=$((fetched + 1))
      status=got
    else
      rm -f -- "$pdir/.$file.part"
      rmdir -- "$pdir" 2>/dev/null || true
      if [ "${code:-000}" = 404 ] || [ "${code:-000}" = 403 ] || [ "${code:-000}" = 410 ]; then
        log "[n/a] $pkg: $file (HTTP $code)"
        printf '%s\t%s\t%s\n' "$pkg" "$file" "$sha" >>"$unavailable"
      else
        log "[fail] $pkg: $file (HTTP ${code:-000}: network error, truncated, or SHA256 mismatch)"
      fi
      failed=$((failed + 1))
      continue
    fi
  fi
  # A previous run's tarball of another version of this package.
  for old in "$pdir"/*.orig.tar.*; do
    [ -e "$old" ] || continue
    [ "$old" = "$target" ] && continue
    log "[stale] removing ${old#"$DEST"/}"
    rm -f -- "$old"
  done
  have=$((have + 1))
  printf '%s\t%s\t%s\t%s\t%s\ttier%s\n' "$pkg" "$version" "$file" "$sha" "$size" "$tier" >>"$manifest"
  log "[$have/$N] $status $pkg/$file ($((size / 1024)) KiB)"
done <"$WORK/candidates"

if [ "$LIST_ONLY" -eq 0 ]; then
  mv -f -- "$manifest" "$DEST/.manifest.tsv"
  log "done: $have packages in $DEST ($fetched downloaded, $kept already present); skipped: $skipped_big over $MAX_MB MiB, $failed not downloadable now, $known_na not served on an earlier run (listed in $unavailable)"
fi
[ "$have" -ge "$N" ] || { log "$PROG: only $have of $N packages could be had"; exit 1; }
