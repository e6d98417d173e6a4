/*
 * constants_inc.h - the system headers that define the socket constants,
 * for constants.c only.  Linux-specific families are included when the
 * headers exist, so the build still works on a system without them.
 */
#ifndef FASTSOCK_CONSTANTS_INC_H
#define FASTSOCK_CONSTANTS_INC_H

#include <net/if.h>
#include <net/ethernet.h>
#include <sys/ioctl.h>
#ifdef __linux__
#  include <linux/sockios.h>
#  include <netpacket/packet.h>
#  include <linux/if_ether.h>
#  include <linux/netlink.h>
#  include <linux/can.h>
#  include <linux/can/raw.h>
#  include <linux/can/bcm.h>
#  include <linux/can/isotp.h>
#  include <linux/can/j1939.h>
#  include <linux/tipc.h>
#  include <linux/vm_sockets.h>
#  include <linux/if_alg.h>
#  include <linux/qrtr.h>
#endif


/* Enum members (invisible to #ifdef) and Linux ABI values that older
 * headers lack.  Only for constants.c. */
static int
fs_add_enum_constants(PyObject *m)
{
    struct { const char *name; long value; } table[] = {
#ifdef __linux__
        {"CAN_RAW_ERR_FILTER", CAN_RAW_ERR_FILTER},
        {"CAN_RAW_FD_FRAMES", CAN_RAW_FD_FRAMES},
        {"CAN_RAW_FILTER", CAN_RAW_FILTER},
        {"CAN_RAW_JOIN_FILTERS", CAN_RAW_JOIN_FILTERS},
        {"CAN_RAW_LOOPBACK", CAN_RAW_LOOPBACK},
        {"CAN_RAW_RECV_OWN_MSGS", CAN_RAW_RECV_OWN_MSGS},
        {"J1939_EE_INFO_NONE", J1939_EE_INFO_NONE},
        {"J1939_EE_INFO_TX_ABORT", J1939_EE_INFO_TX_ABORT},
        {"J1939_NLA_BYTES_ACKED", J1939_NLA_BYTES_ACKED},
        {"J1939_NLA_PAD", J1939_NLA_PAD},
        {"SCM_J1939_DEST_ADDR", SCM_J1939_DEST_ADDR},
        {"SCM_J1939_DEST_NAME", SCM_J1939_DEST_NAME},
        {"SCM_J1939_ERRQUEUE", SCM_J1939_ERRQUEUE},
        {"SCM_J1939_PRIO", SCM_J1939_PRIO},
        {"SO_J1939_ERRQUEUE", SO_J1939_ERRQUEUE},
        {"SO_J1939_FILTER", SO_J1939_FILTER},
        {"SO_J1939_PROMISC", SO_J1939_PROMISC},
        {"SO_J1939_SEND_PRIO", SO_J1939_SEND_PRIO},
        {"TIPC_CLUSTER_SCOPE", TIPC_CLUSTER_SCOPE},
        {"TIPC_NODE_SCOPE", TIPC_NODE_SCOPE},
        {"IPPORT_USERRESERVED", IPPORT_USERRESERVED},
        {"CAN_BCM_TX_SETUP", TX_SETUP},
        {"CAN_BCM_TX_DELETE", TX_DELETE},
        {"CAN_BCM_TX_READ", TX_READ},
        {"CAN_BCM_TX_SEND", TX_SEND},
        {"CAN_BCM_RX_SETUP", RX_SETUP},
        {"CAN_BCM_RX_DELETE", RX_DELETE},
        {"CAN_BCM_RX_READ", RX_READ},
        {"CAN_BCM_TX_STATUS", TX_STATUS},
        {"CAN_BCM_TX_EXPIRED", TX_EXPIRED},
        {"CAN_BCM_RX_STATUS", RX_STATUS},
        {"CAN_BCM_RX_TIMEOUT", RX_TIMEOUT},
        {"CAN_BCM_RX_CHANGED", RX_CHANGED},
        {"CAN_BCM_SETTIMER", SETTIMER},
        {"CAN_BCM_STARTTIMER", STARTTIMER},
        {"CAN_BCM_TX_COUNTEVT", TX_COUNTEVT},
        {"CAN_BCM_TX_ANNOUNCE", TX_ANNOUNCE},
        {"CAN_BCM_TX_CP_CAN_ID", TX_CP_CAN_ID},
        {"CAN_BCM_RX_FILTER_ID", RX_FILTER_ID},
        {"CAN_BCM_RX_CHECK_DLC", RX_CHECK_DLC},
        {"CAN_BCM_RX_NO_AUTOTIMER", RX_NO_AUTOTIMER},
        {"CAN_BCM_RX_ANNOUNCE_RESUME", RX_ANNOUNCE_RESUME},
        {"CAN_BCM_TX_RESET_MULTI_IDX", TX_RESET_MULTI_IDX},
        {"CAN_BCM_RX_RTR_FRAME", RX_RTR_FRAME},
        {"CAN_BCM_CAN_FD_FRAME", CAN_FD_FRAME},
        /* if_alg.h gained these in Linux 4.20; their values are ABI. */
        {"ALG_OP_SIGN", 2}, {"ALG_OP_VERIFY", 3}, {"ALG_SET_PUBKEY", 6},
        /* UDP-Lite socket options (linux/udp.h keeps them private). */
        {"UDPLITE_SEND_CSCOV", 10}, {"UDPLITE_RECV_CSCOV", 11},
        {"SOL_UDP", 17},
#endif
        {NULL, 0}
    };
    for (size_t i = 0; table[i].name != NULL; i++) {
        if (PyObject_HasAttrString(m, table[i].name))
            continue;
        if (PyModule_AddIntConstant(m, table[i].name, table[i].value) < 0)
            return -1;
    }
    return 0;
}

#endif
