"""Run one of CPython's test modules with a watchdog on every test.

    python -m fastsock run tests/cpython_runner.py MODULE \
        [--exclude TEST_ID_PREFIX ...] [--per-test-timeout SECONDS] \
        [--current-file PATH]

It is plain ``unittest`` (verbosity 2) with two additions that
tests/test_cpython_suite.py needs to stay bounded on any machine:

* ``--exclude`` drops tests whose id starts with a prefix, so that a test the
  stdlib itself cannot pass on this machine (VSOCK under a sandbox, say) is
  left out of the run instead of hanging it;
* a watchdog (``faulthandler.dump_traceback_later``) restarted before each
  test ends the process with every thread's traceback when one test runs
  longer than ``--per-test-timeout``; the id of the test that was running is
  written to ``--current-file`` before it starts, so the caller can name it.

Run under ``python -m fastsock run`` the module's ``import socket`` gets
fastsock; run with plain ``python`` it tests the stdlib, which is how the
caller checks whether a failure is an environment limit.
"""
import argparse
import faulthandler
import sys
import unittest


def _flatten(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _flatten(item)
        else:
            yield item


class _WatchedResult(unittest.TextTestResult):
    timeout = 120.0
    current_file = None

    def startTest(self, test):
        if self.current_file:
            with open(self.current_file, "w") as f:
                f.write(test.id())
        faulthandler.dump_traceback_later(self.timeout, exit=True)
        super().startTest(test)

    def stopTest(self, test):
        faulthandler.cancel_dump_traceback_later()
        super().stopTest(test)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("module")
    parser.add_argument("--exclude", action="append", default=[])
    parser.add_argument("--per-test-timeout", type=float, default=120.0)
    parser.add_argument("--current-file")
    args = parser.parse_args(argv)

    loaded = unittest.defaultTestLoader.loadTestsFromName(args.module)
    kept = [t for t in _flatten(loaded)
            if not any(t.id().startswith(p) for p in args.exclude)]
    # A module-level setUpModule/tearDownModule still runs: unittest calls
    # it around the first and last test of each module in the suite.
    suite = unittest.TestSuite(kept)

    _WatchedResult.timeout = args.per_test_timeout
    _WatchedResult.current_file = args.current_file
    # faulthandler's exit skips the normal flush of Python-level buffers.
    sys.stdout.reconfigure(line_buffering=True)
    runner = unittest.TextTestRunner(verbosity=2, resultclass=_WatchedResult)
    result = runner.run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    faulthandler.enable()
    sys.exit(main())
