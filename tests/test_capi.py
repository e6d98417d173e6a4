"""The C API _fastsock uses: ready for CPython releases we cannot run here.

Two checks.  The sources, as the compiler sees them for CPython 3.12 and
later, use no API deprecated there when its replacement exists
(PyErr_Fetch/PyErr_Restore, structmember.h's T_* and READONLY), and call no
private ``_Py*`` function but ``_PyBytes_Resize``.  And the built extension
imports no private ``_Py*`` symbol beyond those the public headers' macros
and inline functions expand to, so a new one cannot slip in unnoticed.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import sysconfig

import pytest

import _fastsock

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CSRC = os.path.join(ROOT, "csrc")

# The one private function called on purpose (fastsock.h says why).
PRIVATE_CALLS = {"_PyBytes_Resize"}

# Private symbols that public macros and inline functions of Python.h
# expand to, by the versions that do so.
HEADER_SYMBOLS = {
    "_PyBytes_Resize": "called on purpose: shrinking a bytes object we made",
    "_Py_Dealloc": "Py_DECREF's inline body",
    "_Py_NoneStruct": "Py_None", "_Py_TrueStruct": "Py_True",
    "_Py_FalseStruct": "Py_False",
    "_PyByteArray_empty_string": "PyByteArray_AS_STRING",
    # PY_SSIZE_T_CLEAN renames these public functions before 3.13.
    "_PyArg_ParseTuple_SizeT": "PyArg_ParseTuple",
    "_PyArg_ParseTupleAndKeywords_SizeT": "PyArg_ParseTupleAndKeywords",
    "_PyArg_Parse_SizeT": "PyArg_Parse",
    "_Py_BuildValue_SizeT": "Py_BuildValue",
    "_PyObject_CallMethod_SizeT": "PyObject_CallMethod",
    # PyObject_Vectorcall's inline body on 3.9 and 3.10.
    "_PyObject_MakeTpCall": "PyObject_Vectorcall",
    "_Py_CheckFunctionResult": "PyObject_Vectorcall",
}

# Deprecated in 3.12 where a replacement exists (PyErr_GetRaisedException,
# PyErr_SetRaisedException, Py_T_*, Py_READONLY).
DEPRECATED = re.compile(r"\b(PyErr_Fetch|PyErr_Restore|PyErr_NormalizeException"
                        r"|T_(?:INT|UINT|LONG|ULONG|SHORT|BOOL|PYSSIZET|OBJECT"
                        r"|OBJECT_EX|DOUBLE|FLOAT|STRING|CHAR|BYTE)|READONLY)\b"
                        r"|#\s*include\s*[<\"]structmember\.h")
_VERSION_IF = re.compile(r"#\s*if\s+PY_VERSION_HEX\s*(<|>=)\s*(0x[0-9A-Fa-f]+)\s*$")


def _live_lines(text, hexversion):
    """The lines a build for `hexversion` compiles, as far as version
    conditions go; any other #if keeps both branches."""
    stack = []          # per #if: (is a version test, this branch live)
    out = []
    for line in text.splitlines():
        s = line.strip()
        m = _VERSION_IF.match(s)
        if m:
            value = int(m.group(2), 16)
            live = hexversion < value if m.group(1) == "<" else hexversion >= value
            stack.append((True, live))
            continue
        if re.match(r"#\s*if", s):
            stack.append((False, True))
            continue
        if re.match(r"#\s*(else|elif)", s) and stack:
            version, live = stack[-1]
            if version:
                stack[-1] = (True, not live)
            continue
        if re.match(r"#\s*endif", s) and stack:
            stack.pop()
            continue
        if all(live for _, live in stack):
            out.append(line)
    return out


def _without_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text,
                  flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _sources():
    files = sorted(glob.glob(os.path.join(CSRC, "*.[ch]")))
    if not files:
        pytest.skip("csrc/ is not beside the tests (an installed copy?)")
    for path in files:
        with open(path, encoding="utf-8") as f:
            yield os.path.basename(path), _without_comments(f.read())


@pytest.mark.parametrize("version", [0x030C0000, 0x030D0000, 0x030F0000],
                         ids=["3.12", "3.13", "3.15"])
def test_no_deprecated_api_on_new_versions(version):
    found = []
    for name, text in _sources():
        for line in _live_lines(text, version):
            for m in DEPRECATED.finditer(line):
                found.append("%s: %s" % (name, line.strip()))
    assert found == []


def test_no_private_function_calls():
    found = []
    for name, text in _sources():
        for m in re.finditer(r"\b(_Py\w+)\s*\(", text):
            if m.group(1) not in PRIVATE_CALLS:
                found.append("%s: %s" % (name, m.group(1)))
    assert found == []


def test_undefined_private_symbols_of_the_extension():
    nm = shutil.which("nm")
    if nm is None:
        pytest.skip("nm (binutils) is not installed: cannot list the "
                    "extension's symbols")
    if hasattr(sys, "gettotalrefcount") or sysconfig.get_config_var(
            "Py_GIL_DISABLED"):
        pytest.skip("a debug or free-threaded CPython: its headers expand "
                    "to other private symbols")
    out = subprocess.run([nm, "-D", "--undefined-only", _fastsock.__file__],
                         capture_output=True, text=True, check=True).stdout
    private = {line.split()[-1].split("@")[0] for line in out.splitlines()
               if line.split() and line.split()[-1].startswith("_Py")}
    assert private, "nm listed no _Py symbol at all: %r" % out[:500]
    assert sorted(private - set(HEADER_SYMBOLS)) == []
