#!/usr/bin/env bash
# Bring data/ in step with ../shared (where the project's shared material is kept): what the
# tests and `make eval` read must be in every clone. Run by `make vendor`; commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared
if [ ! -d "$shared" ]; then
  echo "vendor: no $shared beside this checkout: data/ stays as it is" >&2
  exit 2
fi
for part in dev-set discord-api-spec corpora/feedparser-tests corpora/real-feeds; do
  rm -rf "data/$part"
  mkdir -p "data/$(dirname "$part")"
  cp -R "$shared/$part" "data/$part"
done
cp "$shared/corpora/README.md" data/corpora/README.md
chmod -R u+w data
echo "vendor: data/ now matches $shared (git status shows what changed)"
