#!/usr/bin/env python3
# Core Python Programming, ch. 16.5.2: the timestamp client on Twisted's
# reactor (seed 000).  Needs Twisted: pip install twisted.
# Python 3 rendering: see examples/README.md for every change and why.

from twisted.internet import protocol, reactor
import sys              # added: for the optional port argument

HOST = 'localhost'
PORT = 21567
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else PORT   # added: [PORT]

class TSClntProtocol(protocol.Protocol):
    def sendData(self):
        data = input("> ")
        if data:
            print('...sending %s...' % data)
            self.transport.write(data.encode('utf-8'))
        else:
            self.transport.loseConnection()

    def connectionMade(self):
        self.sendData()

    def dataReceived(self, data):
        print(data.decode('utf-8'))
        self.sendData()

class TSClntFactory(protocol.ClientFactory):
    protocol = TSClntProtocol
    clientConnectionLost = clientConnectionFailed = \
    lambda self, connector, reason: reactor.stop()

reactor.connectTCP(HOST, PORT, TSClntFactory())
reactor.run()
