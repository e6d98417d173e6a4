#!/usr/bin/env python
# Seed 000, Core Python Programming ch. 16.3.7: the UDP timestamp client (Python 2, as printed).
from socket import *

HOST = '127.0.0.1'      # the book: '192.168.8.18' (a LAN address)
PORT = 21568
BUFSIZ = 1024
ADDR = (HOST, PORT)

udpCliSock = socket(AF_INET,SOCK_DGRAM)

while True:
    data = raw_input('> ')
    if not data:
        break
    udpCliSock.sendto(data, ADDR)
    data, ADDR = udpCliSock.recvfrom(BUFSIZ)
    if not data:
        break
    print data

udpCliSock.close()
