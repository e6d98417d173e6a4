#!/usr/bin/env python
# Seed 000, Core Python Programming ch. 16.3.4: the TCP timestamp client (Python 2, as printed).
from socket import *

HOST = '127.0.0.1'      # the book: '192.168.8.18' (a LAN address)
PORT = 21567
BUFSIZ = 1024
ADDR = (HOST, PORT)

tcpCliSock = socket(AF_INET, SOCK_STREAM)
tcpCliSock.connect(ADDR)

while True:
    data = raw_input('>')
    if not data:
        break
    tcpCliSock.send(data)
    data = tcpCliSock.recv(BUFSIZ)
    if not data:
        break
    print data

tcpCliSock.close()
