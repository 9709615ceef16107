"""`make demo`: the real thing without a feed or a credential. The vendored development set
(real headlines of the case in six languages) is served as feeds on loopback and goes
through the whole bot into a demo database (`state/demo.db`, made anew each time); what the
channel would get is printed as console mode prints it; then the page serves the result
until Ctrl-C. Nothing leaves this machine.

    python scripts/demo.py                        # then open http://127.0.0.1:8080/
    python scripts/demo.py --listen 127.0.0.1:0   # any free port
    python scripts/demo.py --no-serve             # only build the database
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import load_config  # noqa: E402
from bot.config.load import listening  # noqa: E402
from bot.logs import setup  # noqa: E402
from bot.web.server import Site, serve  # noqa: E402
from evaluation import evaluate_e2e  # noqa: E402

DATA = ROOT / "data" / "dev-set" / "headlines.jsonl"


def build(db: Path, quiet: bool) -> evaluate_e2e.Result:
    """The development set through the whole bot into a fresh database at `db`."""
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    items = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    config = load_config(ROOT / "feeds.yaml")
    return evaluate_e2e.measure(items, config, str(db), channel=None if quiet else sys.stdout)


async def show(db: Path, listen: str) -> None:
    """Serve the demo database's page until SIGINT/SIGTERM."""
    host, port = listening(listen, "demo", "--listen")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    site = Site(str(db), load_config(ROOT / "feeds.yaml").topic.name, "")
    await serve(
        site, host, port, stop, lambda url: print(f"demo: the page is at {url} (Ctrl-C stops it)", flush=True)
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, default=ROOT / "state" / "demo.db")
    parser.add_argument("--listen", default="127.0.0.1:8080")
    parser.add_argument("--no-serve", action="store_true", help="build the demo database and stop")
    parser.add_argument("--quiet", action="store_true", help="do not print the channel's messages")
    args = parser.parse_args()
    setup(30, "human")  # warnings only: the channel's messages are what the demo shows
    if not DATA.exists():
        print(f"demo: {DATA} is missing: the clone is incomplete (see data/README.md)", file=sys.stderr)
        return 2
    print(
        "demo: the development set's real coverage, from feeds on loopback, through the whole bot", flush=True
    )
    result = build(args.db, args.quiet)
    print("\n".join(f"demo: {line}" for line in result.lines()), flush=True)
    if not args.no_serve:
        asyncio.run(show(args.db, args.listen))
    return 0


if __name__ == "__main__":  # parser worker processes import this module: run only once
    sys.exit(main())
