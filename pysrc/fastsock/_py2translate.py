"""Python 2 source -> Python 3 code for ``python -m fastsock run --py2``.

The syntax is translated by fissix (a maintained fork of lib2to3) with its
default fixers, except:

* ``fix_import`` is left out: it turns ``import helper`` into
  ``from . import helper`` when helper.py lies beside the file, which fails in
  a script (not a package); Python 2 found such modules on ``sys.path[0]``,
  and so do we (fastsock._py2 translates them when they are imported);
* ``fix_except`` is replaced by ``fix_py2except`` (the name bound by
  ``except E, name:`` outlives the handler, as in Python 2);
* ``fix_unicode`` is replaced by ``fix_py2str``, which does its work and
  gives byte-string literals their Python 2 value, one character per byte
  (see fastsock._py2fixes.fix_py2str).
* ``fix_py2div`` makes ``/`` divide as in Python 2 (floor for integers);
* ``fix_print`` is replaced by ``fix_py2print``: the print statement keeps
  Python 2's softspace rules.

Every statement stays on its line, so tracebacks (which show the original
file) point at the right place.

Translations are cached like bytecode: keyed by the source's hash and the
translator's version, in ``__pycache__`` beside an imported module (or under
``sys.pycache_prefix``) -- where the stdlib writes bytecode -- and for a main
script, or when that place is not writable or bytecode writing is off, in
the user's cache directory (``$XDG_CACHE_HOME/fastsock/py2`` or
``~/.cache/fastsock/py2``).  Nothing is written beside a script.
"""
import hashlib
import io
import os
import re
import sys
import tokenize

import fastsock

# Bumped whenever a change here or in the fixers changes translations.
_OWN_VERSION = "3"

_EXCLUDED = ("fix_import", "fix_except", "fix_unicode", "fix_print")
_OWN_FIXERS = ("fastsock._py2fixes.fix_py2str",
               "fastsock._py2fixes.fix_py2except",
               "fastsock._py2fixes.fix_py2div",
               "fastsock._py2fixes.fix_py2print")

_tool = None


class Py2SyntaxError(SyntaxError):
    """The file is not valid Python 2 (reported with its own name/line)."""


class UntranslatableError(SyntaxError):
    """The translation of a valid Python 2 file does not compile."""


def translator_version():
    """The version string that keys the cache (ours and fissix's)."""
    try:
        from importlib.metadata import version
        fissix_version = version("fissix")
    except Exception:           # metadata missing: the module still works
        import fissix  # type: ignore
        fissix_version = getattr(fissix, "__version__", "?")
    return "fastsock-%s.%s/fissix-%s" % (fastsock.__version__, _OWN_VERSION,
                                         fissix_version)


def _usable_fissix_cache():
    """fissix pickles its grammar into its own cache directory and fails
    when it cannot create it: give it a temporary one then."""
    import fissix  # type: ignore

    try:
        fissix.CACHE_DIR.mkdir(parents=True, exist_ok=True)
    except OSError:
        import atexit
        import pathlib
        import shutil
        import tempfile

        fissix.CACHE_DIR = pathlib.Path(tempfile.mkdtemp(prefix="fastsock-fissix-"))
        atexit.register(shutil.rmtree, str(fissix.CACHE_DIR), True)
    except AttributeError:      # a fissix without that cache
        pass


def _refactoring_tool(encoding):
    global _tool
    _usable_fissix_cache()
    from fissix import refactor  # type: ignore

    if _tool is None:
        names = [n for n in refactor.get_fixers_from_package("fissix.fixes")
                 if n.rsplit(".", 1)[1] not in _EXCLUDED]
        _tool = refactor.RefactoringTool(names + list(_OWN_FIXERS),
                                         {"py2_encoding": "ascii"})
    # The fixers read their options at every tree; this one is per file.
    for fixer in _tool.pre_order + _tool.post_order:
        fixer.options["py2_encoding"] = encoding
    return _tool


_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def source_encoding(source):
    """The encoding Python 2 reads *source* (bytes) with: the coding cookie
    of line 1 or 2, else ASCII (Python 2's default; a UTF-8 BOM means
    UTF-8)."""
    if source.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    for line in source.split(b"\n", 2)[:2]:
        m = _COOKIE.match(line)
        if m:
            return m.group(1).decode("ascii")
        if line.strip() and not line.lstrip().startswith(b"#"):
            break
    return "ascii"


def _decode(source, filename):
    encoding = source_encoding(source)
    try:
        text = source.decode(encoding)
    except LookupError:
        raise Py2SyntaxError("encoding problem: %s" % encoding,
                             (filename, 1, None, None))
    except UnicodeDecodeError as e:
        lineno = source.count(b"\n", 0, e.start) + 1
        if encoding == "ascii":
            # Python 2's words for a non-ASCII byte without a declaration.
            msg = ("Non-ASCII character '\\x%02x' in file %s on line %d, but "
                   "no encoding declared; see "
                   "http://python.org/dev/peps/pep-0263/ for details"
                   % (source[e.start], filename, lineno))
        else:
            msg = "'%s' codec can't decode byte 0x%02x" % (encoding,
                                                          source[e.start])
        raise Py2SyntaxError(msg, (filename, lineno, None, None))
    if text.startswith("\ufeff"):
        text = text[1:]
    return encoding, text


def _line(text, lineno):
    lines = text.splitlines()
    return lines[lineno - 1] + "\n" if 0 < lineno <= len(lines) else None


def _expand_indent_tabs(text):
    """Python 2 reads an indentation tab as a move to the next multiple of 8
    columns; Python 3 refuses indentation mixing tabs and spaces.  Expand
    the tabs of indentation (not of lines inside multi-line strings)."""
    from fissix.pgen2 import tokenize as t2  # type: ignore

    inside = set()
    for tok in t2.generate_tokens(io.StringIO(text).readline):
        (srow, _), (erow, _) = tok[2], tok[3]
        if tok[0] == t2.STRING and erow > srow:
            inside.update(range(srow + 1, erow + 1))
    out = []
    for n, line in enumerate(text.splitlines(True), 1):
        body = line.lstrip(" \t")
        indent = line[:len(line) - len(body)]
        if "\t" in indent and n not in inside:
            line = indent.expandtabs(8) + body
        out.append(line)
    return "".join(out)


def translate(source, filename):
    """Translate Python 2 *source* (bytes) of *filename*; returns Python 3
    source text.  Raises Py2SyntaxError when the file is not Python 2."""
    from fissix.pgen2.parse import ParseError  # type: ignore
    from fissix.pgen2.tokenize import TokenError  # type: ignore

    encoding, text = _decode(source, filename)
    if text and not text.endswith("\n"):
        text += "\n"
    tool = _refactoring_tool(encoding)
    try:
        tree = tool.refactor_string(text, filename)
    except ParseError as e:
        lineno, col = e.context[1]
        raise Py2SyntaxError("invalid syntax",
                             (filename, lineno, col + 1, _line(text, lineno)))
    except (TokenError, IndentationError) as e:
        lineno, col = e.args[1] if isinstance(e, TokenError) else (e.lineno, 0)
        msg = e.args[0]
        if isinstance(e, TokenError) and "EOF" in msg:
            msg = "unexpected EOF while parsing"
        raise Py2SyntaxError(msg, (filename, lineno, col + 1,
                                   _line(text, lineno)))
    return str(tree)


def compile_translation(translated, original, filename):
    """Compile *translated* source; a failure names the original line."""
    try:
        return compile(translated, filename, "exec", dont_inherit=True)
    except TabError:
        return compile(_expand_indent_tabs(translated), filename, "exec",
                       dont_inherit=True)
    except SyntaxError as e:
        _, text = _decode(original, filename)
        line = _line(text, e.lineno or 0)
        construct = (line or "").strip()
        raise UntranslatableError(
            "Python 2 construct not supported by the translator (%s): %s"
            % (e.msg, construct),
            (filename, e.lineno, e.offset, line)) from None


# ---------------------------------------------------------------- cache

def _user_cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache")
    return os.path.join(base, "fastsock", "py2")


def cache_paths(filename, beside_ok):
    """Where the translation of *filename* may be cached, best first."""
    import importlib.util

    filename = os.path.abspath(filename)
    tag = sys.implementation.cache_tag or "py"
    name = os.path.splitext(os.path.basename(filename))[0]
    leaf = "%s.%s.fastsock-py2.py" % (name, tag)
    paths = []
    if beside_ok and not sys.dont_write_bytecode:
        try:
            pyc = importlib.util.cache_from_source(filename)
        except (NotImplementedError, ValueError):
            pyc = None
        if pyc:
            paths.append(os.path.join(os.path.dirname(pyc), leaf))
    elif getattr(sys, "pycache_prefix", None):
        # Under a prefix, the stdlib writes a mirror of the source tree
        # there, never beside the file: a main script may use it too.
        paths.append(os.path.join(sys.pycache_prefix,
                                  os.path.dirname(filename).lstrip(os.sep),
                                  leaf))
    digest = hashlib.sha256(os.fsencode(filename)).hexdigest()[:16]
    paths.append(os.path.join(_user_cache_dir(), "%s-%s" % (digest, leaf)))
    return paths


def _header(source):
    return "# fastsock-py2 %s %s\n" % (translator_version(),
                                      hashlib.sha256(source).hexdigest())


def _read_cache(path, header):
    try:
        with open(path, encoding="utf-8") as f:
            if f.readline() == header:
                return f.read()
    except (OSError, UnicodeDecodeError):
        pass
    return None


def _write_cache(path, header, translated):
    directory = os.path.dirname(path)
    tmp = "%s.%d.tmp" % (path, os.getpid())
    try:
        os.makedirs(directory, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(header)
            f.write(translated)
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False


# Counters for tests: translations done and cache hits in this process.
stats = {"translated": 0, "hits": 0}


def cached_translate(source, filename, beside_ok):
    """translate(), through the cache.  *beside_ok*: the file is a module
    that the stdlib would write bytecode for (not a main script)."""
    header = _header(source)
    paths = cache_paths(filename, beside_ok)
    for path in paths:
        translated = _read_cache(path, header)
        if translated is not None:
            stats["hits"] += 1
            return translated
    translated = translate(source, filename)
    stats["translated"] += 1
    for path in paths:
        if _write_cache(path, header, translated):
            break
    return translated


def load(filename, beside_ok=False, source=None):
    """Read, translate (cached) and compile the Python 2 file *filename*."""
    if source is None:
        with open(filename, "rb") as f:
            source = f.read()
    translated = cached_translate(source, filename, beside_ok)
    return compile_translation(translated, source, filename)


def looks_like_python2(source, filename):
    """For a file Python 3 refused: does it translate and compile as
    Python 2?  (Then ``run`` suggests --py2.)"""
    try:
        compile_translation(translate(source, filename), source, filename)
    except Exception:
        return False
    return True
