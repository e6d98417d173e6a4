#!/usr/bin/env python3
# Tutorial "TCP编程", the client (seed 002): fetch "/" over HTTP/1.1, print
# the response header and save the body to index.html.
# Usage: tcp_client.py [HOST [PORT]]  (default localhost 80); the tutorial
# fetches www.baidu.com, here it is pointed at http_standin.py.
# See examples/README.md for what changed and why.

# 导入socket库:
import socket
import sys              # added: the server comes from the arguments

host = sys.argv[1] if len(sys.argv) > 1 else 'localhost'    # the tutorial: 'www.baidu.com'
port = int(sys.argv[2]) if len(sys.argv) > 2 else 80

# 创建一个socket:
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# 建立连接:
s.connect((host, port))
# 发送数据:
s.send(b'GET / HTTP/1.1\r\nHost: ' + host.encode('ascii') + b'\r\nConnection: close\r\n\r\n')
# 接收数据:
buffer = []
while True:
    # 每次最多接收1k字节:
    d = s.recv(1024)
    if d:
        buffer.append(d)
    else:
        break
data = b''.join(buffer)
# 关闭连接:
s.close()
header, html = data.split(b'\r\n\r\n', 1)
print(header.decode('utf-8'))
# 把接收的数据写入文件:
with open('index.html', 'wb') as f:
    f.write(html)
