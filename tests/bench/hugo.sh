#!/usr/bin/env bash
# Reference half of the static-site benchmark: how fast Hugo renders a catalog of PAGES
# program pages on this machine, so our own generator's figures have something to be
# compared with. Prints one machine-readable line plus one line for humans.
#   bash tests/bench/hugo.sh               (PAGES, WORK, KEEP=1 may be set)
# The figures are on the line starting "hugo pages=": grep for it.
set -euo pipefail

PAGES=${PAGES:-100000}
KEEP=${KEEP:-0}
# Numbers are printed with a decimal point whatever locale the caller runs in, so the
# summary line parses the same everywhere.
export LC_NUMERIC=C

# Generating and deleting 100 000 small files can take longer than Hugo's build on a slow
# virtual disk; timing those phases too shows where a long run went.
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

case $PAGES in
  '' | *[!0-9]*) echo "PAGES must be a positive integer, got '$PAGES'" >&2; exit 2 ;;
esac
if (( PAGES < 1 )); then
  echo "PAGES must be at least 1" >&2
  exit 2
fi

# --- Hugo itself -------------------------------------------------------------------------
# Debian's package rather than an upstream release: prebuilt binaries cannot be fetched
# here, and Debian 12's 0.111 is what a developer or CI machine can get the same way.
if ! command -v hugo >/dev/null; then
  SUDO=()
  (( EUID == 0 )) || SUDO=(sudo)
  # The package lists are refreshed only when needed: usually they are already current,
  # and an update costs more than the install.
  if ! "${SUDO[@]}" apt-get install -y -qq hugo; then
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" apt-get install -y -qq hugo
  fi
fi
hugo version

# --- Work directory ----------------------------------------------------------------------
# A directory the caller named may hold other things, so only what this script creates in
# it is removed; a directory we made ourselves goes entirely.
if [[ -n ${WORK:-} ]]; then
  OWN_WORK=0
  mkdir -p "$WORK"
else
  OWN_WORK=1
  WORK=$(mktemp -d)
fi
SITE=$WORK/site
PUBLIC=$WORK/public
TIMES=$WORK/time.txt

cleanup() {
  if [[ $KEEP == 1 ]]; then
    echo "kept $WORK" >&2
  else
    local start=$EPOCHREALTIME
    if [[ $OWN_WORK == 1 ]]; then
      rm -rf "$WORK"
    else
      rm -rf "$SITE" "$PUBLIC" "$TIMES"
    fi
    echo "cleaned up in $(since "$start") s" >&2
  fi
}
trap cleanup EXIT

# Leftovers of an earlier run in a reused WORK would be counted as output of this one, so
# start from an empty tree.
rm -rf "$SITE" "$PUBLIC" "$TIMES"
mkdir -p "$SITE/layouts/_default" "$SITE/content/programs"

# --- The site ----------------------------------------------------------------------------
# Only program pages are wanted: taxonomies, RSS, sitemap, robots.txt and 404 are switched
# off so the figure measures the same work our generator does. The cache goes inside WORK
# so one run cannot warm the next one through ~/.cache or /tmp.
cat >"$SITE/hugo.toml" <<EOF
baseURL = "https://example.invalid/"
languageCode = "ru"
title = "Навигатор"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
cacheDir = "$WORK/site/.cache"
EOF

cat >"$SITE/layouts/_default/single.html" <<'EOF'
<!DOCTYPE html>
<html lang="ru">
<head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body>
<h1>{{ .Title }}</h1>
<p>{{ .Params.direction }}, {{ .Params.ages }}</p>
{{ .Content }}
</body>
</html>
EOF

# The section page would range over every program if it listed them; a count keeps it as
# cheap as one ordinary page, so the figure stays per program page.
cat >"$SITE/layouts/_default/list.html" <<'EOF'
<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1><p>{{ len .Pages }}</p></body></html>
EOF

cat >"$SITE/layouts/index.html" <<'EOF'
<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>{{ .Site.Title }}</title></head>
<body><h1>{{ .Site.Title }}</h1></body></html>
EOF

# One Python process writes every file: a shell loop forks per page and would take longer
# than Hugo's build at 100 000 pages. Fields vary by page number so the pages are not
# identical, yet the output is the same on every run.
echo "generating $PAGES pages in $SITE"
gen_start=$EPOCHREALTIME
python3 - "$SITE/content/programs" "$PAGES" <<'EOF'
import os
import sys

out, pages = sys.argv[1], int(sys.argv[2])
directions = ["техническая", "естественнонаучная", "художественная",
              "физкультурно-спортивная", "туристско-краеведческая", "социально-гуманитарная"]
ages = ["5-7", "7-10", "10-14", "12-17", "14-18"]
# About 300 bytes of UTF-8 with the page number, like a short program description.
body = ("Занятия проходят два раза в неделю в небольших группах. Педагог помогает "
        "каждому ребёнку освоить основы направления и подготовить свой проект.")
for n in range(1, pages + 1):
    text = (f'+++\ntitle = "Программа {n}"\n'
            f'direction = "{directions[n % len(directions)]}"\n'
            f'ages = "{ages[n % len(ages)]}"\n+++\n\n'
            f'{body} Программа номер {n}.\n')
    with open(os.path.join(out, f"{n}.md"), "w", encoding="utf-8") as f:
        f.write(text)
EOF
echo "generated in $(since "$gen_start") s"

# --- The build ---------------------------------------------------------------------------
# The lock file is of no use to a one-off build; the flag is only passed where this Hugo
# knows it, so an older package still runs. The help text is read whole first because
# grep -q would close the pipe early and, under pipefail, fail the test.
FLAGS=(--quiet --source "$SITE" --destination "$PUBLIC")
HELP=$(hugo help 2>&1 || true)
if grep -q -- '--noBuildLock' <<<"$HELP"; then
  FLAGS+=(--noBuildLock)
fi

echo "building with hugo ${FLAGS[*]}"
# time writes its report to a file so Hugo's own stderr stays readable on failure.
status=0
/usr/bin/time -v -o "$TIMES" hugo "${FLAGS[@]}" || status=$?
if (( status != 0 )); then
  echo "hugo failed with exit status $status" >&2
  exit "$status"
fi

# --- Figures -----------------------------------------------------------------------------
# Wall time is reported as h:mm:ss or m:ss.ss depending on its length.
seconds=$(awk -F': ' '/Elapsed \(wall clock\) time/ {
  n = split($NF, p, ":"); s = 0
  for (i = 1; i <= n; i++) s = s * 60 + p[i]
  printf "%.2f", s
}' "$TIMES")
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $NF}' "$TIMES")
html=$(find "$PUBLIC" -type f -name '*.html' | wc -l)

# A build faster than the timer's resolution would divide by zero; count it as 0.01 s.
pps=$(awk -v p="$html" -v s="$seconds" 'BEGIN { if (s < 0.01) s = 0.01; printf "%d", p / s + 0.5 }')
rss_mb=$(awk -v k="$rss_kb" 'BEGIN { printf "%d", k / 1024 + 0.5 }')

echo "hugo pages=$html seconds=$seconds pages_per_second=$pps peak_rss_mb=$rss_mb"
echo "Hugo rendered $html HTML pages from $PAGES programs in $seconds s ($pps pages/s), peak memory $rss_mb MB"
