#!/usr/bin/env python3
# Core Python Programming, ch. 16.3.7: the UDP timestamp client (seed 000).
# Python 3 rendering: see examples/README.md for every change and why.

from socket import *
import sys              # added: for the optional port argument

HOST = '127.0.0.1'      # the book: '192.168.8.18' (a LAN address)
PORT = 21568
BUFSIZ = 1024
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else PORT   # added: [PORT]
ADDR = (HOST, PORT)

udpCliSock = socket(AF_INET,SOCK_DGRAM)

while True:
    data = input('> ')
    if not data:
        break
    udpCliSock.sendto(data.encode('utf-8'), ADDR)
    data, ADDR = udpCliSock.recvfrom(BUFSIZ)
    if not data:
        break
    print(data.decode('utf-8'))

udpCliSock.close()
