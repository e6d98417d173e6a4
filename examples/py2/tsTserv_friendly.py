#!/usr/bin/env python
#coding: UTF-8
# Seed 000, Core Python Programming ch. 16.3.5 (core tip): the server's "friendly exit" (Python 2, as printed).
from socket import *
from time import ctime

HOST = ''               #绑定IP
PORT = 21567            #端口号
BUFSIZ = 1024           #缓冲1K
ADDR = (HOST,PORT)

tcpSerSock = socket(AF_INET, SOCK_STREAM)
tcpSerSock.bind(ADDR)   #套接字
tcpSerSock.listen(5)    #最大连接数

try:
    while True:
        print 'waiting for connection...'
        tcpCliSock,addr = tcpSerSock.accept()
        print '...connected from: ', addr

        while True:
            data = tcpCliSock.recv(BUFSIZ)
            if not data:
                break
            tcpCliSock.send('[%s] %s'%(ctime(),data))
            print [ctime()],':',data
except EOFError,KeyboardInterrupt:
    tcpCliSock.close()
    tcpSerSock.close()
