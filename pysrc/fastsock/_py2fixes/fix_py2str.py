"""Byte-string literals keep Python 2's value: one character per byte.

In Python 2 a literal without the ``u`` prefix is a byte string: the bytes of
its text in the file's encoding, after Python 2's escape rules (which know no
``\\u``, ``\\U`` or ``\\N``).  fastsock's Python 2 mode represents such byte
strings as native ``str`` holding one character per byte (ASCII as itself,
bytes 0x80-0xFF as U+DC80-U+DCFF), the representation its sockets, socket
files and standard streams use (see fastsock._py2).  A literal whose Python 3 reading would differ (non-ASCII text,
a ``b`` prefix, or one of those escapes) is replaced by a literal of that
one-char-per-byte string.  ``unichr`` stays ``unichr`` (text; the
runtime provides it) while ``chr`` makes a byte, as in Python 2.  ``u'...'`` literals stay text (fissix's
fix_unicode drops their prefix), and so does every literal of a module that
imports ``unicode_literals`` from ``__future__``.
"""
import codecs
import re
import warnings

from fissix.fixes.fix_unicode import FixUnicode  # type: ignore
from fissix.pgen2 import token  # type: ignore

_PREFIX = re.compile(r"^([A-Za-z]*)")
_PY3_ONLY_ESCAPE = re.compile(r"\\(\\|[uUN])")


def py2_bytes_literal(text, encoding):
    """The bytes Python 2 makes of the literal *text* (a str literal token
    without the ``u`` prefix) in a file of *encoding*, as a Latin-1 str."""
    prefix = _PREFIX.match(text).group(1)
    body = text[len(prefix):]
    quote = body[:3] if body[:3] in ('"""', "'''") else body[0]
    body = body[len(quote):-len(quote)]
    raw = body.encode(encoding)
    if "r" not in prefix.lower():
        with warnings.catch_warnings():
            # Python 2's unknown escapes (\u...) stay as they are, which
            # is what this decoder does, with a warning on 3.12+.
            warnings.simplefilter("ignore", DeprecationWarning)
            raw = codecs.escape_decode(raw)[0]
    return raw.decode("ascii", "surrogateescape")


def _differs(text, prefix):
    if "b" in prefix.lower() or not text.isascii():
        return True
    if "r" in prefix.lower():
        return False
    # An escape Python 3 knows and Python 2 does not (a doubled backslash
    # is skipped so that "\\u" is not taken for one).
    return any(m.group(1) != "\\" for m in _PY3_ONLY_ESCAPE.finditer(text))


class FixPy2Str(FixUnicode):
    """fissix's fix_unicode (which it replaces: the two must see each
    literal in this order), plus the byte-string literals."""

    def start_tree(self, tree, filename):
        super().start_tree(tree, filename)
        self.text_literals = "unicode_literals" in tree.future_features

    def transform(self, node, results):
        text = node.value
        prefix = _PREFIX.match(text).group(1)
        if node.type == token.NAME and node.value == "unichr":
            return None
        if (node.type != token.STRING or self.text_literals
                or "u" in prefix.lower()):
            return super().transform(node, results)
        if not _differs(text, prefix):
            return None
        encoding = self.options.get("py2_encoding") or "ascii"
        value = py2_bytes_literal(text, encoding)
        node.value = repr(value)
        node.changed()
        return None
