"""A function's code folder: its own, or one built with the files generated from the code as it is,
the same bytes for the same code (CDK's asset hash), rewritten only where they differ."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from infra import build
from infra.build import build_function_code, function_code_dir
from infra.topology import FUNCTIONS, ROOT

FUNCTIONS_BY_NAME = {function.name: function for function in FUNCTIONS}


def contents(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()
    }


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and mtime: a file rewritten (swapped in) changes both."""
    return {
        path.relative_to(folder).as_posix(): (path.stat().st_ino, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file()
    }


@pytest.fixture
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "source"
    (folder / "package").mkdir(parents=True)
    (folder / "__pycache__").mkdir()
    (folder / "handler.py").write_text("HANDLER = 1\n")
    (folder / "package" / "module.py").write_text("MODULE = 1\n")
    (folder / "__pycache__" / "handler.cpython-313.pyc").write_bytes(b"bytecode")
    (folder / "document.json").write_text('{"stale": true}\n')
    return folder


def test_a_function_without_generated_files_runs_from_its_own_folder() -> None:
    products = FUNCTIONS_BY_NAME["products"]

    assert "products" not in build.GENERATED_FILES
    assert function_code_dir(products) == products.code_dir


def test_the_built_folder_holds_the_functions_files_and_the_generated_ones_which_win(
    source: Path, tmp_path: Path
) -> None:
    target = build_function_code(source, tmp_path / "built", {"document.json": '{"paths": {}}\n'})

    assert target == tmp_path / "built"
    assert contents(target) == {
        "handler.py": b"HANDLER = 1\n",
        "package/module.py": b"MODULE = 1\n",
        "document.json": b'{"paths": {}}\n',
    }


def test_building_the_same_code_again_rewrites_nothing(source: Path, tmp_path: Path) -> None:
    target = build_function_code(source, tmp_path / "built", {"document.json": "{}\n"})
    before = stamps(target)

    build_function_code(source, tmp_path / "built", {"document.json": "{}\n"})

    assert stamps(target) == before


def test_a_changed_file_is_rewritten_and_only_it(source: Path, tmp_path: Path) -> None:
    target = build_function_code(source, tmp_path / "built", {"document.json": "{}\n"})
    before = stamps(target)

    build_function_code(source, target, {"document.json": '{"changed": true}\n'})

    assert (target / "document.json").read_text() == '{"changed": true}\n'
    after = stamps(target)
    assert after["document.json"] != before["document.json"]
    assert {name: stamp for name, stamp in after.items() if name != "document.json"} == {
        name: stamp for name, stamp in before.items() if name != "document.json"
    }


def test_what_the_code_no_longer_has_is_removed(source: Path, tmp_path: Path) -> None:
    target = build_function_code(source, tmp_path / "built", {"document.json": "{}\n", "old.json": "{}\n"})
    (source / "package" / "module.py").unlink()
    (source / "package").rmdir()
    (target / ".handler.py.staging").write_text("an interrupted build's\n")
    (target / "__pycache__").mkdir()
    (target / "__pycache__" / "handler.cpython-313.pyc").write_bytes(b"bytecode")

    build_function_code(source, target, {"document.json": "{}\n"})

    assert sorted(path.relative_to(target).as_posix() for path in target.rglob("*")) == [
        "__pycache__",  # Python's to keep right; no asset holds it
        "__pycache__/handler.cpython-313.pyc",
        "document.json",
        "handler.py",
    ]


def test_a_function_with_generated_files_gets_them_made_at_each_build(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    docs = FUNCTIONS_BY_NAME["docs"]
    routes = ["/a"]
    monkeypatch.setattr(build, "FUNCTIONS_BUILD_DIR", tmp_path)
    monkeypatch.setattr(build, "GENERATED_FILES", {"docs": lambda: {"openapi.json": f"{routes}\n"}})

    first = function_code_dir(docs)
    routes.append("/b")
    second = function_code_dir(docs)

    assert first == second == tmp_path / "docs"
    assert (second / "openapi.json").read_text() == "['/a', '/b']\n"
    assert (second / "handler.py").read_bytes() == (docs.code_dir / "handler.py").read_bytes()


def test_making_the_docs_functions_files_imports_no_context_into_the_process_that_asks() -> None:
    """The document covers every context, so making it imports them all: in an interpreter of its
    own, so that the CDK app, the local cloud or a benchmark that asks keeps its modules (and the
    Powertools settings they read at import) as they were."""
    probe = (
        "import json, sys\n"
        "from infra.openapi import docs_function_files\n"
        "files = docs_function_files()\n"
        "document = json.loads(files['openapi.json'])['openapi']\n"
        "imported = sorted(m for m in sys.modules if m.split('.')[0] == 'shopfloor')\n"
        "print(json.dumps({'files': sorted(files), 'document': document, 'imported': imported}))\n"
    )
    ran = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)

    report = json.loads(ran.stdout)
    assert report["files"] == ["openapi.json"]
    assert report["document"].startswith("3.")
    assert report["imported"] == []
