#!/usr/bin/env python
# Seed 000, Core Python Programming ch. 16.3.7: the UDP timestamp server, second listing (Python 2, as printed).
from socket import *
from time import ctime

HOST = ''
PORT = 21568
BUFSIZ = 1024
ADDR = (HOST,PORT)

udpSerSock = socket(AF_INET, SOCK_DGRAM)
udpSerSock.bind(ADDR)

while True:
    print 'waiting for message...'
    data, addr = udpSerSock.recvfrom(BUFSIZ)
    udpSerSock.sendto('[%s] %s' %(ctime(), data),addr)
    print '...received from and returned to:', addr
    print data

udpSerSock.close()
