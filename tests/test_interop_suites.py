"""A third-party test suite, run by tools/interop_suites.py with
``pytest --fastsock=both``: h11's (small and quick; its stdlib-interop tests
serve HTTP with socketserver/http.server and fetch with urllib over
loopback).  The other suites of docs/interop.md run on demand:
``python3 tools/interop_suites.py``."""
import json
import os
import subprocess
import sys

import pytest

TOOL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))), "tools", "interop_suites.py")


@pytest.mark.skipif(
    bool(os.environ.get("FASTSOCK_SANITIZED")),
    reason="under the sanitizer build pip, venv and two third-party runs are "
           "10x slower and exercise no C path the main run does not; the "
           "main CI step runs this")
# A fresh venv and a download, then two pytest runs: more than the suite's
# default 120 s on a busy machine (each step is bounded by the tool).
@pytest.mark.timeout(900)
def test_h11_suite_has_no_test_that_differs(tmp_path):
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, TOOL, "--suite", "h11", "--workdir", str(tmp_path),
         "--timeout", "300", "--json", str(out)],
        capture_output=True, text=True, timeout=900)
    assert out.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    (result,) = json.loads(out.read_text())
    error = result.get("error", "")
    if "pip download" in error or "pip install" in error:
        # No PyPI here (an offline machine): nothing to run the suite on.
        pytest.skip("cannot fetch h11's sdist or its test dependencies: "
                    + error[:300])
    log = (tmp_path / "h11.log").read_text() if (tmp_path / "h11.log").exists() \
        else ""
    why = "%r\n%s\n%s" % (result, proc.stdout[-2000:], log[-4000:])
    assert not error, why
    assert result.get("headers_ok"), why
    assert result.get("differ") == 0, why
    assert result.get("compared", 0) >= 70, why
    assert result["stdlib"] == result["fastsock"], why
    assert result["fastsock"].get("passed", 0) >= 70, why
    assert proc.returncode == 0, why
