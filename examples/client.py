#!/usr/bin/env python3
# -*- coding:utf8 -*-
"""
client.py
"""
# Blog on sockets and select, the simple TCP client for server.py (seed 003).
# Python 3 rendering: see examples/README.md for every change and why.
import socket
import sys              # added: for the optional port argument

host = ('127.0.0.1', 33333)     # the blog: ('10.1.32.80', 33333), a LAN address
if len(sys.argv) > 1:           # added: [PORT]
    host = (host[0], int(sys.argv[1]))

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM) # 网络通信, TCP流
s.connect(host)
while True:
    msg = input("Please input message: ")
    try:
        s.sendall(msg.encode('utf-8'))
    except socket.error:
        print("i'm die, bye bye~")
        break
    data = s.recv(1024).decode('utf-8')
    print(data)
    if "good bye" in data:
        break
s.close()
