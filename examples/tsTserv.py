#!/usr/bin/env python3
#coding: UTF-8
# Core Python Programming, ch. 16.3.3: the TCP timestamp server (seed 000).
# Python 3 rendering: see examples/README.md for every change and why.

from socket import *
from time import ctime
import sys              # added: for the optional port argument

HOST = ''               #绑定IP
PORT = 21567            #端口号
BUFSIZ = 1024           #缓冲1K
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else PORT   # added: [PORT]
ADDR = (HOST,PORT)

tcpSerSock = socket(AF_INET, SOCK_STREAM)
tcpSerSock.bind(ADDR)   #套接字
tcpSerSock.listen(5)    #最大连接数

while True:
    print('waiting for connection...')
    tcpCliSock,addr = tcpSerSock.accept()
    print('...connected from: ', addr)

    while True:
        data = tcpCliSock.recv(BUFSIZ)
        if not data:
            break
        data = data.decode('utf-8')     # added: bytes on the wire in Python 3
        tcpCliSock.send(('[%s] %s'%(ctime(),data)).encode('utf-8'))
        print([ctime()],':',data)

    tcpCliSock.close()
tcpSerSock.close()
