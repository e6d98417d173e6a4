"""Python 2 mode, part 1: the translation of Python 2 source (fissix plus
fastsock's fixers), its cache, and the errors ``run`` reports.

The programs themselves, run against a real Python 2.7, are in test_py2.py.
"""
import os
import stat
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("fissix", reason="fissix (the Python 2 translator, a "
                    "dependency of fastsock) is not installed")

from fastsock import _py2translate as tr  # noqa: E402
from fastsock._py2 import _fastsock_py2_div as _py2_div  # noqa: E402

from test_examples import CHILD_ENV, PY, WAIT  # noqa: E402

RUN_PY2 = [PY, "-m", "fastsock", "run", "--py2"]


def translate(text, name="t.py"):
    return tr.translate(textwrap.dedent(text).encode("utf-8"), name)


def run(argv, cwd, env=None, stdin=b""):
    return subprocess.run([str(a) for a in argv], cwd=str(cwd),
                          env=env or CHILD_ENV, input=stdin,
                          capture_output=True, timeout=WAIT)


# ---------------------------------------------------------------- translation

def test_lines_stay_in_place():
    src = """\
        # -*- coding: utf-8 -*-
        import Queue, SocketServer
        print 'a', 1
        try:
            x = raw_input('>')
        except (EOFError, KeyError), (a, b):
            pass
        except IOError, e: print e
        print x,
        """
    out = translate(src)
    assert out.count("\n") == textwrap.dedent(src).count("\n")
    lines = out.splitlines()
    assert lines[2] == "_fastsock_py2_print('a', 1)"
    assert "input('>')" in lines[4]
    assert lines[8] == "_fastsock_py2_print(x, end=' ')"
    compile(out, "t.py", "exec")


def test_except_binds_the_name_after_the_handler():
    out = translate("""\
        try:
            raise EOFError('x')
        except EOFError,KeyboardInterrupt:
            pass
        result = KeyboardInterrupt
        """)
    ns = {}
    exec(compile(out, "t.py", "exec"), ns)
    # Python 2 rebinds the name and it stays bound after the handler.
    assert isinstance(ns["result"], EOFError)


def test_division_is_python2s():
    out = translate("""\
        a = 7 / 2
        b = 7.0 / 2
        c = -7 / 2 * 3
        d = 9
        d /= 2
        e = (1 +
             5) / 2
        f = len('\\xe4\\xb8\\xad') / 2
        """)
    assert out.count("\n") == 8       # no line moved
    ns = {"_fastsock_py2_div": _py2_div}
    exec(compile(out, "t.py", "exec"), ns)
    assert (ns["a"], ns["b"], ns["c"], ns["d"], ns["e"], ns["f"]) == \
        (3, 3.5, -12, 4, 3, 1)


def test_true_division_future_is_kept():
    out = translate("""\
        from __future__ import division
        a = 7 / 2
        """)
    ns = {}
    exec(compile(out, "t.py", "exec"), ns)
    assert ns["a"] == 3.5


def test_except_tuple_target_unpacks_args():
    out = translate("""\
        try:
            raise ValueError(1, 2)
        except ValueError, (a, b): pass
        """)
    ns = {}
    exec(compile(out, "t.py", "exec"), ns)
    assert (ns["a"], ns["b"]) == (1, 2)


def B(data):
    """The Python 2 mode str of bytes *data* (fastsock._py2.to_str)."""
    return data.decode("ascii", "surrogateescape")


@pytest.mark.parametrize("literal, value", [
    ("'中文'", B("中文".encode("utf-8"))),
    ("b'ab\\xff'", B(b"ab\xff")),
    ("'\\u4e2d'", "\\u4e2d"),          # no \u escape in a Python 2 str
    ("'a\\\\u'", "a\\u"),
    ("r'\\x41'", "\\x41"),
    ("'\\x41\\101\\n'", "AA\n"),
    ("u'中文'", "中文"),                # text stays text
    ("'plain'", "plain"),
])
def test_byte_string_literals(literal, value):
    out = translate("# -*- coding: utf-8 -*-\nv = %s\n" % literal)
    ns = {}
    exec(compile(out, "t.py", "exec"), ns)
    assert ns["v"] == value


def test_literal_in_other_encoding():
    src = "# -*- coding: latin-1 -*-\nv = 'caf\xe9'\n".encode("latin-1")
    ns = {}
    exec(compile(tr.translate(src, "t.py"), "t.py", "exec"), ns)
    assert ns["v"] == B(b"caf\xe9")


def test_unicode_literals_future_keeps_text():
    out = translate("""\
        # -*- coding: utf-8 -*-
        from __future__ import unicode_literals
        v = '中'
        """)
    ns = {}
    exec(compile(out, "t.py", "exec"), ns)
    assert ns["v"] == "中"


def test_non_ascii_without_declaration_is_python2s_error():
    with pytest.raises(tr.Py2SyntaxError) as info:
        tr.translate("x = 1\n# \xe4\n".encode("utf-8"), "t.py")
    assert "Non-ASCII character '\\xc3' in file t.py on line 2" in str(info.value)
    assert info.value.lineno == 2


def test_invalid_python2_names_file_and_line():
    with pytest.raises(tr.Py2SyntaxError) as info:
        translate("x = 1\nprint 'a' 'b' +\n")
    assert (info.value.filename, info.value.lineno) == ("t.py", 2)


def test_mixed_tab_indentation_is_read_as_python2_does():
    src = b"if 1:\n        x = 1\n\ty = 2\n"
    code = tr.compile_translation(tr.translate(src, "t.py"), src, "t.py")
    ns = {}
    exec(code, ns)
    assert ns["y"] == 2


def test_untranslatable_construct_names_line_and_construct():
    # Valid Python 2 that fissix leaves as it is and Python 3 refuses.
    src = b"x = 1\nTrue = 0\n"
    with pytest.raises(SyntaxError) as info:
        tr.compile_translation(tr.translate(src, "t.py"), src, "t.py")
    assert isinstance(info.value, tr.UntranslatableError)
    assert info.value.lineno == 2 and info.value.filename == "t.py"
    assert "True = 0" in str(info.value)


# ---------------------------------------------------------------- cache

@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.setattr(sys, "pycache_prefix", None, raising=False)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    return home


def _counts():
    return dict(tr.stats)


def test_cache_hit_and_invalidation(tmp_path, cache_home):
    mod = tmp_path / "m.py"
    mod.write_bytes(b"print 'one'\n")
    before = _counts()
    first = tr.cached_translate(mod.read_bytes(), str(mod), beside_ok=True)
    assert tr.stats["translated"] == before["translated"] + 1
    # An imported module's translation goes where its bytecode would.
    cached = list((tmp_path / "__pycache__").glob("m.*.fastsock-py2.py"))
    assert len(cached) == 1
    again = tr.cached_translate(mod.read_bytes(), str(mod), beside_ok=True)
    assert again == first
    assert tr.stats["hits"] == before["hits"] + 1
    assert tr.stats["translated"] == before["translated"] + 1
    # An edit (same size, same second) is seen: the key is the content.
    mod.write_bytes(b"print 'two'\n")
    changed = tr.cached_translate(mod.read_bytes(), str(mod), beside_ok=True)
    assert "two" in changed
    assert tr.stats["translated"] == before["translated"] + 2


def test_cache_key_includes_translator_version(tmp_path, cache_home,
                                               monkeypatch):
    mod = tmp_path / "m.py"
    mod.write_bytes(b"print 'one'\n")
    tr.cached_translate(mod.read_bytes(), str(mod), beside_ok=True)
    monkeypatch.setattr(tr, "_OWN_VERSION", tr._OWN_VERSION + "-next")
    before = _counts()
    tr.cached_translate(mod.read_bytes(), str(mod), beside_ok=True)
    assert tr.stats["translated"] == before["translated"] + 1


def test_main_script_cache_is_not_beside_it(tmp_path, cache_home):
    script = tmp_path / "s.py"
    script.write_bytes(b"print 'one'\n")
    tr.cached_translate(script.read_bytes(), str(script), beside_ok=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "s.py"]
    assert len(list(cache_home.rglob("*s.*.fastsock-py2.py"))) == 1


def test_pycache_prefix_is_used(tmp_path, cache_home, monkeypatch):
    prefix = tmp_path / "prefix"
    monkeypatch.setattr(sys, "pycache_prefix", str(prefix))
    script = tmp_path / "s.py"
    script.write_bytes(b"print 'one'\n")
    tr.cached_translate(script.read_bytes(), str(script), beside_ok=False)
    assert len(list(prefix.rglob("s.*.fastsock-py2.py"))) == 1
    assert not cache_home.exists()


def _make_unwritable(directory):
    """Make *directory* refuse new entries.  Root ignores permission bits,
    so a file then squats the name __pycache__ as well."""
    if os.geteuid() == 0:
        (directory / "__pycache__").write_bytes(b"")
    directory.chmod(stat.S_IRUSR | stat.S_IXUSR)


def test_read_only_directory(tmp_path, cache_home):
    ro = tmp_path / "ro"
    ro.mkdir()
    mod = ro / "m.py"
    mod.write_bytes(b"print 'one'\n")
    _make_unwritable(ro)
    try:
        before = _counts()
        tr.cached_translate(mod.read_bytes(), str(mod), beside_ok=True)
        # Translated, and cached in the user cache directory instead.
        assert len(list(cache_home.rglob("*m.*.fastsock-py2.py"))) == 1
        tr.cached_translate(mod.read_bytes(), str(mod), beside_ok=True)
        assert tr.stats["hits"] == before["hits"] + 1
    finally:
        ro.chmod(stat.S_IRWXU)


def test_no_writable_cache_at_all_still_runs(tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    script = ro / "s.py"
    script.write_bytes(b"import helper\nprint 'main', helper.X\n")
    (ro / "helper.py").write_bytes(b"X = 'h%d' % 1\nprint 'helper'\n")
    blocked = tmp_path / "blocked"
    blocked.write_bytes(b"")           # a file: no cache directory under it
    _make_unwritable(ro)
    env = dict(CHILD_ENV, XDG_CACHE_HOME=str(blocked))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        listing = sorted(os.listdir(ro))
        result = run(RUN_PY2 + [script], cwd=tmp_path, env=env)
        assert result.stdout == b"helper\nmain h1\n", result.stderr
        assert result.returncode == 0
        assert sorted(os.listdir(ro)) == listing
    finally:
        ro.chmod(stat.S_IRWXU)


def _work_dir(parent, name):
    work = parent / name
    work.mkdir()
    (work / "s.py").write_bytes(b"import helper\nprint helper.X\n")
    (work / "helper.py").write_bytes(b"X = 'h'\n")
    return work


def test_script_run_writes_nothing_beside_it(tmp_path):
    env = dict(CHILD_ENV, XDG_CACHE_HOME=str(tmp_path / "cache"),
               PYTHONDONTWRITEBYTECODE="1")
    # With bytecode writing off, the stdlib writes nothing: neither do we.
    work = _work_dir(tmp_path, "off")
    result = run(RUN_PY2 + ["s.py"], cwd=work, env=env)
    assert result.stdout == b"h\n", result.stderr
    assert sorted(os.listdir(work)) == ["helper.py", "s.py"]
    del env["PYTHONDONTWRITEBYTECODE"]
    work = _work_dir(tmp_path, "on")
    for _ in range(2):
        result = run(RUN_PY2 + ["s.py"], cwd=work, env=env)
        assert result.stdout == b"h\n", result.stderr
    # The script's translation is in the user cache; the imported module's
    # next to its bytecode, in __pycache__, as the stdlib would write it.
    assert sorted(os.listdir(work)) == ["__pycache__", "helper.py", "s.py"]
    assert [p.name for p in (work / "__pycache__").iterdir()
            if "fastsock-py2" in p.name][0].startswith("helper.")
    assert len(list((tmp_path / "cache").rglob("*s.*.fastsock-py2.py"))) == 2


# ---------------------------------------------------------------- errors

def test_python2_file_without_py2_gets_the_hint(tmp_path):
    (tmp_path / "old.py").write_bytes(b"import sys\nprint 'hello'\n")
    result = run([PY, "-m", "fastsock", "run", "old.py"], cwd=tmp_path)
    err = result.stderr.decode()
    assert result.returncode == 1
    assert 'File "%s", line 2' % (tmp_path / "old.py") in err
    assert "SyntaxError" in err
    assert err.endswith("fastsock run: %s is a Python 2 program; run it with "
                        "\"python -m fastsock run --py2 old.py\"\n"
                        % (tmp_path / "old.py"))
    assert run(RUN_PY2 + ["old.py"], cwd=tmp_path).stdout == b"hello\n"


def test_python2_module_without_py2_gets_the_hint(tmp_path):
    (tmp_path / "oldmod.py").write_bytes(b"print 'hello'\n")
    result = run([PY, "-m", "fastsock", "run", "-m", "oldmod"], cwd=tmp_path)
    assert "is a Python 2 program; run it with \"python -m fastsock run " \
           "--py2 -m MODULE\"" in result.stderr.decode()
    result = run(RUN_PY2 + ["-m", "oldmod", "x"], cwd=tmp_path)
    assert result.stdout == b"hello\n", result.stderr


def test_file_valid_in_neither_reports_its_name_and_line(tmp_path):
    (tmp_path / "bad.py").write_bytes(b"x = 1\n\nprint 'a' (\n")
    plain = run([PY, "-m", "fastsock", "run", "bad.py"], cwd=tmp_path)
    assert "Python 2 program" not in plain.stderr.decode()
    result = run(RUN_PY2 + ["bad.py"], cwd=tmp_path)
    err = result.stderr.decode()
    assert result.returncode == 1
    assert 'File "bad.py", line 3' in err or 'File "bad.py", line 4' in err, err
    assert "SyntaxError" in err and "Traceback" not in err
    assert "fissix" not in err


def test_untranslatable_reported_by_run(tmp_path):
    (tmp_path / "u.py").write_bytes(b"x = 1\nasync = 0\n")
    result = run(RUN_PY2 + ["u.py"], cwd=tmp_path)
    err = result.stderr.decode()
    assert result.returncode == 1
    assert 'File "u.py", line 2' in err
    assert "construct not supported by the translator" in err
    assert "async = 0" in err
