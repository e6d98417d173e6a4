"""Make the names ``socket``, ``socketserver`` and ``SocketServer`` import fastsock.

``patch()`` puts fastsock's modules into ``sys.modules`` under the stdlib
names, so that every ``import socket`` (or ``from socket import *``,
``import socketserver``, ``from SocketServer import ...``) executed *after*
the call gets fastsock.  This is what ``python -m fastsock run`` does before it
starts a script; programs can also call ``fastsock.patch()`` themselves, as
their first statement.

What is substituted, precisely:

* ``sys.modules['socket']``       -> the ``fastsock`` package
* ``sys.modules['socketserver']`` -> ``fastsock.socketserver``
* ``sys.modules['SocketServer']`` -> ``fastsock.SocketServer`` (the Python 2
  name, so the book's ``from SocketServer import ...`` works on Python 3)

What is not:

* Modules that were already imported when ``patch()`` ran keep the stdlib
  module they bound at their own import time (``import socket`` copies a
  reference; nothing can re-point it afterwards).  ``patch()`` cannot know
  who holds such a reference, so it leaves them alone.
* ``ssl`` is imported (with the stdlib ``socket``) before the substitution.
  The ``_ssl`` C module only accepts real ``_socket.socket`` objects, so
  ``SSLSocket`` must stay a stdlib socket class; ``wrap_socket()`` given a
  fastsock socket takes over its file descriptor, which works because both
  are plain OS sockets.
* The C module ``_socket`` is not replaced, and neither are ``select`` and
  ``selectors``: they accept any object with a ``fileno()`` method, which
  fastsock sockets have.
* Child processes started with a fresh interpreter (``subprocess``,
  ``multiprocessing`` with the "spawn" or "forkserver" method) start
  unpatched; forked children (``os.fork``, ``ForkingMixIn``) inherit it.
"""

import sys

__all__ = ["patch", "unpatch"]

# The stdlib names and the fastsock module that stands in for each.
_TARGETS = (
    ("socket", "fastsock"),
    ("socketserver", "fastsock.socketserver"),
    ("SocketServer", "fastsock.SocketServer"),
)

# Marker for "the name was not in sys.modules before patch()".
_ABSENT = object()

# What sys.modules held under each name before the first patch(); empty
# while unpatched.
_saved: "dict[str, object]" = {}


def _load(modname):
    """Import fastsock's module *modname* by its own name and return it."""
    __import__(modname)
    return sys.modules[modname]


def _replacement(name, modname):
    """Return the module standing in for *name*, or None if not available.

    fastsock.SocketServer is only an alias of fastsock.socketserver; if a
    build lacks the alias module the lower-case one serves both names.
    """
    try:
        return _load(modname)
    except ImportError:
        if name == "SocketServer":
            return _load("fastsock.socketserver")
        raise


def _preload_ssl():
    """Import ssl while ``socket`` still means the stdlib (see module doc)."""
    if "ssl" in sys.modules:
        return
    try:
        import ssl  # noqa: F401  (imported for its side effect on sys.modules)
    except ImportError:
        # A Python built without OpenSSL has no ssl module; nothing to keep.
        pass


def patch():
    """Make later imports of socket/socketserver/SocketServer return fastsock.

    Calling it again while patched does nothing.  Returns None.
    """
    if _saved:
        return
    # Resolve every replacement first: if one import fails, sys.modules is
    # left exactly as it was.
    modules = [(name, _replacement(name, modname)) for name, modname in _TARGETS]
    _preload_ssl()
    for name, module in modules:
        _saved[name] = sys.modules.get(name, _ABSENT)
        sys.modules[name] = module


def unpatch():
    """Undo patch(): the names go back to what they were before it.

    Modules imported while patched keep the fastsock modules they bound.
    Calling it while not patched does nothing.
    """
    for name, previous in _saved.items():
        if previous is _ABSENT:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = previous
    _saved.clear()


def is_patched():
    """True between patch() and unpatch()."""
    return bool(_saved)
