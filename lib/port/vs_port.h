/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vseal's ports: the uplink (any DPDK ethdev, opened from a devargs string) and one
 * vhost-user port per guest (DPDK's net_vhost PMD). Both are plain ethdevs afterwards, so the
 * data path, counters, xstats and pdump treat them alike.
 *
 * Why net_vhost and not rte_vhost directly: net_vhost gives guests the same ethdev API as the
 * uplink (burst rx/tx, stats, xstats, link state events, pdump capture) and already handles
 * client-mode reconnection, queue state and the vhost-user protocol; vseal has nothing to add
 * there that would pay for a second port abstraction.
 */
#ifndef VS_PORT_H
#define VS_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

#include "vs_config.h"

#define VS_RX_DESC 1024
#define VS_TX_DESC 1024

struct vs_port {
	char name[VS_NAME_MAX];      /**< "uplink" or the guest's name */
	char devname[VS_NAME_MAX + 16]; /**< ethdev name, e.g. net_vhost_vm1 */
	uint16_t idx;                /**< config port index (0 = uplink) */
	uint16_t port_id;            /**< ethdev port id */
	bool is_uplink;
	bool started;
	uint16_t nb_queues;          /**< rx queues = tx queues */
	uint32_t vni;                /**< guests only */
	struct rte_ether_addr mac;   /**< guest: its only source MAC; uplink: the NIC's MAC */
	enum vs_vhost_mode mode;     /**< guests only */
	char socket[VS_PATH_MAX];    /**< guests only */
	uint16_t mtu;
	bool probed_by_us;           /**< we hot-plugged the device, so we remove it at close */
	uint64_t tx_capa;            /**< RTE_ETH_TX_OFFLOAD_* the device offers */
	uint64_t tx_offloads;        /**< ... of which vseal enabled */
	uint64_t rx_offloads;        /**< RTE_ETH_RX_OFFLOAD_* vseal enabled */
};

/** How frames too large for the uplink's MTU are cut (shown by `show port info`). */
enum vs_seg_path {
	VS_SEG_NIC = 0,              /**< the NIC segments (VXLAN tunnel TSO) */
	VS_SEG_SW,                   /**< librte_gso in software */
};

/**
 * Open the uplink from cfg->device (PCI address or vdev string), configure nb queues with
 * mbufs from mp. Does not start it.
 * @return 0 or -errno; err says why.
 */
int vs_port_uplink_open(struct vs_port *p, const struct vs_cfg_uplink *cfg,
		struct rte_mempool *mp, char *err, size_t errlen);

/**
 * Create the vhost-user port of guest g (net_vhost, client or server mode), configure it with
 * mbufs from mp. In server mode a stale socket file nobody listens on is removed first.
 * Does not start it.
 * @return 0 or -errno; err says why.
 */
int vs_port_guest_open(struct vs_port *p, const struct vs_cfg_guest *g, uint16_t idx,
		struct rte_mempool *mp, char *err, size_t errlen);

/** The segmentation path the uplink p allows (NIC tunnel TSO, else software). */
enum vs_seg_path vs_port_seg_path(const struct vs_port *p);

/** Guests: negotiated virtio features (VIRTIO_NET_F_* bits), 0 when not connected. */
uint64_t vs_port_guest_features(const struct vs_port *p);

/** Start the port. @return 0 or -errno. */
int vs_port_start(struct vs_port *p);

/** Stop and close the port, remove a hot-plugged device (a server socket is unlinked). */
void vs_port_close(struct vs_port *p);

/** Link up: for a guest, a vhost-user frontend is connected and its queues ready. */
bool vs_port_link_up(const struct vs_port *p);

#endif /* VS_PORT_H */
