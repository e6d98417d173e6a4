#!/usr/bin/env python3
# Tutorial "TCP编程", the server (seed 002): greet every client with a
# UTF-8 welcome line and close.  Try it with: nc localhost 9999
# See examples/README.md for what changed and why.

# 导入 socket 模块
import socket
import sys              # added: for the optional port argument

# 创建 socket 对象
serversocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

# 获取本地主机名 -- the tutorial binds socket.gethostname(), which may name
# a LAN address; this copy stays on loopback.
host = 'localhost'

port = 9999
port = int(sys.argv[1]) if len(sys.argv) > 1 else port   # added: [PORT]

# 绑定端口号
serversocket.bind((host, port))

# 设置最大连接数,超过后排队
serversocket.listen(5)

while True:
    # 建立客户端连接
    clientsocket, addr = serversocket.accept()

    print("连接地址: %s" % str(addr))

    msg = '欢迎访问python教程!' + "\r\n"
    clientsocket.send(msg.encode('utf-8'))
    clientsocket.close()
