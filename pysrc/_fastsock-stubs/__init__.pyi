"""Type stubs for _fastsock, the C core of fastsock."""
import sys
from collections.abc import Callable, Iterable
from typing import Any, SupportsIndex, overload

from _io import _BufferedIOBase
from _typeshed import ReadableBuffer, WriteableBuffer
from typing_extensions import disjoint_base, final

# Addresses: (host, port) / (host, port, flowinfo, scope_id) tuples, str
# or bytes paths for AF_UNIX, and other families' tuples.
_Address = tuple[Any, ...] | str | ReadableBuffer
_RetAddress = Any
_CMSG = tuple[int, int, bytes]
_CMSGArg = tuple[int, int, ReadableBuffer]

has_ipv6: bool

error = OSError

class herror(OSError): ...
class gaierror(OSError): ...

if sys.version_info >= (3, 10):
    timeout = TimeoutError
else:
    class timeout(OSError): ...

@disjoint_base
class socket:
    """A socket whose every operation is done in C."""

    @property
    def family(self) -> int: ...
    @property
    def type(self) -> int: ...
    @property
    def proto(self) -> int: ...
    @property
    def timeout(self) -> float | None: ...
    _io_refs: int
    _closed: bool
    def __init__(self, family: int = ..., type: int = ..., proto: int = ...,
                 fileno: SupportsIndex | None = ...) -> None: ...
    def accept(self) -> tuple[socket, _RetAddress]: ...
    def _accept(self) -> tuple[int, _RetAddress]: ...
    def bind(self, address: _Address, /) -> None: ...
    def close(self) -> None: ...
    def _real_close(self) -> None: ...
    def connect(self, address: _Address, /) -> None: ...
    def connect_ex(self, address: _Address, /) -> int: ...
    def detach(self) -> int: ...
    def dup(self) -> socket: ...
    def fileno(self) -> int: ...
    def get_inheritable(self) -> bool: ...
    def set_inheritable(self, inheritable: int, /) -> None: ...
    def getblocking(self) -> bool: ...
    def setblocking(self, flag: bool, /) -> None: ...
    def gettimeout(self) -> float | None: ...
    def settimeout(self, value: float | None, /) -> None: ...
    def getpeername(self) -> _RetAddress: ...
    def getsockname(self) -> _RetAddress: ...
    @overload
    def getsockopt(self, level: int, optname: int, /) -> int: ...
    @overload
    def getsockopt(self, level: int, optname: int, buflen: int, /) -> bytes: ...
    @overload
    def setsockopt(self, level: int, optname: int,
                   value: int | ReadableBuffer, /) -> None: ...
    @overload
    def setsockopt(self, level: int, optname: int, value: None,
                   optlen: int, /) -> None: ...
    def listen(self, backlog: int = ..., /) -> None: ...
    def recv(self, bufsize: int, flags: int = ..., /) -> bytes: ...
    def recv_into(self, buffer: WriteableBuffer, nbytes: int = ...,
                  flags: int = ...) -> int: ...
    def recvfrom(self, bufsize: int, flags: int = ...,
                 /) -> tuple[bytes, _RetAddress]: ...
    def recvfrom_into(self, buffer: WriteableBuffer, nbytes: int = ...,
                      flags: int = ...) -> tuple[int, _RetAddress]: ...
    def recvmsg(self, bufsize: int, ancbufsize: int = ..., flags: int = ...,
                /) -> tuple[bytes, list[_CMSG], int, Any]: ...
    def recvmsg_into(self, buffers: Iterable[WriteableBuffer],
                     ancbufsize: int = ..., flags: int = ...,
                     /) -> tuple[int, list[_CMSG], int, Any]: ...
    def send(self, data: ReadableBuffer, flags: int = ..., /) -> int: ...
    def sendall(self, data: ReadableBuffer, flags: int = ..., /) -> None: ...
    @overload
    def sendto(self, data: ReadableBuffer, address: _Address, /) -> int: ...
    @overload
    def sendto(self, data: ReadableBuffer, flags: int, address: _Address,
               /) -> int: ...
    def sendmsg(self, buffers: Iterable[ReadableBuffer],
                ancdata: Iterable[_CMSGArg] = ..., flags: int = ...,
                address: _Address | None = ..., /) -> int: ...
    def shutdown(self, how: int, /) -> None: ...

SocketType = socket

@final
class SocketFile:
    """The buffered socket file behind makefile() (binary modes)."""

    def __new__(cls, sock: socket, mode: str = ...,
                buffer_size: int = ...) -> SocketFile: ...
    @property
    def closed(self) -> bool: ...
    @property
    def mode(self) -> str: ...
    @property
    def name(self) -> int: ...
    @property
    def raw(self) -> Any: ...
    def close(self) -> None: ...
    def detach(self) -> Any: ...
    def fileno(self) -> int: ...
    def flush(self) -> None: ...
    def isatty(self) -> bool: ...
    def peek(self, size: int = ..., /) -> bytes: ...
    def read(self, size: int | None = ..., /) -> bytes: ...
    def read1(self, size: int = ..., /) -> bytes: ...
    def readable(self) -> bool: ...
    def readinto(self, buffer: WriteableBuffer, /) -> int: ...
    def readinto1(self, buffer: WriteableBuffer, /) -> int: ...
    def readline(self, size: int | None = ..., /) -> bytes: ...
    def readlines(self, hint: int | None = ..., /) -> list[bytes]: ...
    def seek(self, *args: Any) -> int: ...
    def seekable(self) -> bool: ...
    def tell(self) -> int: ...
    def truncate(self, *args: Any) -> int: ...
    def writable(self) -> bool: ...
    def write(self, data: ReadableBuffer, /) -> int: ...
    def writelines(self, lines: Iterable[ReadableBuffer], /) -> None: ...
    def __iter__(self) -> SocketFile: ...
    def __next__(self) -> bytes: ...
    def __enter__(self) -> SocketFile: ...
    def __exit__(self, *args: object) -> None: ...

@final
class SocketTextFile:
    """The text socket file behind makefile() (text modes): lines are cut
    and decoded in C, the rest is done by the io.TextIOWrapper behind it."""

    def __new__(cls, binary_file: SocketFile, wrapper: Any,
                newline: str | None, /) -> SocketTextFile: ...
    @property
    def newlines(self) -> str | tuple[str, ...] | None: ...
    def detach(self) -> Any: ...
    def flush(self) -> None: ...
    def read(self, size: int | None = ..., /) -> str: ...
    def readline(self, size: int = ..., /) -> str: ...
    def readlines(self, hint: int | None = ..., /) -> list[str]: ...
    def reconfigure(self, **kwargs: Any) -> None: ...
    def write(self, text: str, /) -> int: ...
    def __iter__(self) -> SocketTextFile: ...
    def __next__(self) -> str: ...
    def __enter__(self) -> SocketTextFile: ...
    def __exit__(self, *args: object) -> None: ...

@disjoint_base
class SocketWriter(_BufferedIOBase):
    """The write-through file of StreamRequestHandler (wbufsize 0): the C
    base of fastsock.socketserver._SocketWriter."""

    _sock: Any
    def __init__(self, sock: Any) -> None: ...
    def fileno(self) -> int: ...
    def writable(self) -> bool: ...
    def write(self, b: ReadableBuffer) -> int: ...

@final
class ServerCore:
    """The serving loop of fastsock.socketserver (internal)."""

    def fork(self, server: Any, request: Any, /) -> int: ...
    def handle_noblock(self, server: Any, plan: Any, /) -> None: ...
    def handle_request(self, server: Any, timeout: float | None, plan: Any,
                       /) -> None: ...
    def pool_config(self, max_threads: int, wait_for_request: bool, /) -> None: ...
    def pool_unpark(self, server: Any, /) -> None: ...
    def pool_stats(self) -> tuple[int, int, int]: ...
    def pool_stop(self) -> None: ...
    def pool_submit(self, server: Any, request: Any, address: Any, plan: Any,
                    /) -> None: ...
    def pool_worker(self, server: Any, /) -> None: ...
    def process_request_thread(self, server: Any, request: Any, address: Any,
                               plan: Any, /) -> None: ...
    def release(self) -> None: ...
    def serve_forever(self, server: Any, poll_interval: float, plan: Any,
                      /) -> None: ...
    def shutdown(self) -> None: ...
    def unwatch(self, fd: int, /) -> None: ...
    def watch(self, fd: int, /) -> bool: ...

def close(fd: SupportsIndex, /) -> None: ...
def dup(fd: SupportsIndex, /) -> int: ...
def getdefaulttimeout() -> float | None: ...
def setdefaulttimeout(timeout: float | None, /) -> None: ...
def htonl(x: int, /) -> int: ...
def htons(x: int, /) -> int: ...
def ntohl(x: int, /) -> int: ...
def ntohs(x: int, /) -> int: ...
def _socketpair(cls: type[socket], family: int, type: int,
                proto: int, /) -> tuple[Any, Any]: ...
def gethostname() -> str: ...
def sethostname(name: str | bytes, /) -> None: ...
def gethostbyname(hostname: str, /) -> str: ...
def gethostbyname_ex(hostname: str,
                     /) -> tuple[str, list[str], list[str]]: ...
def gethostbyaddr(ip_address: str,
                  /) -> tuple[str, list[str], list[str]]: ...
def getaddrinfo(host: bytes | str | None, port: bytes | str | int | None,
                family: int = ..., type: int = ..., proto: int = ...,
                flags: int = ...) -> list[tuple[int, int, int, str, Any]]: ...
def _getaddrinfo(*args: Any) -> Any: ...
def getnameinfo(sockaddr: tuple[Any, ...], flags: int,
                /) -> tuple[str, str]: ...
def getprotobyname(protocolname: str, /) -> int: ...
def getservbyname(servicename: str, protocolname: str = ..., /) -> int: ...
def getservbyport(port: int, protocolname: str = ..., /) -> str: ...
def if_nameindex() -> list[tuple[int, str]]: ...
def if_nametoindex(oname: str, /) -> int: ...
def if_indextoname(index: int, /) -> str: ...
def inet_aton(ip_addr: str, /) -> bytes: ...
def inet_ntoa(packed_ip: ReadableBuffer, /) -> str: ...
def inet_pton(address_family: int, ip_string: str, /) -> bytes: ...
def inet_ntop(address_family: int, packed_ip: ReadableBuffer, /) -> str: ...
def CMSG_LEN(length: int, /) -> int: ...
def CMSG_SPACE(length: int, /) -> int: ...
def _server_plan_bits() -> dict[str, int]: ...

# Constants (those of this platform; the stdlib's names and values).
AF_ALG: int
AF_APPLETALK: int
AF_ASH: int
AF_ATMPVC: int
AF_ATMSVC: int
AF_AX25: int
AF_BRIDGE: int
AF_CAN: int
AF_ECONET: int
AF_INET: int
AF_INET6: int
AF_IPX: int
AF_IRDA: int
AF_KEY: int
AF_LLC: int
AF_NETBEUI: int
AF_NETLINK: int
AF_NETROM: int
AF_PACKET: int
AF_PPPOX: int
AF_QIPCRTR: int
AF_RDS: int
AF_ROSE: int
AF_ROUTE: int
AF_SECURITY: int
AF_SNA: int
AF_TIPC: int
AF_UNIX: int
AF_UNSPEC: int
AF_VSOCK: int
AF_WANPIPE: int
AF_X25: int
AI_ADDRCONFIG: int
AI_ALL: int
AI_CANONNAME: int
AI_NUMERICHOST: int
AI_NUMERICSERV: int
AI_PASSIVE: int
AI_V4MAPPED: int
ALG_OP_DECRYPT: int
ALG_OP_ENCRYPT: int
ALG_OP_SIGN: int
ALG_OP_VERIFY: int
ALG_SET_AEAD_ASSOCLEN: int
ALG_SET_AEAD_AUTHSIZE: int
ALG_SET_IV: int
ALG_SET_KEY: int
ALG_SET_OP: int
ALG_SET_PUBKEY: int
CAN_BCM: int
CAN_BCM_CAN_FD_FRAME: int
CAN_BCM_RX_ANNOUNCE_RESUME: int
CAN_BCM_RX_CHANGED: int
CAN_BCM_RX_CHECK_DLC: int
CAN_BCM_RX_DELETE: int
CAN_BCM_RX_FILTER_ID: int
CAN_BCM_RX_NO_AUTOTIMER: int
CAN_BCM_RX_READ: int
CAN_BCM_RX_RTR_FRAME: int
CAN_BCM_RX_SETUP: int
CAN_BCM_RX_STATUS: int
CAN_BCM_RX_TIMEOUT: int
CAN_BCM_SETTIMER: int
CAN_BCM_STARTTIMER: int
CAN_BCM_TX_ANNOUNCE: int
CAN_BCM_TX_COUNTEVT: int
CAN_BCM_TX_CP_CAN_ID: int
CAN_BCM_TX_DELETE: int
CAN_BCM_TX_EXPIRED: int
CAN_BCM_TX_READ: int
CAN_BCM_TX_RESET_MULTI_IDX: int
CAN_BCM_TX_SEND: int
CAN_BCM_TX_SETUP: int
CAN_BCM_TX_STATUS: int
CAN_EFF_FLAG: int
CAN_EFF_MASK: int
CAN_ERR_FLAG: int
CAN_ERR_MASK: int
CAN_ISOTP: int
CAN_J1939: int
CAN_RAW: int
CAN_RAW_ERR_FILTER: int
CAN_RAW_FD_FRAMES: int
CAN_RAW_FILTER: int
CAN_RAW_JOIN_FILTERS: int
CAN_RAW_LOOPBACK: int
CAN_RAW_RECV_OWN_MSGS: int
CAN_RTR_FLAG: int
CAN_SFF_MASK: int
EAI_ADDRFAMILY: int
EAI_AGAIN: int
EAI_BADFLAGS: int
EAI_FAIL: int
EAI_FAMILY: int
EAI_MEMORY: int
EAI_NODATA: int
EAI_NONAME: int
EAI_OVERFLOW: int
EAI_SERVICE: int
EAI_SOCKTYPE: int
EAI_SYSTEM: int
ETHERTYPE_ARP: int
ETHERTYPE_IP: int
ETHERTYPE_IPV6: int
ETHERTYPE_VLAN: int
ETH_P_ALL: int
INADDR_ALLHOSTS_GROUP: int
INADDR_ANY: int
INADDR_BROADCAST: int
INADDR_LOOPBACK: int
INADDR_MAX_LOCAL_GROUP: int
INADDR_NONE: int
INADDR_UNSPEC_GROUP: int
IOCTL_VM_SOCKETS_GET_LOCAL_CID: int
IPPORT_RESERVED: int
IPPORT_USERRESERVED: int
IPPROTO_AH: int
IPPROTO_DSTOPTS: int
IPPROTO_EGP: int
IPPROTO_ESP: int
IPPROTO_FRAGMENT: int
IPPROTO_GRE: int
IPPROTO_HOPOPTS: int
IPPROTO_ICMP: int
IPPROTO_ICMPV6: int
IPPROTO_IDP: int
IPPROTO_IGMP: int
IPPROTO_IP: int
IPPROTO_IPIP: int
IPPROTO_IPV6: int
IPPROTO_MPTCP: int
IPPROTO_NONE: int
IPPROTO_PIM: int
IPPROTO_PUP: int
IPPROTO_RAW: int
IPPROTO_ROUTING: int
IPPROTO_RSVP: int
IPPROTO_SCTP: int
IPPROTO_TCP: int
IPPROTO_TP: int
IPPROTO_UDP: int
IPPROTO_UDPLITE: int
IPV6_CHECKSUM: int
IPV6_DONTFRAG: int
IPV6_DSTOPTS: int
IPV6_HOPLIMIT: int
IPV6_HOPOPTS: int
IPV6_JOIN_GROUP: int
IPV6_LEAVE_GROUP: int
IPV6_MULTICAST_HOPS: int
IPV6_MULTICAST_IF: int
IPV6_MULTICAST_LOOP: int
IPV6_NEXTHOP: int
IPV6_PATHMTU: int
IPV6_PKTINFO: int
IPV6_RECVDSTOPTS: int
IPV6_RECVHOPLIMIT: int
IPV6_RECVHOPOPTS: int
IPV6_RECVPATHMTU: int
IPV6_RECVPKTINFO: int
IPV6_RECVRTHDR: int
IPV6_RECVTCLASS: int
IPV6_RTHDR: int
IPV6_RTHDRDSTOPTS: int
IPV6_RTHDR_TYPE_0: int
IPV6_TCLASS: int
IPV6_UNICAST_HOPS: int
IPV6_V6ONLY: int
IP_ADD_MEMBERSHIP: int
IP_ADD_SOURCE_MEMBERSHIP: int
IP_BIND_ADDRESS_NO_PORT: int
IP_BLOCK_SOURCE: int
IP_DEFAULT_MULTICAST_LOOP: int
IP_DEFAULT_MULTICAST_TTL: int
IP_DROP_MEMBERSHIP: int
IP_DROP_SOURCE_MEMBERSHIP: int
IP_HDRINCL: int
IP_MAX_MEMBERSHIPS: int
IP_MULTICAST_IF: int
IP_MULTICAST_LOOP: int
IP_MULTICAST_TTL: int
IP_OPTIONS: int
IP_PKTINFO: int
IP_RECVOPTS: int
IP_RECVRETOPTS: int
IP_RECVTOS: int
IP_RETOPTS: int
IP_TOS: int
IP_TRANSPARENT: int
IP_TTL: int
IP_UNBLOCK_SOURCE: int
J1939_EE_INFO_NONE: int
J1939_EE_INFO_TX_ABORT: int
J1939_FILTER_MAX: int
J1939_IDLE_ADDR: int
J1939_MAX_UNICAST_ADDR: int
J1939_NLA_BYTES_ACKED: int
J1939_NLA_PAD: int
J1939_NO_ADDR: int
J1939_NO_NAME: int
J1939_NO_PGN: int
J1939_PGN_ADDRESS_CLAIMED: int
J1939_PGN_ADDRESS_COMMANDED: int
J1939_PGN_MAX: int
J1939_PGN_PDU1_MAX: int
J1939_PGN_REQUEST: int
MSG_CMSG_CLOEXEC: int
MSG_CONFIRM: int
MSG_CTRUNC: int
MSG_DONTROUTE: int
MSG_DONTWAIT: int
MSG_EOR: int
MSG_ERRQUEUE: int
MSG_FASTOPEN: int
MSG_MORE: int
MSG_NOSIGNAL: int
MSG_OOB: int
MSG_PEEK: int
MSG_TRUNC: int
MSG_WAITALL: int
NETLINK_CRYPTO: int
NETLINK_DNRTMSG: int
NETLINK_FIREWALL: int
NETLINK_IP6_FW: int
NETLINK_NFLOG: int
NETLINK_ROUTE: int
NETLINK_USERSOCK: int
NETLINK_XFRM: int
NI_DGRAM: int
NI_IDN: int
NI_MAXHOST: int
NI_MAXSERV: int
NI_NAMEREQD: int
NI_NOFQDN: int
NI_NUMERICHOST: int
NI_NUMERICSERV: int
PACKET_BROADCAST: int
PACKET_FASTROUTE: int
PACKET_HOST: int
PACKET_LOOPBACK: int
PACKET_MULTICAST: int
PACKET_OTHERHOST: int
PACKET_OUTGOING: int
PF_CAN: int
PF_PACKET: int
PF_RDS: int
SCM_CREDENTIALS: int
SCM_J1939_DEST_ADDR: int
SCM_J1939_DEST_NAME: int
SCM_J1939_ERRQUEUE: int
SCM_J1939_PRIO: int
SCM_RIGHTS: int
SHUT_RD: int
SHUT_RDWR: int
SHUT_WR: int
SOCK_CLOEXEC: int
SOCK_DGRAM: int
SOCK_NONBLOCK: int
SOCK_RAW: int
SOCK_RDM: int
SOCK_SEQPACKET: int
SOCK_STREAM: int
SOL_ALG: int
SOL_CAN_BASE: int
SOL_CAN_RAW: int
SOL_IP: int
SOL_RDS: int
SOL_SOCKET: int
SOL_TCP: int
SOL_TIPC: int
SOL_UDP: int
SOMAXCONN: int
SO_ACCEPTCONN: int
SO_BINDTODEVICE: int
SO_BINDTOIFINDEX: int
SO_BROADCAST: int
SO_DEBUG: int
SO_DOMAIN: int
SO_DONTROUTE: int
SO_ERROR: int
SO_INCOMING_CPU: int
SO_J1939_ERRQUEUE: int
SO_J1939_FILTER: int
SO_J1939_PROMISC: int
SO_J1939_SEND_PRIO: int
SO_KEEPALIVE: int
SO_LINGER: int
SO_MARK: int
SO_OOBINLINE: int
SO_PASSCRED: int
SO_PASSSEC: int
SO_PEERCRED: int
SO_PEERSEC: int
SO_PRIORITY: int
SO_PROTOCOL: int
SO_RCVBUF: int
SO_RCVLOWAT: int
SO_RCVTIMEO: int
SO_REUSEADDR: int
SO_REUSEPORT: int
SO_SNDBUF: int
SO_SNDLOWAT: int
SO_SNDTIMEO: int
SO_TYPE: int
SO_VM_SOCKETS_BUFFER_MAX_SIZE: int
SO_VM_SOCKETS_BUFFER_MIN_SIZE: int
SO_VM_SOCKETS_BUFFER_SIZE: int
TCP_CC_INFO: int
TCP_CONGESTION: int
TCP_CORK: int
TCP_DEFER_ACCEPT: int
TCP_FASTOPEN: int
TCP_FASTOPEN_CONNECT: int
TCP_FASTOPEN_KEY: int
TCP_FASTOPEN_NO_COOKIE: int
TCP_INFO: int
TCP_INQ: int
TCP_KEEPCNT: int
TCP_KEEPIDLE: int
TCP_KEEPINTVL: int
TCP_LINGER2: int
TCP_MAXSEG: int
TCP_MD5SIG: int
TCP_MD5SIG_EXT: int
TCP_NODELAY: int
TCP_NOTSENT_LOWAT: int
TCP_QUEUE_SEQ: int
TCP_QUICKACK: int
TCP_REPAIR: int
TCP_REPAIR_OPTIONS: int
TCP_REPAIR_QUEUE: int
TCP_REPAIR_WINDOW: int
TCP_SAVED_SYN: int
TCP_SAVE_SYN: int
TCP_SYNCNT: int
TCP_THIN_DUPACK: int
TCP_THIN_LINEAR_TIMEOUTS: int
TCP_TIMESTAMP: int
TCP_TX_DELAY: int
TCP_ULP: int
TCP_USER_TIMEOUT: int
TCP_WINDOW_CLAMP: int
TCP_ZEROCOPY_RECEIVE: int
TIPC_ADDR_ID: int
TIPC_ADDR_NAME: int
TIPC_ADDR_NAMESEQ: int
TIPC_CFG_SRV: int
TIPC_CLUSTER_SCOPE: int
TIPC_CONN_TIMEOUT: int
TIPC_CRITICAL_IMPORTANCE: int
TIPC_DEST_DROPPABLE: int
TIPC_HIGH_IMPORTANCE: int
TIPC_IMPORTANCE: int
TIPC_LOW_IMPORTANCE: int
TIPC_MEDIUM_IMPORTANCE: int
TIPC_NODE_SCOPE: int
TIPC_PUBLISHED: int
TIPC_SRC_DROPPABLE: int
TIPC_SUBSCR_TIMEOUT: int
TIPC_SUB_CANCEL: int
TIPC_SUB_PORTS: int
TIPC_SUB_SERVICE: int
TIPC_TOP_SRV: int
TIPC_WAIT_FOREVER: int
TIPC_WITHDRAWN: int
TIPC_ZONE_SCOPE: int
UDPLITE_RECV_CSCOV: int
UDPLITE_SEND_CSCOV: int
VMADDR_CID_ANY: int
VMADDR_CID_HOST: int
VMADDR_PORT_ANY: int
VM_SOCKETS_INVALID_VERSION: int
AF_DECnet: int
