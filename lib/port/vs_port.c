/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <bsd/string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_eth_vhost.h>
#include <rte_ethdev.h>
#include <rte_vhost.h>

#include "vs_log.h"
#include "vs_port.h"

static int
port_configure(struct vs_port *p, struct rte_mempool *mp, char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = VS_RX_DESC, nb_txd = VS_TX_DESC;
	uint16_t q;
	int ret;

	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_info_get(p->port_id, &info);
	if (ret != 0) {
		snprintf(err, errlen, "%s: cannot get device info: %s", p->name, strerror(-ret));
		return ret;
	}
	/* Enable what the device offers of what vseal uses; the data path picks its path
	 * from tx_offloads (see docs/offloads.md). */
	p->tx_capa = info.tx_offload_capa;
	p->tx_offloads = info.tx_offload_capa & (RTE_ETH_TX_OFFLOAD_MULTI_SEGS |
		RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
		RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_TSO |
		RTE_ETH_TX_OFFLOAD_OUTER_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_VXLAN_TNL_TSO);
	p->rx_offloads = info.rx_offload_capa & (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM |
		RTE_ETH_RX_OFFLOAD_SCATTER);
	conf.txmode.offloads = p->tx_offloads;
	conf.rxmode.offloads = p->rx_offloads;
	if (p->nb_queues > info.max_rx_queues || p->nb_queues > info.max_tx_queues) {
		snprintf(err, errlen, "%s: %u queues requested, device offers rx %u tx %u",
			p->name, p->nb_queues, info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}
	ret = rte_eth_dev_configure(p->port_id, p->nb_queues, p->nb_queues, &conf);
	if (ret != 0) {
		snprintf(err, errlen, "%s: configure failed: %s", p->name, strerror(-ret));
		return ret;
	}
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rxd, &nb_txd);
	if (ret != 0) {
		snprintf(err, errlen, "%s: descriptor counts: %s", p->name, strerror(-ret));
		return ret;
	}
	for (q = 0; q < p->nb_queues; q++) {
		ret = rte_eth_rx_queue_setup(p->port_id, q, nb_rxd,
			rte_eth_dev_socket_id(p->port_id), NULL, mp);
		if (ret != 0) {
			snprintf(err, errlen, "%s: rx queue %u setup: %s", p->name, q,
				strerror(-ret));
			return ret;
		}
		ret = rte_eth_tx_queue_setup(p->port_id, q, nb_txd,
			rte_eth_dev_socket_id(p->port_id), NULL);
		if (ret != 0) {
			snprintf(err, errlen, "%s: tx queue %u setup: %s", p->name, q,
				strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int
vs_port_uplink_open(struct vs_port *p, const struct vs_cfg_uplink *cfg,
		struct rte_mempool *mp, char *err, size_t errlen)
{
	struct rte_dev_iterator it;
	uint16_t pid;
	bool found = false;
	int ret;

	memset(p, 0, sizeof(*p));
	strlcpy(p->name, "uplink", sizeof(p->name));
	p->idx = VS_PORT_UPLINK;
	p->is_uplink = true;
	p->nb_queues = cfg->queues;
	p->mtu = cfg->mtu;

	/* Already probed (a PCI device EAL found at start) is fine: look it up below. */
	ret = rte_dev_probe(cfg->device);
	if (ret == 0)
		p->probed_by_us = true;
	else if (ret != -EEXIST && ret != -EALREADY)
		VS_LOG(DEBUG, port, "uplink: probe of '%s' returned %d", cfg->device, ret);

	RTE_ETH_FOREACH_MATCHING_DEV(pid, cfg->device, &it) {
		if (!found) {
			p->port_id = pid;
			found = true;
		}
	}
	if (!found) {
		snprintf(err, errlen, "[uplink] device '%s': no such DPDK device (probe: %s)",
			cfg->device, strerror(ret < 0 ? -ret : ret));
		return -ENODEV;
	}
	rte_eth_dev_get_name_by_port(p->port_id, p->devname);
	ret = rte_eth_macaddr_get(p->port_id, &p->mac);
	if (ret != 0) {
		snprintf(err, errlen, "uplink: cannot read MAC address: %s", strerror(-ret));
		return ret;
	}
	ret = port_configure(p, mp, err, errlen);
	if (ret != 0)
		return ret;
	/* MTU and flow control are best effort: not every PMD implements them. */
	ret = rte_eth_dev_set_mtu(p->port_id, p->mtu);
	if (ret != 0 && ret != -ENOTSUP)
		VS_LOG(WARNING, port, "uplink: cannot set MTU %u: %s", p->mtu, strerror(-ret));
	{
		struct rte_eth_fc_conf fc;

		if (rte_eth_dev_flow_ctrl_get(p->port_id, &fc) == 0 &&
				fc.mode != RTE_ETH_FC_NONE) {
			fc.mode = RTE_ETH_FC_NONE;
			if (rte_eth_dev_flow_ctrl_set(p->port_id, &fc) != 0)
				VS_LOG(WARNING, port, "uplink: cannot switch PAUSE off");
		}
	}
	return 0;
}

/*
 * A server-mode socket left behind by a process that died cannot be bound again. Remove it
 * when nobody accepts connections on it; refuse when somebody does.
 */
static int
remove_stale_socket(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, ret;

	if (stat(path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	ret = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (ret == 0) {
		snprintf(err, errlen, "%s is in use by another process", path);
		return -EADDRINUSE;
	}
	VS_LOG(INFO, port, "removing stale socket %s", path);
	return unlink(path) == 0 ? 0 : -errno;
}

int
vs_port_guest_open(struct vs_port *p, const struct vs_cfg_guest *g, uint16_t idx,
		struct rte_mempool *mp, char *err, size_t errlen)
{
	char devargs[VS_PATH_MAX + 128];
	int ret;

	memset(p, 0, sizeof(*p));
	strlcpy(p->name, g->name, sizeof(p->name));
	snprintf(p->devname, sizeof(p->devname), "net_vhost_%s", g->name);
	p->idx = idx;
	p->nb_queues = g->queues;
	p->vni = g->vni;
	p->mac = g->mac;
	p->mode = g->mode;
	p->mtu = g->mtu;
	strlcpy(p->socket, g->socket, sizeof(p->socket));

	if (g->mode == VS_VHOST_SERVER) {
		ret = remove_stale_socket(g->socket, err, errlen);
		if (ret != 0)
			return ret;
	}
	/*
	 * tso=1 offers the guest host TSO and checksum offload, so it may hand over 64 KB
	 * frames. legacy-ol-flags=1: vhost describes what the guest asked for as TX offload
	 * requests (RTE_MBUF_F_TX_TCP_SEG, _TCP_CKSUM, with l2/l3/l4 lengths), which is what a
	 * switch forwards: another guest's port or the uplink acts on them as they are.
	 */
	snprintf(devargs, sizeof(devargs),
		"%s,iface=%s,queues=%u,client=%d,tso=1,legacy-ol-flags=1",
		p->devname, g->socket, g->queues, g->mode == VS_VHOST_CLIENT);
	ret = rte_dev_probe(devargs);
	if (ret != 0) {
		snprintf(err, errlen, "guest %s: cannot create vhost-user port on %s: %s",
			g->name, g->socket, strerror(-ret));
		return ret;
	}
	p->probed_by_us = true;
	ret = rte_eth_dev_get_port_by_name(p->devname, &p->port_id);
	if (ret != 0) {
		snprintf(err, errlen, "guest %s: vhost-user port not found after probe", g->name);
		return ret;
	}
	return port_configure(p, mp, err, errlen);
}

int
vs_port_start(struct vs_port *p)
{
	int ret = rte_eth_dev_start(p->port_id);

	if (ret == 0) {
		p->started = true;
		if (p->is_uplink)
			rte_eth_promiscuous_disable(p->port_id);
	}
	return ret;
}

void
vs_port_close(struct vs_port *p)
{
	struct rte_eth_dev_info info;
	struct rte_device *dev = NULL;

	if (p->started) {
		rte_eth_dev_stop(p->port_id);
		p->started = false;
	}
	if (p->probed_by_us && rte_eth_dev_info_get(p->port_id, &info) == 0)
		dev = info.device;
	rte_eth_dev_close(p->port_id);
	if (dev != NULL)
		rte_dev_remove(dev);
	p->probed_by_us = false;
}

enum vs_seg_path
vs_port_seg_path(const struct vs_port *p)
{
	return (p->tx_offloads & RTE_ETH_TX_OFFLOAD_VXLAN_TNL_TSO) != 0 ? VS_SEG_NIC : VS_SEG_SW;
}

uint64_t
vs_port_guest_features(const struct vs_port *p)
{
	uint64_t features = 0;
	int vid;

	if (p->is_uplink)
		return 0;
	vid = rte_eth_vhost_get_vid_from_port_id(p->port_id);
	if (vid < 0 || rte_vhost_get_negotiated_features(vid, &features) != 0)
		return 0;
	return features;
}

bool
vs_port_link_up(const struct vs_port *p)
{
	struct rte_eth_link link;

	if (rte_eth_link_get_nowait(p->port_id, &link) != 0)
		return false;
	return link.link_status == RTE_ETH_LINK_UP;
}
