#!/usr/bin/env python3
# Core Python Programming, ch. 16.4.1: the timestamp server on SocketServer's
# TCPServer and StreamRequestHandler (seed 000).
# Python 3 rendering: see examples/README.md for every change and why.

try:
    from SocketServer import (TCPServer as TCP,StreamRequestHandler as SRH)
except ImportError:     # added: Python 3 calls it socketserver; the Python 2
                        # name exists under "python -m fastsock run"
    from socketserver import (TCPServer as TCP,StreamRequestHandler as SRH)
from time import ctime
import sys              # added: for the optional port argument

HOST = ''
PORT = 21567
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else PORT   # added: [PORT]
ADDR = (HOST, PORT)

class MyRequestHandler(SRH):
    def handle(self):
        print("...connected from: ", self.client_address)
        self.wfile.write(('[%s] %s'% (ctime(), self.rfile.readline().decode('utf-8'))).encode('utf-8'))

tcpServ = TCP(ADDR, MyRequestHandler)
print('waiting for connection...')
tcpServ.serve_forever()
