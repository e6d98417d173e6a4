#!/bin/env python
# -*- coding:utf8 -*-
# Seed 003, blog on socket and select, part 3 (socket tcp example, c/s): the simple server (Python 2, as printed).
"""
server.py
"""
import socket
host = ('127.0.0.1', 33333)     # the blog: ('10.1.32.80', 33333), a LAN address
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM) # 网络通信, TCP流
s.bind(host)
s.listen(5) # listen 5 client
print "i'm waiting for connection..."
while True:
    conn, addr = s.accept() # connection and ip address
    print 'connected by', addr
    while True:
        data = conn.recv(1024)
        print "receive from %s:%s" % (addr, data)
        conn.sendall("server receive your messages, good bye.")
        conn.close()
        break
# s.close()
