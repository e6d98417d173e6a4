#!/usr/bin/env python3
# Real Python socket tutorial (Chinese translation), echo-client.py (seed 004).

import socket
import sys              # added: for the optional port argument

HOST = '127.0.0.1'  # 服务器的主机名或者 IP 地址
PORT = 65432        # 服务器使用的端口
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else PORT   # added: [PORT]

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.connect((HOST, PORT))
    s.sendall(b'Hello, world')
    data = s.recv(1024)

print('Received', repr(data))
