"""deploy/: the Dockerfile and the systemd unit parse and say what the README promises."""

from __future__ import annotations

import configparser
import shlex

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def test_dockerfile_is_slim_non_root_with_state_volume_and_healthcheck() -> None:
    steps = instructions()
    known = {
        "FROM",
        "ENV",
        "WORKDIR",
        "COPY",
        "RUN",
        "USER",
        "VOLUME",
        "HEALTHCHECK",
        "STOPSIGNAL",
        "ENTRYPOINT",
        "CMD",
    }
    assert {keyword for keyword, _ in steps} <= known
    assert steps[0][0] == "FROM" and "slim" in steps[0][1]
    user = [rest for keyword, rest in steps if keyword == "USER"]
    assert user and user[-1] not in ("root", "0")
    assert ("VOLUME", '["/app/state"]') in steps
    [health] = [rest for keyword, rest in steps if keyword == "HEALTHCHECK"]
    assert '"followup-bot", "health"' in health
    assert ("ENTRYPOINT", '["followup-bot"]') in steps and ("CMD", '["run"]') in steps
    # The files it copies exist, so the build context is the repository root.
    for keyword, rest in steps:
        if keyword == "COPY":
            *sources, _ = shlex.split(rest)
            assert all((ROOT / s).exists() for s in sources), sources


def test_systemd_unit_restarts_reloads_and_is_hardened() -> None:
    unit = configparser.ConfigParser(strict=True, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "followup-bot.service", encoding="utf-8")
    assert set(unit.sections()) == {"Unit", "Service", "Install"}
    service = unit["Service"]
    assert service["ExecStart"].endswith("followup-bot run")
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert service["Restart"] == "on-failure" and service["KillSignal"] == "SIGTERM"
    assert service["User"] != "root"
    for option in ("NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp", "ReadWritePaths"):
        assert option in service, option
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_readme_documents_both() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "deploy/Dockerfile" in readme and "deploy/followup-bot.service" in readme
