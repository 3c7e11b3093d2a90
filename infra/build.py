"""Build the third-party dependency layer from requirements.txt, without Docker; and the code folder
of a function whose code holds generated files (function_code_dir).

pip picks the manylinux wheels for the Lambda runtime's CPython and architecture, so compiled
packages (pydantic-core) work on Lambda whatever machine builds the layer. A stamp beside the
layer remembers what it was built from; an unchanged build is skipped.

    python -m infra.build
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from fnmatch import fnmatchcase
from pathlib import Path
from types import MappingProxyType
from typing import Final

from infra.constants import (
    ASSET_EXCLUDES,
    DEPENDENCY_LAYER_DIR,
    FUNCTIONS_BUILD_DIR,
    PYTHON_VERSION,
    REQUIREMENTS_FILE,
    WHEEL_PLATFORM,
)
from infra.openapi import docs_function_files
from infra.topology import Function

# Lambda puts /opt/python on sys.path; a layer zip's python/ folder is unpacked to /opt/python.
LAYER_PACKAGES_FOLDER = "python"

# The files made at build time into a function's code (file name -> text), by function name. What
# must cover every context is made here, so that no code that runs imports them all: the docs
# function serves the document of every route, which infra/openapi_document.py makes from all of them.
GENERATED_FILES: Final[Mapping[str, Callable[[], Mapping[str, str]]]] = MappingProxyType(
    {"docs": docs_function_files}
)


def function_code_dir(function: Function) -> Path:
    """The folder deployed (and run locally) as `function`'s code: its own folder, or for a function
    with generated files a build folder holding its files and those files, made now from the code as
    it is (so they cannot be stale)."""
    generate = GENERATED_FILES.get(function.name)
    if generate is None:
        return function.code_dir
    return build_function_code(function.code_dir, FUNCTIONS_BUILD_DIR / function.code_dir.name, generate())


def build_function_code(source: Path, target: Path, generated: Mapping[str, str]) -> Path:
    """`target`, made to hold exactly `source`'s files and the `generated` ones (which win). The same
    inputs leave the same bytes, and a file is rewritten only when its bytes differ, so CDK's asset
    hash is stable and a folder in use is left alone. One build at a time: processes that synthesize
    or test at once build the same folder. Bytecode caches are neither copied nor removed: no asset
    holds them (ASSET_EXCLUDES), and Python keeps them right."""
    files = {
        path.relative_to(source): path.read_bytes()
        for path in sorted(source.rglob("*"))
        if path.is_file() and not _excluded(path.relative_to(source))
    }
    files.update({Path(name): text.encode() for name, text in generated.items()})
    target.mkdir(parents=True, exist_ok=True)
    with target.with_name(f"{target.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        for relative, content in files.items():
            _write_if_different(target / relative, content)
        _remove_stale(target, kept=set(files))
    return target


def _write_if_different(path: Path, content: bytes) -> None:
    if path.is_file() and path.read_bytes() == content:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # Swapped in whole, so a process that reads the file meanwhile reads the old or the new one.
    staging = path.with_name(f".{path.name}.staging")
    staging.write_bytes(content)
    staging.replace(path)


def _remove_stale(target: Path, kept: set[Path]) -> None:
    """Remove what `target` holds besides `kept` (an interrupted build's staging files among it) and
    the folders that leaves empty; children come before their folder."""
    for path in sorted(target.rglob("*"), reverse=True):
        relative = path.relative_to(target)
        if relative in kept or _excluded(relative):
            continue
        if not path.is_dir():
            path.unlink()
        elif not any(path.iterdir()):
            path.rmdir()


def _excluded(relative: Path) -> bool:
    return any(fnmatchcase(part, pattern) for part in relative.parts for pattern in ASSET_EXCLUDES)


def build_dependency_layer(
    requirements: Path = REQUIREMENTS_FILE, layer_dir: Path = DEPENDENCY_LAYER_DIR
) -> Path:
    """The folder of the dependency layer (it holds python/), built unless already up to date. One
    build at a time: processes that synthesize at once (make test's two) wait for the first one's."""
    fingerprint = _fingerprint(requirements)
    stamp = _stamp_path(layer_dir)
    if _up_to_date(layer_dir, stamp, fingerprint):
        return layer_dir
    layer_dir.parent.mkdir(parents=True, exist_ok=True)
    with layer_dir.with_name(f"{layer_dir.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not _up_to_date(layer_dir, stamp, fingerprint):  # built meanwhile by the holder
            _build(requirements, layer_dir, stamp, fingerprint)
    return layer_dir


def _up_to_date(layer_dir: Path, stamp: Path, fingerprint: str) -> bool:
    return (
        stamp.is_file() and stamp.read_text() == fingerprint and (layer_dir / LAYER_PACKAGES_FOLDER).is_dir()
    )


def _build(requirements: Path, layer_dir: Path, stamp: Path, fingerprint: str) -> None:
    print(f"Building the dependency layer from {requirements.name} ...", file=sys.stderr)
    # Install beside the layer and swap it in, so an interrupted build never looks finished.
    staging = layer_dir.with_name(f"{layer_dir.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    _pip_install(requirements, staging / LAYER_PACKAGES_FOLDER)
    # Console scripts name this machine's interpreter in their shebang; Lambda never runs them.
    shutil.rmtree(staging / LAYER_PACKAGES_FOLDER / "bin", ignore_errors=True)
    stamp.unlink(missing_ok=True)
    shutil.rmtree(layer_dir, ignore_errors=True)
    staging.rename(layer_dir)
    stamp.write_text(fingerprint)


def _pip_install(requirements: Path, target: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",  # bytecode of the building interpreter is useless to the Lambda one
        "--platform",
        WHEEL_PLATFORM,
        "--implementation",
        "cp",
        "--python-version",
        PYTHON_VERSION,
        "--only-binary=:all:",
        "--target",
        str(target),
        "--requirement",
        str(requirements),
    ]
    subprocess.run(command, check=True)


def _fingerprint(requirements: Path) -> str:
    """What the layer depends on: the requirements and the platform the wheels are chosen for."""
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    return f"sha256={digest} python={PYTHON_VERSION} platform={WHEEL_PLATFORM}\n"


def _stamp_path(layer_dir: Path) -> Path:
    # Outside the layer folder: the stamp must not become part of the deployed asset.
    return layer_dir.with_name(f"{layer_dir.name}.stamp")


if __name__ == "__main__":
    print(build_dependency_layer())
