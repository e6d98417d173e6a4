"""``print`` statements call the runtime's Python 2 print.

fissix's fix_print (which this replaces) writes ``print(a, b, end=' ')``
for ``print a, b,``; Python 3's print then always puts a space between the
items and one at the end.  Python 2 kept a "softspace" flag on the file
instead: no space after an item ending in a newline (or another whitespace
but ' '), and the pending space of a trailing comma written only before the
next item (or raw_input's prompt), never before the newline of a bare
``print``.  The translated statement calls ``_fastsock_py2_print``, which
does that (see fastsock._py2); print() calls of modules that import
print_function stay Python 3's.
"""
from fissix.fixer_util import Call, Name  # type: ignore
from fissix.fixes.fix_print import FixPrint  # type: ignore

PRINT = "_fastsock_py2_print"


class FixPy2Print(FixPrint):
    def transform(self, node, results):
        bare = results.get("bare")
        if bare:
            bare.replace(Call(Name(PRINT), [], prefix=bare.prefix))
            return None
        new = super().transform(node, results)
        if new is not None:
            new.children[0].value = PRINT
        return new
