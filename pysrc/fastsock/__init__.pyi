"""Type stubs for fastsock: the stdlib socket API with its work done in C."""
import io
import sys
from collections.abc import Iterable
from enum import IntEnum, IntFlag
from typing import Any, Literal, SupportsIndex, overload

from _typeshed import ReadableBuffer, Unused
from typing_extensions import Self

import _fastsock
from _fastsock import (
    CMSG_LEN as CMSG_LEN,
    CMSG_SPACE as CMSG_SPACE,
    SocketType as SocketType,
    close as close,
    dup as dup,
    error as error,
    gaierror as gaierror,
    getdefaulttimeout as getdefaulttimeout,
    gethostbyaddr as gethostbyaddr,
    gethostbyname as gethostbyname,
    gethostbyname_ex as gethostbyname_ex,
    gethostname as gethostname,
    getnameinfo as getnameinfo,
    getprotobyname as getprotobyname,
    getservbyname as getservbyname,
    getservbyport as getservbyport,
    has_ipv6 as has_ipv6,
    herror as herror,
    htonl as htonl,
    htons as htons,
    if_indextoname as if_indextoname,
    if_nameindex as if_nameindex,
    if_nametoindex as if_nametoindex,
    inet_aton as inet_aton,
    inet_ntoa as inet_ntoa,
    inet_ntop as inet_ntop,
    inet_pton as inet_pton,
    ntohl as ntohl,
    ntohs as ntohs,
    sethostname as sethostname,
    setdefaulttimeout as setdefaulttimeout,
    timeout as timeout,
)

__version__: str
__all__ = [
    "fromfd",
    "getfqdn",
    "create_connection",
    "create_server",
    "has_dualstack_ipv6",
    "AddressFamily",
    "SocketKind",
    "send_fds",
    "recv_fds",
    "socketpair",
    "getaddrinfo",
    "AF_ALG",
    "AF_APPLETALK",
    "AF_ASH",
    "AF_ATMPVC",
    "AF_ATMSVC",
    "AF_AX25",
    "AF_BRIDGE",
    "AF_CAN",
    "AF_DECnet",
    "AF_ECONET",
    "AF_INET",
    "AF_INET6",
    "AF_IPX",
    "AF_IRDA",
    "AF_KEY",
    "AF_LLC",
    "AF_NETBEUI",
    "AF_NETLINK",
    "AF_NETROM",
    "AF_PACKET",
    "AF_PPPOX",
    "AF_QIPCRTR",
    "AF_RDS",
    "AF_ROSE",
    "AF_ROUTE",
    "AF_SECURITY",
    "AF_SNA",
    "AF_TIPC",
    "AF_UNIX",
    "AF_UNSPEC",
    "AF_VSOCK",
    "AF_WANPIPE",
    "AF_X25",
    "AI_ADDRCONFIG",
    "AI_ALL",
    "AI_CANONNAME",
    "AI_NUMERICHOST",
    "AI_NUMERICSERV",
    "AI_PASSIVE",
    "AI_V4MAPPED",
    "ALG_OP_DECRYPT",
    "ALG_OP_ENCRYPT",
    "ALG_OP_SIGN",
    "ALG_OP_VERIFY",
    "ALG_SET_AEAD_ASSOCLEN",
    "ALG_SET_AEAD_AUTHSIZE",
    "ALG_SET_IV",
    "ALG_SET_KEY",
    "ALG_SET_OP",
    "ALG_SET_PUBKEY",
    "CAN_BCM",
    "CAN_BCM_CAN_FD_FRAME",
    "CAN_BCM_RX_ANNOUNCE_RESUME",
    "CAN_BCM_RX_CHANGED",
    "CAN_BCM_RX_CHECK_DLC",
    "CAN_BCM_RX_DELETE",
    "CAN_BCM_RX_FILTER_ID",
    "CAN_BCM_RX_NO_AUTOTIMER",
    "CAN_BCM_RX_READ",
    "CAN_BCM_RX_RTR_FRAME",
    "CAN_BCM_RX_SETUP",
    "CAN_BCM_RX_STATUS",
    "CAN_BCM_RX_TIMEOUT",
    "CAN_BCM_SETTIMER",
    "CAN_BCM_STARTTIMER",
    "CAN_BCM_TX_ANNOUNCE",
    "CAN_BCM_TX_COUNTEVT",
    "CAN_BCM_TX_CP_CAN_ID",
    "CAN_BCM_TX_DELETE",
    "CAN_BCM_TX_EXPIRED",
    "CAN_BCM_TX_READ",
    "CAN_BCM_TX_RESET_MULTI_IDX",
    "CAN_BCM_TX_SEND",
    "CAN_BCM_TX_SETUP",
    "CAN_BCM_TX_STATUS",
    "CAN_EFF_FLAG",
    "CAN_EFF_MASK",
    "CAN_ERR_FLAG",
    "CAN_ERR_MASK",
    "CAN_ISOTP",
    "CAN_J1939",
    "CAN_RAW",
    "CAN_RAW_FD_FRAMES",
    "CAN_RAW_FILTER",
    "CAN_RAW_JOIN_FILTERS",
    "CAN_RAW_LOOPBACK",
    "CAN_RAW_RECV_OWN_MSGS",
    "CAN_RTR_FLAG",
    "CAN_SFF_MASK",
    "CMSG_LEN",
    "CMSG_SPACE",
    "EAI_ADDRFAMILY",
    "EAI_AGAIN",
    "EAI_BADFLAGS",
    "EAI_FAIL",
    "EAI_FAMILY",
    "EAI_MEMORY",
    "EAI_NODATA",
    "EAI_NONAME",
    "EAI_OVERFLOW",
    "EAI_SERVICE",
    "EAI_SOCKTYPE",
    "EAI_SYSTEM",
    "INADDR_ALLHOSTS_GROUP",
    "INADDR_ANY",
    "INADDR_BROADCAST",
    "INADDR_LOOPBACK",
    "INADDR_MAX_LOCAL_GROUP",
    "INADDR_NONE",
    "INADDR_UNSPEC_GROUP",
    "IOCTL_VM_SOCKETS_GET_LOCAL_CID",
    "IPPORT_RESERVED",
    "IPPORT_USERRESERVED",
    "IPPROTO_AH",
    "IPPROTO_DSTOPTS",
    "IPPROTO_EGP",
    "IPPROTO_ESP",
    "IPPROTO_FRAGMENT",
    "IPPROTO_GRE",
    "IPPROTO_HOPOPTS",
    "IPPROTO_ICMP",
    "IPPROTO_ICMPV6",
    "IPPROTO_IDP",
    "IPPROTO_IGMP",
    "IPPROTO_IP",
    "IPPROTO_IPIP",
    "IPPROTO_IPV6",
    "IPPROTO_MPTCP",
    "IPPROTO_NONE",
    "IPPROTO_PIM",
    "IPPROTO_PUP",
    "IPPROTO_RAW",
    "IPPROTO_ROUTING",
    "IPPROTO_RSVP",
    "IPPROTO_SCTP",
    "IPPROTO_TCP",
    "IPPROTO_TP",
    "IPPROTO_UDP",
    "IPPROTO_UDPLITE",
    "IPV6_CHECKSUM",
    "IPV6_DONTFRAG",
    "IPV6_DSTOPTS",
    "IPV6_HOPLIMIT",
    "IPV6_HOPOPTS",
    "IPV6_JOIN_GROUP",
    "IPV6_LEAVE_GROUP",
    "IPV6_MULTICAST_HOPS",
    "IPV6_MULTICAST_IF",
    "IPV6_MULTICAST_LOOP",
    "IPV6_NEXTHOP",
    "IPV6_PATHMTU",
    "IPV6_PKTINFO",
    "IPV6_RECVDSTOPTS",
    "IPV6_RECVHOPLIMIT",
    "IPV6_RECVHOPOPTS",
    "IPV6_RECVPATHMTU",
    "IPV6_RECVPKTINFO",
    "IPV6_RECVRTHDR",
    "IPV6_RECVTCLASS",
    "IPV6_RTHDR",
    "IPV6_RTHDRDSTOPTS",
    "IPV6_RTHDR_TYPE_0",
    "IPV6_TCLASS",
    "IPV6_UNICAST_HOPS",
    "IPV6_V6ONLY",
    "IP_ADD_MEMBERSHIP",
    "IP_BIND_ADDRESS_NO_PORT",
    "IP_DEFAULT_MULTICAST_LOOP",
    "IP_DEFAULT_MULTICAST_TTL",
    "IP_DROP_MEMBERSHIP",
    "IP_HDRINCL",
    "IP_MAX_MEMBERSHIPS",
    "IP_MULTICAST_IF",
    "IP_MULTICAST_LOOP",
    "IP_MULTICAST_TTL",
    "IP_OPTIONS",
    "IP_RECVOPTS",
    "IP_RECVRETOPTS",
    "IP_RECVTOS",
    "IP_RETOPTS",
    "IP_TOS",
    "IP_TRANSPARENT",
    "IP_TTL",
    "J1939_EE_INFO_NONE",
    "J1939_EE_INFO_TX_ABORT",
    "J1939_FILTER_MAX",
    "J1939_IDLE_ADDR",
    "J1939_MAX_UNICAST_ADDR",
    "J1939_NLA_BYTES_ACKED",
    "J1939_NLA_PAD",
    "J1939_NO_ADDR",
    "J1939_NO_NAME",
    "J1939_NO_PGN",
    "J1939_PGN_ADDRESS_CLAIMED",
    "J1939_PGN_ADDRESS_COMMANDED",
    "J1939_PGN_MAX",
    "J1939_PGN_PDU1_MAX",
    "J1939_PGN_REQUEST",
    "MSG_CMSG_CLOEXEC",
    "MSG_CONFIRM",
    "MSG_CTRUNC",
    "MSG_DONTROUTE",
    "MSG_DONTWAIT",
    "MSG_EOR",
    "MSG_ERRQUEUE",
    "MSG_FASTOPEN",
    "MSG_MORE",
    "MSG_NOSIGNAL",
    "MSG_OOB",
    "MSG_PEEK",
    "MSG_TRUNC",
    "MSG_WAITALL",
    "NETLINK_CRYPTO",
    "NETLINK_DNRTMSG",
    "NETLINK_FIREWALL",
    "NETLINK_IP6_FW",
    "NETLINK_NFLOG",
    "NETLINK_ROUTE",
    "NETLINK_USERSOCK",
    "NETLINK_XFRM",
    "NI_DGRAM",
    "NI_MAXHOST",
    "NI_MAXSERV",
    "NI_NAMEREQD",
    "NI_NOFQDN",
    "NI_NUMERICHOST",
    "NI_NUMERICSERV",
    "PACKET_BROADCAST",
    "PACKET_FASTROUTE",
    "PACKET_HOST",
    "PACKET_LOOPBACK",
    "PACKET_MULTICAST",
    "PACKET_OTHERHOST",
    "PACKET_OUTGOING",
    "PF_CAN",
    "PF_PACKET",
    "PF_RDS",
    "SCM_CREDENTIALS",
    "SCM_J1939_DEST_ADDR",
    "SCM_J1939_DEST_NAME",
    "SCM_J1939_ERRQUEUE",
    "SCM_J1939_PRIO",
    "SCM_RIGHTS",
    "SHUT_RD",
    "SHUT_RDWR",
    "SHUT_WR",
    "SOCK_CLOEXEC",
    "SOCK_DGRAM",
    "SOCK_NONBLOCK",
    "SOCK_RAW",
    "SOCK_RDM",
    "SOCK_SEQPACKET",
    "SOCK_STREAM",
    "SOL_ALG",
    "SOL_CAN_BASE",
    "SOL_CAN_RAW",
    "SOL_IP",
    "SOL_RDS",
    "SOL_SOCKET",
    "SOL_TCP",
    "SOL_TIPC",
    "SOL_UDP",
    "SOMAXCONN",
    "SO_ACCEPTCONN",
    "SO_BINDTODEVICE",
    "SO_BROADCAST",
    "SO_DEBUG",
    "SO_DOMAIN",
    "SO_DONTROUTE",
    "SO_ERROR",
    "SO_INCOMING_CPU",
    "SO_J1939_ERRQUEUE",
    "SO_J1939_FILTER",
    "SO_J1939_PROMISC",
    "SO_J1939_SEND_PRIO",
    "SO_KEEPALIVE",
    "SO_LINGER",
    "SO_MARK",
    "SO_OOBINLINE",
    "SO_PASSCRED",
    "SO_PASSSEC",
    "SO_PEERCRED",
    "SO_PEERSEC",
    "SO_PRIORITY",
    "SO_PROTOCOL",
    "SO_RCVBUF",
    "SO_RCVLOWAT",
    "SO_RCVTIMEO",
    "SO_REUSEADDR",
    "SO_REUSEPORT",
    "SO_SNDBUF",
    "SO_SNDLOWAT",
    "SO_SNDTIMEO",
    "SO_TYPE",
    "SO_VM_SOCKETS_BUFFER_MAX_SIZE",
    "SO_VM_SOCKETS_BUFFER_MIN_SIZE",
    "SO_VM_SOCKETS_BUFFER_SIZE",
    "SocketType",
    "TCP_CONGESTION",
    "TCP_CORK",
    "TCP_DEFER_ACCEPT",
    "TCP_FASTOPEN",
    "TCP_INFO",
    "TCP_KEEPCNT",
    "TCP_KEEPIDLE",
    "TCP_KEEPINTVL",
    "TCP_LINGER2",
    "TCP_MAXSEG",
    "TCP_NODELAY",
    "TCP_NOTSENT_LOWAT",
    "TCP_QUICKACK",
    "TCP_SYNCNT",
    "TCP_USER_TIMEOUT",
    "TCP_WINDOW_CLAMP",
    "TIPC_ADDR_ID",
    "TIPC_ADDR_NAME",
    "TIPC_ADDR_NAMESEQ",
    "TIPC_CFG_SRV",
    "TIPC_CLUSTER_SCOPE",
    "TIPC_CONN_TIMEOUT",
    "TIPC_CRITICAL_IMPORTANCE",
    "TIPC_DEST_DROPPABLE",
    "TIPC_HIGH_IMPORTANCE",
    "TIPC_IMPORTANCE",
    "TIPC_LOW_IMPORTANCE",
    "TIPC_MEDIUM_IMPORTANCE",
    "TIPC_NODE_SCOPE",
    "TIPC_PUBLISHED",
    "TIPC_SRC_DROPPABLE",
    "TIPC_SUBSCR_TIMEOUT",
    "TIPC_SUB_CANCEL",
    "TIPC_SUB_PORTS",
    "TIPC_SUB_SERVICE",
    "TIPC_TOP_SRV",
    "TIPC_WAIT_FOREVER",
    "TIPC_WITHDRAWN",
    "TIPC_ZONE_SCOPE",
    "UDPLITE_RECV_CSCOV",
    "UDPLITE_SEND_CSCOV",
    "VMADDR_CID_ANY",
    "VMADDR_CID_HOST",
    "VMADDR_PORT_ANY",
    "VM_SOCKETS_INVALID_VERSION",
    "close",
    "dup",
    "error",
    "gaierror",
    "getdefaulttimeout",
    "gethostbyaddr",
    "gethostbyname",
    "gethostbyname_ex",
    "gethostname",
    "getnameinfo",
    "getprotobyname",
    "getservbyname",
    "getservbyport",
    "has_ipv6",
    "herror",
    "htonl",
    "htons",
    "if_indextoname",
    "if_nameindex",
    "if_nametoindex",
    "inet_aton",
    "inet_ntoa",
    "inet_ntop",
    "inet_pton",
    "ntohl",
    "ntohs",
    "setdefaulttimeout",
    "sethostname",
    "socket",
    "timeout",
]

_GLOBAL_DEFAULT_TIMEOUT: object
_LOCALHOST: str
_LOCALHOST_V6: str
EBADF: int
EAGAIN: int
EWOULDBLOCK: int

_Address = tuple[Any, ...] | str | ReadableBuffer
_RetAddress = Any

class AddressFamily(IntEnum):
    AF_UNSPEC = 0
    AF_UNIX = 1
    AF_INET = 2
    AF_AX25 = 3
    AF_IPX = 4
    AF_APPLETALK = 5
    AF_NETROM = 6
    AF_BRIDGE = 7
    AF_ATMPVC = 8
    AF_X25 = 9
    AF_INET6 = 10
    AF_ROSE = 11
    AF_NETBEUI = 13
    AF_SECURITY = 14
    AF_KEY = 15
    AF_NETLINK = 16
    AF_PACKET = 17
    AF_ASH = 18
    AF_ECONET = 19
    AF_ATMSVC = 20
    AF_RDS = 21
    AF_SNA = 22
    AF_IRDA = 23
    AF_PPPOX = 24
    AF_WANPIPE = 25
    AF_LLC = 26
    AF_CAN = 29
    AF_TIPC = 30
    AF_ALG = 38
    AF_VSOCK = 40
    AF_QIPCRTR = 42
    AF_ROUTE = 16

class SocketKind(IntEnum):
    SOCK_STREAM = 1
    SOCK_DGRAM = 2
    SOCK_RAW = 3
    SOCK_RDM = 4
    SOCK_SEQPACKET = 5
    SOCK_NONBLOCK = 2048
    SOCK_CLOEXEC = 524288

class MsgFlag(IntFlag):
    MSG_OOB = 1
    MSG_PEEK = 2
    MSG_DONTROUTE = 4
    MSG_CTRUNC = 8
    MSG_TRUNC = 32
    MSG_DONTWAIT = 64
    MSG_EOR = 128
    MSG_WAITALL = 256
    MSG_CONFIRM = 2048
    MSG_ERRQUEUE = 8192
    MSG_NOSIGNAL = 16384
    MSG_MORE = 32768
    MSG_FASTOPEN = 536870912
    MSG_CMSG_CLOEXEC = 1073741824

class AddressInfo(IntFlag):
    AI_PASSIVE = 1
    AI_CANONNAME = 2
    AI_NUMERICHOST = 4
    AI_V4MAPPED = 8
    AI_ALL = 16
    AI_ADDRCONFIG = 32
    AI_NUMERICSERV = 1024

class socket(_fastsock.socket):
    """A socket object, as the stdlib's socket.socket, implemented in C."""

    _accept_class: type[socket]
    def __init__(self, family: AddressFamily | int = -1,
                 type: SocketKind | int = -1, proto: int = -1,
                 fileno: int | None = None) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: Unused) -> None: ...
    def __getstate__(self) -> Any: ...
    @property
    def family(self) -> AddressFamily: ...
    @property
    def type(self) -> SocketKind: ...
    def accept(self) -> tuple[socket, _RetAddress]: ...
    def dup(self) -> Self: ...
    def _decref_socketios(self) -> None: ...
    def _check_sendfile_params(self, file: Any, offset: int,
                             count: int | None) -> None: ...
    def _sendfile_use_sendfile(self, file: Any, offset: int = 0,
                               count: int | None = None) -> int: ...
    def _sendfile_use_send(self, file: Any, offset: int = 0,
                           count: int | None = None) -> int: ...
    @overload
    def makefile(  # type: ignore[overload-overlap]
                 self, mode: Literal["b", "rb", "br", "wb", "bw", "rwb",
                                     "rbw", "wrb", "wbr", "brw", "bwr"],
                 buffering: int | None = None, *,
                 encoding: str | None = None, errors: str | None = None,
                 newline: str | None = None) -> _fastsock.SocketFile: ...
    @overload
    def makefile(self, mode: str = "r", buffering: int | None = None, *,
                 encoding: str | None = None, errors: str | None = None,
                 newline: str | None = None) -> io.TextIOWrapper: ...
    def sendfile(self, file: Any, offset: int = 0,
                 count: int | None = None) -> int: ...

class SocketIO(io.RawIOBase):
    def __init__(self, sock: socket, mode: Literal["r", "w", "rw", "rb",
                                                   "wb", "rwb"]) -> None: ...
    def readinto(self, b: Any) -> int | None: ...
    def write(self, b: ReadableBuffer) -> int | None: ...
    @property
    def name(self) -> int: ...
    @property
    def mode(self) -> Literal["rb", "wb", "rwb"]: ...

def fromfd(fd: SupportsIndex, family: AddressFamily | int,
           type: SocketKind | int, proto: int = 0) -> socket: ...
def socketpair(family: int | AddressFamily | None = None,
               type: SocketKind | int = ...,
               proto: int = 0) -> tuple[socket, socket]: ...
def send_fds(sock: socket, buffers: Iterable[ReadableBuffer],
             fds: Iterable[int], flags: int = 0,
             address: None = None) -> int: ...
def recv_fds(sock: socket, bufsize: int, maxfds: int,
             flags: int = 0) -> tuple[bytes, list[int], int, Any]: ...
def getfqdn(name: str = "") -> str: ...
def getaddrinfo(host: bytes | str | None, port: bytes | str | int | None,
                family: int = 0, type: int = 0, proto: int = 0,
                flags: int = 0) -> list[tuple[AddressFamily, SocketKind, int,
                                              str, Any]]: ...
if sys.version_info >= (3, 11):
    def create_connection(address: tuple[str | None, int],
                          timeout: float | None = ...,
                          source_address: _Address | None = None, *,
                          all_errors: bool = False) -> socket: ...
else:
    def create_connection(address: tuple[str | None, int],
                          timeout: float | None = ...,
                          source_address: _Address | None = None, *,
                          all_errors: bool = False) -> socket: ...
def has_dualstack_ipv6() -> bool: ...
def create_server(address: _Address, *, family: int = ...,
                  backlog: int | None = None, reuse_port: bool = False,
                  dualstack_ipv6: bool = False) -> socket: ...
def patch() -> Any: ...

# Constants: the module-level names of the enum members are members.
AF_ALG: AddressFamily
AF_APPLETALK: AddressFamily
AF_ASH: AddressFamily
AF_ATMPVC: AddressFamily
AF_ATMSVC: AddressFamily
AF_AX25: AddressFamily
AF_BRIDGE: AddressFamily
AF_CAN: AddressFamily
AF_ECONET: AddressFamily
AF_INET: AddressFamily
AF_INET6: AddressFamily
AF_IPX: AddressFamily
AF_IRDA: AddressFamily
AF_KEY: AddressFamily
AF_LLC: AddressFamily
AF_NETBEUI: AddressFamily
AF_NETLINK: AddressFamily
AF_NETROM: AddressFamily
AF_PACKET: AddressFamily
AF_PPPOX: AddressFamily
AF_QIPCRTR: AddressFamily
AF_RDS: AddressFamily
AF_ROSE: AddressFamily
AF_ROUTE: int
AF_SECURITY: AddressFamily
AF_SNA: AddressFamily
AF_TIPC: AddressFamily
AF_UNIX: AddressFamily
AF_UNSPEC: AddressFamily
AF_VSOCK: AddressFamily
AF_WANPIPE: AddressFamily
AF_X25: AddressFamily
AI_ADDRCONFIG: AddressInfo
AI_ALL: AddressInfo
AI_CANONNAME: AddressInfo
AI_NUMERICHOST: AddressInfo
AI_NUMERICSERV: AddressInfo
AI_PASSIVE: AddressInfo
AI_V4MAPPED: AddressInfo
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
IP_BIND_ADDRESS_NO_PORT: int
IP_DEFAULT_MULTICAST_LOOP: int
IP_DEFAULT_MULTICAST_TTL: int
IP_DROP_MEMBERSHIP: int
IP_HDRINCL: int
IP_MAX_MEMBERSHIPS: int
IP_MULTICAST_IF: int
IP_MULTICAST_LOOP: int
IP_MULTICAST_TTL: int
IP_OPTIONS: int
IP_RECVOPTS: int
IP_RECVRETOPTS: int
IP_RECVTOS: int
IP_RETOPTS: int
IP_TOS: int
IP_TRANSPARENT: int
IP_TTL: int
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
MSG_CMSG_CLOEXEC: MsgFlag
MSG_CONFIRM: MsgFlag
MSG_CTRUNC: MsgFlag
MSG_DONTROUTE: MsgFlag
MSG_DONTWAIT: MsgFlag
MSG_EOR: MsgFlag
MSG_ERRQUEUE: MsgFlag
MSG_FASTOPEN: MsgFlag
MSG_MORE: MsgFlag
MSG_NOSIGNAL: MsgFlag
MSG_OOB: MsgFlag
MSG_PEEK: MsgFlag
MSG_TRUNC: MsgFlag
MSG_WAITALL: MsgFlag
NETLINK_CRYPTO: int
NETLINK_DNRTMSG: int
NETLINK_FIREWALL: int
NETLINK_IP6_FW: int
NETLINK_NFLOG: int
NETLINK_ROUTE: int
NETLINK_USERSOCK: int
NETLINK_XFRM: int
NI_DGRAM: int
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
SOCK_CLOEXEC: SocketKind
SOCK_DGRAM: SocketKind
SOCK_NONBLOCK: SocketKind
SOCK_RAW: SocketKind
SOCK_RDM: SocketKind
SOCK_SEQPACKET: SocketKind
SOCK_STREAM: SocketKind
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
TCP_CONGESTION: int
TCP_CORK: int
TCP_DEFER_ACCEPT: int
TCP_FASTOPEN: int
TCP_INFO: int
TCP_KEEPCNT: int
TCP_KEEPIDLE: int
TCP_KEEPINTVL: int
TCP_LINGER2: int
TCP_MAXSEG: int
TCP_NODELAY: int
TCP_NOTSENT_LOWAT: int
TCP_QUICKACK: int
TCP_SYNCNT: int
TCP_USER_TIMEOUT: int
TCP_WINDOW_CLAMP: int
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
