#!/usr/bin/env python3
# -*- coding:utf8 -*-
"""
server.py
"""
# Blog on sockets and select, the simple TCP server on port 33333 (seed 003).
# Python 3 rendering: see examples/README.md for every change and why.
import socket
import sys              # added: for the optional port argument

host = ('127.0.0.1', 33333)     # the blog: ('10.1.32.80', 33333), a LAN address
if len(sys.argv) > 1:           # added: [PORT]
    host = (host[0], int(sys.argv[1]))

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM) # 网络通信, TCP流
s.bind(host)
s.listen(5) # listen 5 client
print("i'm waiting for connection...")
while True:
    conn, addr = s.accept() # connection and ip address
    print('connected by', addr)
    while True:
        data = conn.recv(1024)
        print("receive from %s:%s" % (addr, data.decode('utf-8')))
        conn.sendall("server receive your messages, good bye.".encode('utf-8'))
        conn.close()
        break
# s.close()
