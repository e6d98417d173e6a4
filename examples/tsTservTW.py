#!/usr/bin/env python3
# Core Python Programming, ch. 16.5.1: the timestamp server on Twisted's
# reactor (seed 000).  Needs Twisted: pip install twisted.
# Python 3 rendering: see examples/README.md for every change and why.

from twisted.internet import protocol, reactor
from time import ctime
import sys              # added: for the optional port argument

PORT = 21567
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else PORT   # added: [PORT]

class TSServProtocol(protocol.Protocol):
    def connectionMade(self):
        clnt = self.clnt = self.transport.getPeer().host
        print('...connected from: ',clnt)
    def dataReceived(self,data):
        self.transport.write(('[%s] %s' %(ctime(), data.decode('utf-8'))).encode('utf-8'))

factory = protocol.Factory()
factory.protocol = TSServProtocol
print('waiting for connection...')
reactor.listenTCP(PORT, factory)
reactor.run()
