"""The Makefile's `chromium` bootstrap, run for real with `make -s chromium`: its executable
(`CHROMIUM_EXECUTABLE`) and PATH point at nothing, so neither `chromium`, `sudo` nor `apt-get` can
be found, and apt-get never runs whatever the recipe does. Each run takes a few milliseconds.

And the stage targets: what `make -n deploy STAGE=...` would run (nothing runs), and `make destroy
STAGE=prod` for real, with a PATH where neither npx nor anything else it could call is found."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from infra.stages import STAGES, StageSettings
from infra.topology import ROOT
from tests.browser.chromium import MISSING

# The recipe's only external command besides the ones it must not find: `id -u`, to tell root.
NEEDED = ("id",)
NOBODY = "65534"


def as_nobody() -> list[str] | None:
    """A command prefix that runs what follows as nobody (uid and gid 65534, no groups), or None
    when this machine has no way to."""
    setpriv = shutil.which("setpriv")
    if setpriv:
        return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "nobody", "--"]
    return None


@pytest.fixture
def bin_dir() -> Iterator[Path]:
    """A PATH of `id` alone, readable by nobody (pytest's tmp_path is root's alone)."""
    with tempfile.TemporaryDirectory(prefix="shopfloor-make-path-") as name:
        folder = Path(name)
        folder.chmod(0o755)
        for command in NEEDED:
            found = shutil.which(command)
            assert found, f"{command} is not on PATH"
            (folder / command).symlink_to(found)
        yield folder


def make_chromium(
    bin_dir: Path, executable: Path, prefix: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """`make -s chromium` in the repository, in an environment of PATH alone (no MAKEFLAGS of an
    enclosing make, no jobserver)."""
    make = shutil.which("make")
    assert make, "make is not on PATH"
    env = shutil.which("env")
    assert env, "env is not on PATH"
    command = [
        *prefix,
        env,
        "-i",
        f"PATH={bin_dir}",
        make,
        "-s",
        "-C",
        str(ROOT),
        "chromium",
        f"CHROMIUM_EXECUTABLE={executable}",
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)


def test_without_chromium_root_or_sudo_it_fails_with_one_line_saying_what_to_install(bin_dir: Path) -> None:
    if os.geteuid() == 0:
        prefix = as_nobody()
        if prefix is None:
            pytest.skip("running as root, and neither setpriv nor runuser is here to run make as nobody")
    else:
        prefix = []  # already not root; and with sudo off PATH, no sudo either

    completed = make_chromium(bin_dir, bin_dir / "no-chromium-here", prefix)

    assert completed.returncode != 0, completed
    assert completed.stdout.splitlines()[-1:] == [MISSING], completed
    assert completed.stdout == f"{MISSING}\n", completed  # that line alone


def test_as_root_without_apt_get_it_fails_with_the_same_line(bin_dir: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("not running as root")

    completed = make_chromium(bin_dir, bin_dir / "no-chromium-here")

    assert completed.returncode != 0, completed
    assert completed.stdout == f"{MISSING}\n", completed


def test_with_the_executable_there_it_does_nothing(bin_dir: Path, tmp_path: Path) -> None:
    executable = tmp_path / "chromium"
    executable.write_text("#!/bin/sh\nexit 1\n")
    executable.chmod(0o755)

    completed = make_chromium(bin_dir, executable)

    assert (completed.returncode, completed.stdout, completed.stderr) == (0, "", ""), completed


# What the stage targets would read from an enclosing make or the caller's shell.
_INHERITED = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "STAGE", "ARGS")


def make_dry_run(*arguments: str) -> list[str]:
    """The commands `make -n <arguments>` would run: the recipe's lines, none run."""
    make = shutil.which("make")
    assert make, "make is not on PATH"
    env = {key: value for key, value in os.environ.items() if key not in _INHERITED}
    completed = subprocess.run(
        [make, "-n", "-C", str(ROOT), *arguments],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
        env=env,
    )
    return completed.stdout.splitlines()


@pytest.mark.parametrize("stage", STAGES, ids=lambda stage: stage.name)
def test_deploy_deploys_every_stack_of_the_stage_it_is_given(stage: StageSettings) -> None:
    commands = make_dry_run("deploy", f"STAGE={stage.name}", "ARGS=-c alarmEmail=oncall@example.com")

    assert (
        f"npx --no-install cdk deploy '{stage.construct_id}/*' -c alarmEmail=oncall@example.com" in commands
    )


def test_deploy_and_destroy_act_on_dev_by_default() -> None:
    assert "npx --no-install cdk deploy 'Dev/*' " in make_dry_run("deploy")
    assert "npx --no-install cdk destroy 'Dev/*' " in make_dry_run("destroy")


def test_synth_writes_every_stage() -> None:
    assert "npx --no-install cdk synth --quiet " in make_dry_run("synth")


def test_destroy_refuses_prod_with_one_line_and_runs_nothing_else(bin_dir: Path) -> None:
    make = shutil.which("make")
    assert make, "make is not on PATH"
    env = shutil.which("env")
    assert env, "env is not on PATH"

    completed = subprocess.run(
        [env, "-i", f"PATH={bin_dir}", make, "-s", "-C", str(ROOT), "destroy", "STAGE=prod"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert completed.returncode != 0, completed
    assert completed.stdout == (
        "make destroy refuses STAGE=prod: its data stack holds the shop's data "
        "(retained, termination-protected)\n"
    ), completed
    assert "cdk" not in completed.stderr, completed
