#!/usr/bin/env python3
# Foundations of Python Network Programming (J. Goerzen), ch. 1: a Gopher
# client (seed 001).  Usage: gopherclient.py HOST SELECTOR [PORT]
# e.g. gopherclient.py 127.0.0.1 / 7070 against gopher_standin.py.
# Python 3 rendering: see examples/README.md for every change and why.
import socket,sys
port =70
host=sys.argv[1]
filename=sys.argv[2]
if len(sys.argv) > 3:   # added: optional port (the local stand-in server's)
    port = int(sys.argv[3])
s=socket.socket(socket.AF_INET,socket.SOCK_STREAM)
s.connect((host,port))
s.sendall((filename+"\r\n").encode('utf-8'))
while 1:
    buf=s.recv(2048)
    if not len(buf):
        break
    sys.stdout.buffer.write(buf)    # the book: sys.stdout.write(buf)
