"""The dependency layer: wheels for the Lambda runtime, rebuilt only when requirements change."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from infra import build
from infra.constants import PYTHON_VERSION

pytestmark = pytest.mark.infra


def test_the_layer_holds_compiled_packages_for_the_lambda_runtime() -> None:
    packages = build.build_dependency_layer() / "python"

    python_tag = PYTHON_VERSION.replace(".", "")
    assert list((packages / "pydantic_core").glob(f"*.cpython-{python_tag}-aarch64-linux-gnu.so"))
    assert (packages / "aws_lambda_powertools").is_dir()


def _recording_pip(calls: list[Path]) -> Callable[[Path, Path], None]:
    def install(requirements: Path, target: Path) -> None:
        calls.append(requirements)
        target.mkdir(parents=True)

    return install


def test_an_unchanged_build_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pydantic==2.14.3\n")
    calls: list[Path] = []
    monkeypatch.setattr(build, "_pip_install", _recording_pip(calls))

    build.build_dependency_layer(requirements, tmp_path / "layer")
    build.build_dependency_layer(requirements, tmp_path / "layer")

    assert calls == [requirements]


def test_changed_requirements_rebuild_the_layer_from_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pydantic==2.14.3\n")
    calls: list[Path] = []
    monkeypatch.setattr(build, "_pip_install", _recording_pip(calls))
    layer = build.build_dependency_layer(requirements, tmp_path / "layer")
    (layer / "python" / "stale.py").write_text("")

    requirements.write_text("pydantic==2.14.3\nrequests==2.34.2\n")
    build.build_dependency_layer(requirements, tmp_path / "layer")

    assert len(calls) == 2
    assert not (layer / "python" / "stale.py").exists()


def test_builds_at_once_install_once_and_none_sees_a_half_built_layer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """make test synthesizes in two processes at once: the second waits for the first's build."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pydantic==2.14.3\n")
    calls: list[Path] = []
    record = _recording_pip(calls)

    def slow_install(requirements: Path, target: Path) -> None:
        time.sleep(0.3)  # long enough for the other builder to arrive meanwhile
        record(requirements, target)

    monkeypatch.setattr(build, "_pip_install", slow_install)
    with ThreadPoolExecutor(max_workers=2) as pool:
        layers = list(
            pool.map(lambda _: build.build_dependency_layer(requirements, tmp_path / "layer"), range(2))
        )

    assert calls == [requirements]
    assert layers == [tmp_path / "layer"] * 2
    assert (tmp_path / "layer" / "python").is_dir()
