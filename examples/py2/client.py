#!/bin/env python
# -*- coding:utf8 -*-
# Seed 003, blog on socket and select, part 3 (socket tcp example, c/s): the simple client (Python 2, as printed).
import socket
"""
client.py
"""
host = ('127.0.0.1', 33333)     # the blog: ('10.1.32.80', 33333), a LAN address
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM) # 网络通信, TCP流
s.connect(host)
while True:
    msg = raw_input("Please input message: ")
    try:
        s.sendall(msg)
    except socket.error:
        print "i'm die, bye bye~"
        break
    data = s.recv(1024)
    print data
    if "good bye" in data:
        break
s.close()
