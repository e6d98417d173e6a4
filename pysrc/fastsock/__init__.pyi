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

# Constants that are plain ints, as in _fastsock (enum-typed ones below).
from _fastsock import (
    AF_ROUTE as AF_ROUTE,
    ALG_OP_DECRYPT as ALG_OP_DECRYPT,
    ALG_OP_ENCRYPT as ALG_OP_ENCRYPT,
    ALG_OP_SIGN as ALG_OP_SIGN,
    ALG_OP_VERIFY as ALG_OP_VERIFY,
    ALG_SET_AEAD_ASSOCLEN as ALG_SET_AEAD_ASSOCLEN,
    ALG_SET_AEAD_AUTHSIZE as ALG_SET_AEAD_AUTHSIZE,
    ALG_SET_IV as ALG_SET_IV,
    ALG_SET_KEY as ALG_SET_KEY,
    ALG_SET_OP as ALG_SET_OP,
    ALG_SET_PUBKEY as ALG_SET_PUBKEY,
    CAN_BCM as CAN_BCM,
    CAN_BCM_CAN_FD_FRAME as CAN_BCM_CAN_FD_FRAME,
    CAN_BCM_RX_ANNOUNCE_RESUME as CAN_BCM_RX_ANNOUNCE_RESUME,
    CAN_BCM_RX_CHANGED as CAN_BCM_RX_CHANGED,
    CAN_BCM_RX_CHECK_DLC as CAN_BCM_RX_CHECK_DLC,
    CAN_BCM_RX_DELETE as CAN_BCM_RX_DELETE,
    CAN_BCM_RX_FILTER_ID as CAN_BCM_RX_FILTER_ID,
    CAN_BCM_RX_NO_AUTOTIMER as CAN_BCM_RX_NO_AUTOTIMER,
    CAN_BCM_RX_READ as CAN_BCM_RX_READ,
    CAN_BCM_RX_RTR_FRAME as CAN_BCM_RX_RTR_FRAME,
    CAN_BCM_RX_SETUP as CAN_BCM_RX_SETUP,
    CAN_BCM_RX_STATUS as CAN_BCM_RX_STATUS,
    CAN_BCM_RX_TIMEOUT as CAN_BCM_RX_TIMEOUT,
    CAN_BCM_SETTIMER as CAN_BCM_SETTIMER,
    CAN_BCM_STARTTIMER as CAN_BCM_STARTTIMER,
    CAN_BCM_TX_ANNOUNCE as CAN_BCM_TX_ANNOUNCE,
    CAN_BCM_TX_COUNTEVT as CAN_BCM_TX_COUNTEVT,
    CAN_BCM_TX_CP_CAN_ID as CAN_BCM_TX_CP_CAN_ID,
    CAN_BCM_TX_DELETE as CAN_BCM_TX_DELETE,
    CAN_BCM_TX_EXPIRED as CAN_BCM_TX_EXPIRED,
    CAN_BCM_TX_READ as CAN_BCM_TX_READ,
    CAN_BCM_TX_RESET_MULTI_IDX as CAN_BCM_TX_RESET_MULTI_IDX,
    CAN_BCM_TX_SEND as CAN_BCM_TX_SEND,
    CAN_BCM_TX_SETUP as CAN_BCM_TX_SETUP,
    CAN_BCM_TX_STATUS as CAN_BCM_TX_STATUS,
    CAN_EFF_FLAG as CAN_EFF_FLAG,
    CAN_EFF_MASK as CAN_EFF_MASK,
    CAN_ERR_FLAG as CAN_ERR_FLAG,
    CAN_ERR_MASK as CAN_ERR_MASK,
    CAN_ISOTP as CAN_ISOTP,
    CAN_J1939 as CAN_J1939,
    CAN_RAW as CAN_RAW,
    CAN_RAW_ERR_FILTER as CAN_RAW_ERR_FILTER,
    CAN_RAW_FD_FRAMES as CAN_RAW_FD_FRAMES,
    CAN_RAW_FILTER as CAN_RAW_FILTER,
    CAN_RAW_JOIN_FILTERS as CAN_RAW_JOIN_FILTERS,
    CAN_RAW_LOOPBACK as CAN_RAW_LOOPBACK,
    CAN_RAW_RECV_OWN_MSGS as CAN_RAW_RECV_OWN_MSGS,
    CAN_RTR_FLAG as CAN_RTR_FLAG,
    CAN_SFF_MASK as CAN_SFF_MASK,
    EAI_ADDRFAMILY as EAI_ADDRFAMILY,
    EAI_AGAIN as EAI_AGAIN,
    EAI_BADFLAGS as EAI_BADFLAGS,
    EAI_FAIL as EAI_FAIL,
    EAI_FAMILY as EAI_FAMILY,
    EAI_MEMORY as EAI_MEMORY,
    EAI_NODATA as EAI_NODATA,
    EAI_NONAME as EAI_NONAME,
    EAI_OVERFLOW as EAI_OVERFLOW,
    EAI_SERVICE as EAI_SERVICE,
    EAI_SOCKTYPE as EAI_SOCKTYPE,
    EAI_SYSTEM as EAI_SYSTEM,
    ETHERTYPE_ARP as ETHERTYPE_ARP,
    ETHERTYPE_IP as ETHERTYPE_IP,
    ETHERTYPE_IPV6 as ETHERTYPE_IPV6,
    ETHERTYPE_VLAN as ETHERTYPE_VLAN,
    ETH_P_ALL as ETH_P_ALL,
    INADDR_ALLHOSTS_GROUP as INADDR_ALLHOSTS_GROUP,
    INADDR_ANY as INADDR_ANY,
    INADDR_BROADCAST as INADDR_BROADCAST,
    INADDR_LOOPBACK as INADDR_LOOPBACK,
    INADDR_MAX_LOCAL_GROUP as INADDR_MAX_LOCAL_GROUP,
    INADDR_NONE as INADDR_NONE,
    INADDR_UNSPEC_GROUP as INADDR_UNSPEC_GROUP,
    IOCTL_VM_SOCKETS_GET_LOCAL_CID as IOCTL_VM_SOCKETS_GET_LOCAL_CID,
    IPPORT_RESERVED as IPPORT_RESERVED,
    IPPORT_USERRESERVED as IPPORT_USERRESERVED,
    IPPROTO_AH as IPPROTO_AH,
    IPPROTO_DSTOPTS as IPPROTO_DSTOPTS,
    IPPROTO_EGP as IPPROTO_EGP,
    IPPROTO_ESP as IPPROTO_ESP,
    IPPROTO_FRAGMENT as IPPROTO_FRAGMENT,
    IPPROTO_GRE as IPPROTO_GRE,
    IPPROTO_HOPOPTS as IPPROTO_HOPOPTS,
    IPPROTO_ICMP as IPPROTO_ICMP,
    IPPROTO_ICMPV6 as IPPROTO_ICMPV6,
    IPPROTO_IDP as IPPROTO_IDP,
    IPPROTO_IGMP as IPPROTO_IGMP,
    IPPROTO_IP as IPPROTO_IP,
    IPPROTO_IPIP as IPPROTO_IPIP,
    IPPROTO_IPV6 as IPPROTO_IPV6,
    IPPROTO_MPTCP as IPPROTO_MPTCP,
    IPPROTO_NONE as IPPROTO_NONE,
    IPPROTO_PIM as IPPROTO_PIM,
    IPPROTO_PUP as IPPROTO_PUP,
    IPPROTO_RAW as IPPROTO_RAW,
    IPPROTO_ROUTING as IPPROTO_ROUTING,
    IPPROTO_RSVP as IPPROTO_RSVP,
    IPPROTO_SCTP as IPPROTO_SCTP,
    IPPROTO_TCP as IPPROTO_TCP,
    IPPROTO_TP as IPPROTO_TP,
    IPPROTO_UDP as IPPROTO_UDP,
    IPPROTO_UDPLITE as IPPROTO_UDPLITE,
    IPV6_CHECKSUM as IPV6_CHECKSUM,
    IPV6_DONTFRAG as IPV6_DONTFRAG,
    IPV6_DSTOPTS as IPV6_DSTOPTS,
    IPV6_HOPLIMIT as IPV6_HOPLIMIT,
    IPV6_HOPOPTS as IPV6_HOPOPTS,
    IPV6_JOIN_GROUP as IPV6_JOIN_GROUP,
    IPV6_LEAVE_GROUP as IPV6_LEAVE_GROUP,
    IPV6_MULTICAST_HOPS as IPV6_MULTICAST_HOPS,
    IPV6_MULTICAST_IF as IPV6_MULTICAST_IF,
    IPV6_MULTICAST_LOOP as IPV6_MULTICAST_LOOP,
    IPV6_NEXTHOP as IPV6_NEXTHOP,
    IPV6_PATHMTU as IPV6_PATHMTU,
    IPV6_PKTINFO as IPV6_PKTINFO,
    IPV6_RECVDSTOPTS as IPV6_RECVDSTOPTS,
    IPV6_RECVHOPLIMIT as IPV6_RECVHOPLIMIT,
    IPV6_RECVHOPOPTS as IPV6_RECVHOPOPTS,
    IPV6_RECVPATHMTU as IPV6_RECVPATHMTU,
    IPV6_RECVPKTINFO as IPV6_RECVPKTINFO,
    IPV6_RECVRTHDR as IPV6_RECVRTHDR,
    IPV6_RECVTCLASS as IPV6_RECVTCLASS,
    IPV6_RTHDR as IPV6_RTHDR,
    IPV6_RTHDRDSTOPTS as IPV6_RTHDRDSTOPTS,
    IPV6_RTHDR_TYPE_0 as IPV6_RTHDR_TYPE_0,
    IPV6_TCLASS as IPV6_TCLASS,
    IPV6_UNICAST_HOPS as IPV6_UNICAST_HOPS,
    IPV6_V6ONLY as IPV6_V6ONLY,
    IP_ADD_MEMBERSHIP as IP_ADD_MEMBERSHIP,
    IP_ADD_SOURCE_MEMBERSHIP as IP_ADD_SOURCE_MEMBERSHIP,
    IP_BIND_ADDRESS_NO_PORT as IP_BIND_ADDRESS_NO_PORT,
    IP_BLOCK_SOURCE as IP_BLOCK_SOURCE,
    IP_DEFAULT_MULTICAST_LOOP as IP_DEFAULT_MULTICAST_LOOP,
    IP_DEFAULT_MULTICAST_TTL as IP_DEFAULT_MULTICAST_TTL,
    IP_DROP_MEMBERSHIP as IP_DROP_MEMBERSHIP,
    IP_DROP_SOURCE_MEMBERSHIP as IP_DROP_SOURCE_MEMBERSHIP,
    IP_HDRINCL as IP_HDRINCL,
    IP_MAX_MEMBERSHIPS as IP_MAX_MEMBERSHIPS,
    IP_MULTICAST_IF as IP_MULTICAST_IF,
    IP_MULTICAST_LOOP as IP_MULTICAST_LOOP,
    IP_MULTICAST_TTL as IP_MULTICAST_TTL,
    IP_OPTIONS as IP_OPTIONS,
    IP_PKTINFO as IP_PKTINFO,
    IP_RECVOPTS as IP_RECVOPTS,
    IP_RECVRETOPTS as IP_RECVRETOPTS,
    IP_RECVTOS as IP_RECVTOS,
    IP_RETOPTS as IP_RETOPTS,
    IP_TOS as IP_TOS,
    IP_TRANSPARENT as IP_TRANSPARENT,
    IP_TTL as IP_TTL,
    IP_UNBLOCK_SOURCE as IP_UNBLOCK_SOURCE,
    J1939_EE_INFO_NONE as J1939_EE_INFO_NONE,
    J1939_EE_INFO_TX_ABORT as J1939_EE_INFO_TX_ABORT,
    J1939_FILTER_MAX as J1939_FILTER_MAX,
    J1939_IDLE_ADDR as J1939_IDLE_ADDR,
    J1939_MAX_UNICAST_ADDR as J1939_MAX_UNICAST_ADDR,
    J1939_NLA_BYTES_ACKED as J1939_NLA_BYTES_ACKED,
    J1939_NLA_PAD as J1939_NLA_PAD,
    J1939_NO_ADDR as J1939_NO_ADDR,
    J1939_NO_NAME as J1939_NO_NAME,
    J1939_NO_PGN as J1939_NO_PGN,
    J1939_PGN_ADDRESS_CLAIMED as J1939_PGN_ADDRESS_CLAIMED,
    J1939_PGN_ADDRESS_COMMANDED as J1939_PGN_ADDRESS_COMMANDED,
    J1939_PGN_MAX as J1939_PGN_MAX,
    J1939_PGN_PDU1_MAX as J1939_PGN_PDU1_MAX,
    J1939_PGN_REQUEST as J1939_PGN_REQUEST,
    NETLINK_CRYPTO as NETLINK_CRYPTO,
    NETLINK_DNRTMSG as NETLINK_DNRTMSG,
    NETLINK_FIREWALL as NETLINK_FIREWALL,
    NETLINK_IP6_FW as NETLINK_IP6_FW,
    NETLINK_NFLOG as NETLINK_NFLOG,
    NETLINK_ROUTE as NETLINK_ROUTE,
    NETLINK_USERSOCK as NETLINK_USERSOCK,
    NETLINK_XFRM as NETLINK_XFRM,
    NI_DGRAM as NI_DGRAM,
    NI_IDN as NI_IDN,
    NI_MAXHOST as NI_MAXHOST,
    NI_MAXSERV as NI_MAXSERV,
    NI_NAMEREQD as NI_NAMEREQD,
    NI_NOFQDN as NI_NOFQDN,
    NI_NUMERICHOST as NI_NUMERICHOST,
    NI_NUMERICSERV as NI_NUMERICSERV,
    PACKET_BROADCAST as PACKET_BROADCAST,
    PACKET_FASTROUTE as PACKET_FASTROUTE,
    PACKET_HOST as PACKET_HOST,
    PACKET_LOOPBACK as PACKET_LOOPBACK,
    PACKET_MULTICAST as PACKET_MULTICAST,
    PACKET_OTHERHOST as PACKET_OTHERHOST,
    PACKET_OUTGOING as PACKET_OUTGOING,
    PF_CAN as PF_CAN,
    PF_PACKET as PF_PACKET,
    PF_RDS as PF_RDS,
    SCM_CREDENTIALS as SCM_CREDENTIALS,
    SCM_J1939_DEST_ADDR as SCM_J1939_DEST_ADDR,
    SCM_J1939_DEST_NAME as SCM_J1939_DEST_NAME,
    SCM_J1939_ERRQUEUE as SCM_J1939_ERRQUEUE,
    SCM_J1939_PRIO as SCM_J1939_PRIO,
    SCM_RIGHTS as SCM_RIGHTS,
    SHUT_RD as SHUT_RD,
    SHUT_RDWR as SHUT_RDWR,
    SHUT_WR as SHUT_WR,
    SOL_ALG as SOL_ALG,
    SOL_CAN_BASE as SOL_CAN_BASE,
    SOL_CAN_RAW as SOL_CAN_RAW,
    SOL_IP as SOL_IP,
    SOL_RDS as SOL_RDS,
    SOL_SOCKET as SOL_SOCKET,
    SOL_TCP as SOL_TCP,
    SOL_TIPC as SOL_TIPC,
    SOL_UDP as SOL_UDP,
    SOMAXCONN as SOMAXCONN,
    SO_ACCEPTCONN as SO_ACCEPTCONN,
    SO_BINDTODEVICE as SO_BINDTODEVICE,
    SO_BINDTOIFINDEX as SO_BINDTOIFINDEX,
    SO_BROADCAST as SO_BROADCAST,
    SO_DEBUG as SO_DEBUG,
    SO_DOMAIN as SO_DOMAIN,
    SO_DONTROUTE as SO_DONTROUTE,
    SO_ERROR as SO_ERROR,
    SO_INCOMING_CPU as SO_INCOMING_CPU,
    SO_J1939_ERRQUEUE as SO_J1939_ERRQUEUE,
    SO_J1939_FILTER as SO_J1939_FILTER,
    SO_J1939_PROMISC as SO_J1939_PROMISC,
    SO_J1939_SEND_PRIO as SO_J1939_SEND_PRIO,
    SO_KEEPALIVE as SO_KEEPALIVE,
    SO_LINGER as SO_LINGER,
    SO_MARK as SO_MARK,
    SO_OOBINLINE as SO_OOBINLINE,
    SO_PASSCRED as SO_PASSCRED,
    SO_PASSSEC as SO_PASSSEC,
    SO_PEERCRED as SO_PEERCRED,
    SO_PEERSEC as SO_PEERSEC,
    SO_PRIORITY as SO_PRIORITY,
    SO_PROTOCOL as SO_PROTOCOL,
    SO_RCVBUF as SO_RCVBUF,
    SO_RCVLOWAT as SO_RCVLOWAT,
    SO_RCVTIMEO as SO_RCVTIMEO,
    SO_REUSEADDR as SO_REUSEADDR,
    SO_REUSEPORT as SO_REUSEPORT,
    SO_SNDBUF as SO_SNDBUF,
    SO_SNDLOWAT as SO_SNDLOWAT,
    SO_SNDTIMEO as SO_SNDTIMEO,
    SO_TYPE as SO_TYPE,
    SO_VM_SOCKETS_BUFFER_MAX_SIZE as SO_VM_SOCKETS_BUFFER_MAX_SIZE,
    SO_VM_SOCKETS_BUFFER_MIN_SIZE as SO_VM_SOCKETS_BUFFER_MIN_SIZE,
    SO_VM_SOCKETS_BUFFER_SIZE as SO_VM_SOCKETS_BUFFER_SIZE,
    TCP_CC_INFO as TCP_CC_INFO,
    TCP_CONGESTION as TCP_CONGESTION,
    TCP_CORK as TCP_CORK,
    TCP_DEFER_ACCEPT as TCP_DEFER_ACCEPT,
    TCP_FASTOPEN as TCP_FASTOPEN,
    TCP_FASTOPEN_CONNECT as TCP_FASTOPEN_CONNECT,
    TCP_FASTOPEN_KEY as TCP_FASTOPEN_KEY,
    TCP_FASTOPEN_NO_COOKIE as TCP_FASTOPEN_NO_COOKIE,
    TCP_INFO as TCP_INFO,
    TCP_INQ as TCP_INQ,
    TCP_KEEPCNT as TCP_KEEPCNT,
    TCP_KEEPIDLE as TCP_KEEPIDLE,
    TCP_KEEPINTVL as TCP_KEEPINTVL,
    TCP_LINGER2 as TCP_LINGER2,
    TCP_MAXSEG as TCP_MAXSEG,
    TCP_MD5SIG as TCP_MD5SIG,
    TCP_MD5SIG_EXT as TCP_MD5SIG_EXT,
    TCP_NODELAY as TCP_NODELAY,
    TCP_NOTSENT_LOWAT as TCP_NOTSENT_LOWAT,
    TCP_QUEUE_SEQ as TCP_QUEUE_SEQ,
    TCP_QUICKACK as TCP_QUICKACK,
    TCP_REPAIR as TCP_REPAIR,
    TCP_REPAIR_OPTIONS as TCP_REPAIR_OPTIONS,
    TCP_REPAIR_QUEUE as TCP_REPAIR_QUEUE,
    TCP_REPAIR_WINDOW as TCP_REPAIR_WINDOW,
    TCP_SAVED_SYN as TCP_SAVED_SYN,
    TCP_SAVE_SYN as TCP_SAVE_SYN,
    TCP_SYNCNT as TCP_SYNCNT,
    TCP_THIN_DUPACK as TCP_THIN_DUPACK,
    TCP_THIN_LINEAR_TIMEOUTS as TCP_THIN_LINEAR_TIMEOUTS,
    TCP_TIMESTAMP as TCP_TIMESTAMP,
    TCP_TX_DELAY as TCP_TX_DELAY,
    TCP_ULP as TCP_ULP,
    TCP_USER_TIMEOUT as TCP_USER_TIMEOUT,
    TCP_WINDOW_CLAMP as TCP_WINDOW_CLAMP,
    TCP_ZEROCOPY_RECEIVE as TCP_ZEROCOPY_RECEIVE,
    TIPC_ADDR_ID as TIPC_ADDR_ID,
    TIPC_ADDR_NAME as TIPC_ADDR_NAME,
    TIPC_ADDR_NAMESEQ as TIPC_ADDR_NAMESEQ,
    TIPC_CFG_SRV as TIPC_CFG_SRV,
    TIPC_CLUSTER_SCOPE as TIPC_CLUSTER_SCOPE,
    TIPC_CONN_TIMEOUT as TIPC_CONN_TIMEOUT,
    TIPC_CRITICAL_IMPORTANCE as TIPC_CRITICAL_IMPORTANCE,
    TIPC_DEST_DROPPABLE as TIPC_DEST_DROPPABLE,
    TIPC_HIGH_IMPORTANCE as TIPC_HIGH_IMPORTANCE,
    TIPC_IMPORTANCE as TIPC_IMPORTANCE,
    TIPC_LOW_IMPORTANCE as TIPC_LOW_IMPORTANCE,
    TIPC_MEDIUM_IMPORTANCE as TIPC_MEDIUM_IMPORTANCE,
    TIPC_NODE_SCOPE as TIPC_NODE_SCOPE,
    TIPC_PUBLISHED as TIPC_PUBLISHED,
    TIPC_SRC_DROPPABLE as TIPC_SRC_DROPPABLE,
    TIPC_SUBSCR_TIMEOUT as TIPC_SUBSCR_TIMEOUT,
    TIPC_SUB_CANCEL as TIPC_SUB_CANCEL,
    TIPC_SUB_PORTS as TIPC_SUB_PORTS,
    TIPC_SUB_SERVICE as TIPC_SUB_SERVICE,
    TIPC_TOP_SRV as TIPC_TOP_SRV,
    TIPC_WAIT_FOREVER as TIPC_WAIT_FOREVER,
    TIPC_WITHDRAWN as TIPC_WITHDRAWN,
    TIPC_ZONE_SCOPE as TIPC_ZONE_SCOPE,
    UDPLITE_RECV_CSCOV as UDPLITE_RECV_CSCOV,
    UDPLITE_SEND_CSCOV as UDPLITE_SEND_CSCOV,
    VMADDR_CID_ANY as VMADDR_CID_ANY,
    VMADDR_CID_HOST as VMADDR_CID_HOST,
    VMADDR_PORT_ANY as VMADDR_PORT_ANY,
    VM_SOCKETS_INVALID_VERSION as VM_SOCKETS_INVALID_VERSION,
    AF_DECnet as AF_DECnet,
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
    "CAN_RAW_ERR_FILTER",
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
    "ETHERTYPE_ARP",
    "ETHERTYPE_IP",
    "ETHERTYPE_IPV6",
    "ETHERTYPE_VLAN",
    "ETH_P_ALL",
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
    "IP_ADD_SOURCE_MEMBERSHIP",
    "IP_BIND_ADDRESS_NO_PORT",
    "IP_BLOCK_SOURCE",
    "IP_DEFAULT_MULTICAST_LOOP",
    "IP_DEFAULT_MULTICAST_TTL",
    "IP_DROP_MEMBERSHIP",
    "IP_DROP_SOURCE_MEMBERSHIP",
    "IP_HDRINCL",
    "IP_MAX_MEMBERSHIPS",
    "IP_MULTICAST_IF",
    "IP_MULTICAST_LOOP",
    "IP_MULTICAST_TTL",
    "IP_OPTIONS",
    "IP_PKTINFO",
    "IP_RECVOPTS",
    "IP_RECVRETOPTS",
    "IP_RECVTOS",
    "IP_RETOPTS",
    "IP_TOS",
    "IP_TRANSPARENT",
    "IP_TTL",
    "IP_UNBLOCK_SOURCE",
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
    "NI_IDN",
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
    "SO_BINDTOIFINDEX",
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
    "TCP_CC_INFO",
    "TCP_CONGESTION",
    "TCP_CORK",
    "TCP_DEFER_ACCEPT",
    "TCP_FASTOPEN",
    "TCP_FASTOPEN_CONNECT",
    "TCP_FASTOPEN_KEY",
    "TCP_FASTOPEN_NO_COOKIE",
    "TCP_INFO",
    "TCP_INQ",
    "TCP_KEEPCNT",
    "TCP_KEEPIDLE",
    "TCP_KEEPINTVL",
    "TCP_LINGER2",
    "TCP_MAXSEG",
    "TCP_MD5SIG",
    "TCP_MD5SIG_EXT",
    "TCP_NODELAY",
    "TCP_NOTSENT_LOWAT",
    "TCP_QUEUE_SEQ",
    "TCP_QUICKACK",
    "TCP_REPAIR",
    "TCP_REPAIR_OPTIONS",
    "TCP_REPAIR_QUEUE",
    "TCP_REPAIR_WINDOW",
    "TCP_SAVED_SYN",
    "TCP_SAVE_SYN",
    "TCP_SYNCNT",
    "TCP_THIN_DUPACK",
    "TCP_THIN_LINEAR_TIMEOUTS",
    "TCP_TIMESTAMP",
    "TCP_TX_DELAY",
    "TCP_ULP",
    "TCP_USER_TIMEOUT",
    "TCP_WINDOW_CLAMP",
    "TCP_ZEROCOPY_RECEIVE",
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
SOCK_CLOEXEC: SocketKind
SOCK_DGRAM: SocketKind
SOCK_NONBLOCK: SocketKind
SOCK_RAW: SocketKind
SOCK_RDM: SocketKind
SOCK_SEQPACKET: SocketKind
SOCK_STREAM: SocketKind
