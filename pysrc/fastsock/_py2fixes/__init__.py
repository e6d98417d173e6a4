"""fissix fixers of fastsock's Python 2 mode (``python -m fastsock run --py2``).

They run together with fissix's own fixers (see fastsock._py2translate) and
keep every statement on its original line, so that tracebacks, which read the
original file, point at the right source line.
"""
