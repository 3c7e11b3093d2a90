"""Build the third-party dependency layer from requirements.txt, without Docker.

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
from pathlib import Path

from infra.constants import DEPENDENCY_LAYER_DIR, PYTHON_VERSION, REQUIREMENTS_FILE, WHEEL_PLATFORM

# Lambda puts /opt/python on sys.path; a layer zip's python/ folder is unpacked to /opt/python.
LAYER_PACKAGES_FOLDER = "python"


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
