#!/usr/bin/env python3
# Core Python Programming, ch. 16.4.2: the timestamp client for tsTservSS.py,
# one connection per line (seed 000).
# Python 3 rendering: see examples/README.md for every change and why.

from socket import *
import sys              # added: for the optional port argument

HOST = 'localhost'
PORT = 21567
BUFSIZ = 1024
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else PORT   # added: [PORT]
ADDR = (HOST, PORT)

while True:
    tcpCliSock = socket(AF_INET, SOCK_STREAM)
    tcpCliSock.connect(ADDR)
    data = input('> ')
    if not data:
        break
    tcpCliSock.send(('%s\r\n' % data).encode('utf-8'))
    data = tcpCliSock.recv(BUFSIZ)
    if not data:
        break
    print(data.decode('utf-8').strip())
    tcpCliSock.close()
