#!/usr/bin/env python3
# Core Python Programming, ch. 16.3.4: the TCP timestamp client (seed 000).
# Python 3 rendering: see examples/README.md for every change and why.

from socket import *
import sys              # added: for the optional port argument

HOST = '127.0.0.1'      # the book: '192.168.8.18' (a LAN address)
PORT = 21567
BUFSIZ = 1024
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else PORT   # added: [PORT]
ADDR = (HOST, PORT)

tcpCliSock = socket(AF_INET, SOCK_STREAM)
tcpCliSock.connect(ADDR)

while True:
    data = input('>')
    if not data:
        break
    tcpCliSock.send(data.encode('utf-8'))
    data = tcpCliSock.recv(BUFSIZ)
    if not data:
        break
    print(data.decode('utf-8'))

tcpCliSock.close()
