"""fastsock.SocketServer: the Python 2 name of fastsock.socketserver.

Importing it gives the very same module object, so every class is
identical under both names (``fastsock.SocketServer is
fastsock.socketserver``).
"""
import sys

from . import socketserver as _socketserver

sys.modules[__name__] = _socketserver
