"""The README and the packaging say what is true.

The README's first commands are what a new user types, and CI must run
them verbatim; the layout table must name every C file; the packaging
metadata must be in the form current setuptools accepts (PEP 639); and the
figures must name the Python version they were measured on.
"""
import glob
import os
import platform
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _read(*path):
    full = os.path.join(ROOT, *path)
    if not os.path.isfile(full):
        pytest.skip("%s is not in this tree (an installed copy?)"
                    % os.path.join(*path))
    with open(full, encoding="utf-8") as f:
        return f.read()


def _readme_commands():
    """The commands of the README's first sh block, without comments."""
    block = re.search(r"```sh\n(.*?)```", _read("README.md"), re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines()
            if line.strip()]


def test_readme_starts_in_a_virtual_environment():
    # Debian's python3 refuses "pip install" outside a virtual environment
    # (externally-managed-environment): the first command makes one.
    cmds = _readme_commands()
    assert cmds[0] == "python3 -m venv .venv && . .venv/bin/activate"
    assert cmds[1].startswith("pip install . && ")
    assert cmds[-1] == "python3 -m pip install -q '.[test]' && python3 -m pytest"


def test_ci_runs_the_readme_commands_verbatim():
    ci = _read(".ci", "run").splitlines()
    cmds = _readme_commands()
    venv, tests = cmds[0], cmds[-1]
    assert venv in ci and tests in ci
    # In that order, and the comment above each says which command it is.
    assert ci.index(venv) < ci.index(tests)
    assert "first command" in ci[ci.index(venv) - 1]
    assert "test command" in ci[ci.index(tests) - 1]


def test_ci_runs_the_other_pythons():
    ci = _read(".ci", "run")
    assert "bash .ci/other-pythons.sh" in ci
    script = _read(".ci", "other-pythons.sh")
    for part in ("pyenv", "versions --bare", "prefix", "-m venv", "timeout",
                 "tests/test_cpython_suite.py", "tests/test_examples.py",
                 "skipped"):
        assert part in script, part


def test_readme_optional_tools():
    readme = _read("README.md")
    head = readme.split("## Using it")[0]
    for tool in ("curl", "nc", "socat", "wrk", "pyperf", "atheris"):
        assert re.search(r"`%s`" % tool, head), tool
    assert "apt-get install curl netcat-openbsd socat wrk" in head
    assert "pip install '.[tools]'" in head
    extras = _read("pyproject.toml").split("[project.optional-dependencies]")[1]
    tools = re.search(r"^tools = (.*)$", extras, re.M).group(1)
    if '"fastsock[bench]"' in tools:
        tools += re.search(r"^bench = \[(.*?)\]", extras, re.M | re.S).group(1)
    for pkg in ("pyperf", "matplotlib", "atheris"):
        assert '"%s' % pkg in tools, pkg


def test_layout_table_names_every_c_file():
    readme = _read("README.md")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `(csrc/[\w.]+)`", layout, re.M))
    present = {os.path.relpath(p, ROOT)
               for p in glob.glob(os.path.join(ROOT, "csrc", "*.[ch]"))}
    # Generated include files belong to the file that includes them.
    present -= {p for p in present if p.endswith("_inc.h")}
    assert present - listed == set(), "not in the README's layout table"
    assert listed - present == set(), "in the layout table but not in csrc/"


def test_readme_points_only_at_what_exists():
    # Every path the README names in backquotes exists; no "listed in X"
    # pointer to a comment that does not hold the list.
    readme = _read("README.md")
    for path in re.findall(r"`((?:csrc|pysrc|tests|tools|docs|bench|\.ci)/"
                           r"[\w./-]+)`", readme):
        assert os.path.exists(os.path.join(ROOT, path)), path
    assert "header comment" not in readme


def test_pyproject_license_is_spdx():
    # setuptools deprecates the license table (builds refuse it from
    # 2027-02-18): an SPDX expression plus license-files, and a setuptools
    # that understands them.
    text = _read("pyproject.toml")
    assert re.search(r'^license = "MIT"$', text, re.M)
    assert re.search(r'^license-files = \["LICENSE"\]$', text, re.M)
    assert "MIT License" in _read("LICENSE")
    requires = re.search(r"^requires = \[(.*?)\]", text, re.M).group(1)
    m = re.search(r'"setuptools>=(\d+)', requires)
    assert m and int(m.group(1)) >= 77


def test_readme_figures_name_their_version():
    readme = _read("README.md")
    m = re.search(r"`test_socket` \((\d+) tests on (3\.\d+\.\d+)", readme)
    assert m, "the test_socket figure names no version"
    count, version = int(m.group(1)), m.group(2)
    # Releases of one minor version add tests too: only the same one counts.
    if platform.python_version() != version:
        pytest.skip("the figure is for %s; this is %s"
                    % (version, platform.python_version()))
    import unittest
    try:
        suite = unittest.defaultTestLoader.loadTestsFromName("test.test_socket")
    except ImportError:
        pytest.skip("CPython's test.test_socket is not installed here")
    assert suite.countTestCases() == count
