#!/usr/bin/env python3
# Real Python socket tutorial (Chinese translation), echo-server.py (seed 004).
# Serves one client, echoing what it sends, then exits.

import socket
import sys              # added: for the optional port argument

HOST = '127.0.0.1'  # 标准的回环地址 (localhost)
PORT = 65432        # 监听的端口 (非系统级的端口:大于 1023)
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else PORT   # added: [PORT]

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.bind((HOST, PORT))
    s.listen()
    conn, addr = s.accept()
    with conn:
        print('Connected by', addr)
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(data)
