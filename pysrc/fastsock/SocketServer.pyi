# fastsock.SocketServer is fastsock.socketserver itself (the Python 2
# name): the same names, from the same module.
from fastsock.socketserver import *
from fastsock.socketserver import __all__ as __all__
