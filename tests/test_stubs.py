"""The type stubs (fastsock/__init__.pyi, _fastsock-stubs, the SocketServer
alias) say what the modules really have: mypy's stubtest imports each
module and compares every name, signature and type with its stub."""
import os
import subprocess
import sys

import pytest

pytest.importorskip("mypy.stubtest",
                    reason="mypy is not installed (it is in the [test] extra)")


# Names only some interpreters have (see the file).
ALLOWLIST = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "stubtest_allowlist.txt")


def _allowlist(tmp_path):
    """The allowlist file, plus what only this interpreter needs: with the
    Bluetooth constants (a CPython built with bluetooth.h) __all__ and
    AddressFamily have names the stub cannot declare conditionally."""
    import fastsock
    with open(ALLOWLIST) as f:
        text = f.read()
    if hasattr(fastsock, "AF_BLUETOOTH"):
        text += "\nfastsock\\.__all__\nfastsock\\.AddressFamily\\.AF_BLUETOOTH\n"
    path = tmp_path / "allowlist.txt"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("module", ["_fastsock", "fastsock"])
def test_stubs_match_the_runtime_module(module, tmp_path):
    # Run from an empty directory, so that the module is the one the tests
    # import (installed, or PYTHONPATH), not a source tree in the cwd.
    proc = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", module,
         "--mypy-config-file", os.devnull,
         "--allowlist", _allowlist(tmp_path), "--ignore-unused-allowlist"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, MYPY_CACHE_DIR=str(tmp_path / "cache")))
    assert proc.returncode == 0, (proc.stdout[-6000:] + proc.stderr[-2000:])
    assert "Success" in proc.stdout
