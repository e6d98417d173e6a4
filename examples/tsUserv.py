#!/usr/bin/env python3
# Core Python Programming, ch. 16.3.6/16.3.7: the UDP timestamp server
# (seed 000; its second listing, the one on port 21568 that the client uses).
# Python 3 rendering: see examples/README.md for every change and why.

from socket import *
from time import ctime
import sys              # added: for the optional port argument

HOST = ''
PORT = 21568
BUFSIZ = 1024
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else PORT   # added: [PORT]
ADDR = (HOST,PORT)

udpSerSock = socket(AF_INET, SOCK_DGRAM)
udpSerSock.bind(ADDR)

while True:
    print('waiting for message...')
    data, addr = udpSerSock.recvfrom(BUFSIZ)
    data = data.decode('utf-8')             # added: bytes on the wire in Python 3
    udpSerSock.sendto(('[%s] %s' %(ctime(), data)).encode('utf-8'),addr)
    print('...received from and returned to:', addr)
    print(data)

udpSerSock.close()
