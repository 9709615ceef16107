#!/usr/bin/env bash
# Install the project the way a new user does: a fresh venv with the pip it ships (no
# upgrade), `pip install .`, then `followup-bot check`. Catches dependencies that only a
# newer pip resolves (lxml's html-clean extra once left a bot that died at import).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
cp -r "$root/bot" "$root/pyproject.toml" "$root/README.md" "$work/src/"
"$python" -m venv "$work/venv"
echo "install-check: $("$work/venv/bin/pip" --version | cut -d' ' -f1-2) in a fresh venv"
if ! "$work/venv/bin/pip" install -q --disable-pip-version-check "$work/src" >"$work/pip.log" 2>&1; then
  cat "$work/pip.log"
  echo "install-check: pip install . failed" >&2
  exit 1
fi
cd "$work"
"$work/venv/bin/python" -c "import bot.intake.article, bot.cli, bot.web.pages, lxml.html.clean"  # web: its templates
"$work/venv/bin/followup-bot" --config "$root/feeds.yaml" --db "$work/bot.db" check
# The database side too: a command that writes creates it (migrations run; console mode
# sends nothing anywhere) and a read-only command answers from it.
"$work/venv/bin/followup-bot" --config "$root/feeds.yaml" --db "$work/bot.db" retry --quiet >/dev/null
"$work/venv/bin/followup-bot" --config "$root/feeds.yaml" --db "$work/bot.db" status >/dev/null
echo "install-check: ok"
