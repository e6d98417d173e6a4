#!/usr/bin/env python3
# Foundations of Python Network Programming (J. Goerzen), ch. 1: the basic
# server on port 51423 that counts the characters of a line (seed 001).
# Try it with: nc 127.0.0.1 51423
# Python 3 rendering: see examples/README.md for every change and why.
import socket
import sys              # added: for the optional port argument
host=''
port=51423
port = int(sys.argv[1]) if len(sys.argv) > 1 else port   # added: [PORT]
s=socket.socket(socket.AF_INET,socket.SOCK_STREAM,0)
s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
s.bind((host,port))
s.listen(1)
print("Server is running on port %d;press Ctrl-C to terminate." %port)
while 1:
    clientsock,clientaddr=s.accept()
    clientfile=clientsock.makefile('rw')    # the book: makefile('rw',0), see README
    clientfile.write("welcome,"+str(clientaddr)+'\n')
    clientfile.write("Please enter a string:")
    clientfile.flush()                      # added: Python 3 text files are buffered
    line=clientfile.readline().strip()
    clientfile.write("You entered %d characters.\n" %len(line))
    clientfile.close()
    clientsock.close()
