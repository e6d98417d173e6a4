#!/usr/bin/env python
# Seed 000, Core Python Programming ch. 16.4.1: the SocketServer timestamp server (Python 2, as printed).
from SocketServer import (TCPServer as TCP,StreamRequestHandler as SRH)
from time import ctime

HOST = ''
PORT = 21567
ADDR = (HOST, PORT)

class MyRequestHandler(SRH):
    def handle(self):
        print "...connected from: ", self.client_address
        self.wfile.write('[%s] %s'% (ctime(), self.rfile.readline()))

tcpServ = TCP(ADDR, MyRequestHandler)
print 'waiting for connection...'
tcpServ.serve_forever()
