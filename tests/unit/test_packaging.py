"""What the wheel and sdist ship, and that the bundled pytest plugin costs nothing until used.

The wheel carries the provider, the emulator and its pytest plugin (public testing tools), never
the repository's own test helpers (``tests/support/``). The plugin is loaded by every pytest run
in an environment with this provider installed, so importing it must not import Airflow or the
emulator, start threads, open sockets, write files or touch the environment.
"""

from __future__ import annotations

import email.parser
import json
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from email.message import Message
from pathlib import Path

import pytest

import airflow_provider_zohocrm

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "airflow_provider_zohocrm"
DIST_INFO = f"{PACKAGE}-{airflow_provider_zohocrm.__version__}.dist-info"
REPOSITORY_HELPERS = ("token_burst.py", "airflow_home.py")


def _uv() -> str:
    local = ROOT / ".tools" / "bin" / "uv"
    found = str(local) if local.exists() else shutil.which("uv")
    if found is None:
        pytest.fail("uv is needed to build the wheel: run `make env` (it installs .tools/bin/uv)")
    return found


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(wheel, sdist) built once from the working tree; hatchling from uv's cache, PyPI only if missing."""
    out = tmp_path_factory.mktemp("dist")
    command = [_uv(), "build", "--wheel", "--sdist", "--out-dir", str(out), str(ROOT)]
    built = subprocess.run([*command, "--offline"], capture_output=True, text=True, timeout=120, check=False)
    if built.returncode != 0:  # the build backend is not in uv's cache yet
        built = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert built.returncode == 0, f"uv build failed:\n{built.stdout[-3000:]}\n{built.stderr[-3000:]}"
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return wheel, sdist


@pytest.fixture(scope="module")
def wheel_names(dists: tuple[Path, Path]) -> set[str]:
    with zipfile.ZipFile(dists[0]) as wheel:
        return set(wheel.namelist())


@pytest.fixture(scope="module")
def metadata(dists: tuple[Path, Path]) -> Message:
    with zipfile.ZipFile(dists[0]) as wheel:
        return email.parser.Parser().parsestr(wheel.read(f"{DIST_INFO}/METADATA").decode())


def test_wheel_leaves_out_the_repository_test_helpers(wheel_names: set[str]) -> None:
    assert [name for name in wheel_names if name.endswith(REPOSITORY_HELPERS)] == []
    assert {name.split("/")[0] for name in wheel_names} == {PACKAGE, DIST_INFO}


def test_wheel_ships_every_module_of_the_package(wheel_names: set[str]) -> None:
    on_disk = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / PACKAGE).rglob("*")
        if path.suffix == ".py" or path.name == "py.typed"
        if "__pycache__" not in path.parts
    }
    assert {name for name in wheel_names if name.startswith(f"{PACKAGE}/")} == on_disk


def test_wheel_ships_the_emulator_and_its_pytest_plugin(dists: tuple[Path, Path], wheel_names: set[str]) -> None:
    for module in ("emulator/__init__.py", "emulator/__main__.py", "emulator/server.py", "pytest_plugin.py"):
        assert f"{PACKAGE}/testing/{module}" in wheel_names
    with zipfile.ZipFile(dists[0]) as wheel:
        entry_points = wheel.read(f"{DIST_INFO}/entry_points.txt").decode()
    assert "[pytest11]\nzohocrm_emulator = airflow_provider_zohocrm.testing.pytest_plugin" in entry_points
    assert "[apache_airflow_provider]\nprovider_info = airflow_provider_zohocrm.get_provider_info" in entry_points


def test_wheel_carries_the_license(dists: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(dists[0]) as wheel:
        shipped = wheel.read(f"{DIST_INFO}/licenses/LICENSE")
    assert shipped == (ROOT / "LICENSE").read_bytes()


def test_wheel_metadata(metadata: Message) -> None:
    assert metadata["Name"] == "airflow-provider-zohocrm"
    assert metadata["Version"] == airflow_provider_zohocrm.__version__
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert metadata["Requires-Python"] == ">=3.11"
    classifiers = set(metadata.get_all("Classifier") or [])
    assert {
        "Framework :: Apache Airflow",
        "Framework :: Apache Airflow :: Provider",
        "Programming Language :: Python :: 3 :: Only",
        "Programming Language :: Python :: 3.11",
        "Typing :: Typed",
    } <= classifiers
    # No classifier promises a Python that Requires-Python excludes.
    minors = [int(c.rsplit(".", 1)[1]) for c in classifiers if c.startswith("Programming Language :: Python :: 3.")]
    assert min(minors) == 11
    assert metadata["Description-Content-Type"] == "text/markdown"


def test_sdist_ships_license_changelog_and_no_tests(dists: tuple[Path, Path]) -> None:
    with tarfile.open(dists[1]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", "PKG-INFO"} <= names
    assert f"{PACKAGE}/testing/pytest_plugin.py" in names
    assert [name for name in names if name.startswith("tests/") or name.endswith(REPOSITORY_HELPERS)] == []


# Runs in a fresh interpreter: pytest first (the plugin's own dependency), then, under an audit
# hook, the plugin. Prints what the import did; the test judges it.
_IMPORT_PLUGIN = textwrap.dedent(
    """
    import json, os, sys, threading

    import pytest

    WATCHED = {
        "socket.__new__", "socket.bind", "socket.connect",
        "subprocess.Popen", "os.system", "os.fork", "os.putenv", "os.unsetenv",
        "os.mkdir", "os.remove", "os.rename", "shutil.rmtree",
    }
    WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND
    events = []

    def audit(event, args):
        if event in WATCHED:
            events.append(f"{event} {args!r:.200}")
        elif event == "open":
            mode = args[1] if isinstance(args[1], str) else ""
            flags = args[2] if isinstance(args[2], int) else 0
            if set(mode) & set("wax+") or flags & WRITING:
                events.append(f"open {args!r:.200}")

    # Python 3.11 has no audit event for a new thread: note every threading.Thread started.
    _start = threading.Thread.start

    def start(thread):
        events.append(f"thread {thread.name}")
        _start(thread)

    threading.Thread.start = start
    environ, threads, modules = dict(os.environ), threading.active_count(), set(sys.modules)
    sys.addaudithook(audit)
    import airflow_provider_zohocrm.testing.pytest_plugin
    new = sorted(m for m in set(sys.modules) - modules if m.split(".")[0] not in sys.stdlib_module_names)
    print(json.dumps({
        "events": events,
        "environ_changed": dict(os.environ) != environ,
        "threads": [threads, threading.active_count()],
        "new_modules": new,
        "heavy": sorted(m for m in sys.modules if m.split(".")[0] in ("airflow", "requests", "urllib3")),
    }))
    """
)


def _clean_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "AIRFLOW_CONN_"))}
    env.update(TMPDIR=str(tmp), PYTHONDONTWRITEBYTECODE="1")
    return env


def test_importing_the_pytest_plugin_has_no_side_effects(tmp_path: Path) -> None:
    cwd, tmp = tmp_path / "cwd", tmp_path / "tmp"
    cwd.mkdir()
    tmp.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_PLUGIN],
        cwd=cwd,
        env=_clean_env(tmp),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["events"] == []
    assert seen["environ_changed"] is False
    assert seen["threads"][1] == seen["threads"][0]
    assert seen["new_modules"] == [PACKAGE, f"{PACKAGE}.testing", f"{PACKAGE}.testing.pytest_plugin"]
    assert seen["heavy"] == []
    assert list(cwd.iterdir()) == []
    assert list(tmp.iterdir()) == []


def test_a_pytest_run_using_no_emulator_fixture_starts_no_emulator(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text(
        textwrap.dedent(
            """
            import os, sys, threading

            def test_plain(pytestconfig):
                assert pytestconfig.pluginmanager.has_plugin("zohocrm_emulator")
                assert [m for m in sys.modules if ".testing.emulator" in m] == []
                assert threading.active_count() == 1, threading.enumerate()
                assert "AIRFLOW_CONN_ZOHO_CRM_DEFAULT" not in os.environ
            """
        )
    )
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_plain.py"],
        cwd=tmp_path,
        env=_clean_env(tmp),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "1 passed" in done.stdout
