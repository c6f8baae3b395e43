/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry endpoints under /vseal/ (see vs_telemetry.h). Each answer is a dictionary of
 * dictionaries (one per port, guest, location or lcore): the one level of nesting DPDK
 * 22.11's telemetry library turns into JSON.
 *
 * DPDK 22.11 accepts only [0-9A-Za-z_/] in dictionary keys (it drops any other key
 * silently), so keys are made of those: drop reasons and port names with '_' for '-',
 * locations as "VNI/MAC" with '_' for ':'. Values keep the names as the CLI prints them.
 *
 * The telemetry thread outlives vseal's state (DPDK has no way to unregister a command),
 * so every callback holds tel_lock and checks tel_dp, which vs_telemetry_stop() clears.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_telemetry.h>

#include "vs_drop.h"
#include "vs_ops.h"
#include "vs_parse.h"
#include "vs_telemetry.h"

static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vs_dp *tel_dp;
static bool tel_registered;

/* name as a telemetry key: every character outside [0-9A-Za-z_/] becomes '_'. */
static const char *
tel_key(const char *name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; name[i] != '\0' && i + 1 < len; i++)
		buf[i] = (isalnum((unsigned char)name[i]) || name[i] == '/') ? name[i] : '_';
	buf[i] = '\0';
	return buf;
}

/* The port named by params, VS_MAX_PORTS for all (no params), or -1. */
static int
tel_port(const struct vs_dp *dp, const char *params, bool guests_only)
{
	unsigned int p;

	if (params == NULL || params[0] == '\0')
		return VS_MAX_PORTS;
	for (p = guests_only ? 1 : 0; p < dp->nb_ports; p++)
		if (strcmp(params, dp->ports[p].port.name) == 0)
			return (int)p;
	return -1;
}

static struct rte_tel_data *
port_dict(const struct vs_dp *dp, unsigned int p, const struct vs_worker_stats *sum)
{
	const struct vs_dp_port *dport = &dp->ports[p];
	struct rte_tel_data *d = rte_tel_data_alloc();
	struct rte_eth_stats st;
	struct rte_eth_link link;
	uint64_t drops = 0;
	unsigned int r;

	if (d == NULL)
		return NULL;
	if (rte_eth_stats_get(dport->port.port_id, &st) != 0)
		memset(&st, 0, sizeof(st));
	if (rte_eth_link_get_nowait(dport->port.port_id, &link) != 0)
		memset(&link, 0, sizeof(link));
	for (r = 0; r < VS_DROP_MAX; r++)
		drops += sum->drops[p][r];
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", dport->port.name);
	rte_tel_data_add_dict_string(d, "kind", dport->port.is_uplink ? "uplink" : "guest");
	rte_tel_data_add_dict_string(d, "ethdev", dport->port.devname);
	rte_tel_data_add_dict_u64(d, "port_id", dport->port.port_id);
	rte_tel_data_add_dict_int(d, "link_up", link.link_status == RTE_ETH_LINK_UP);
	rte_tel_data_add_dict_u64(d, "link_speed_mbps", link.link_speed);
	rte_tel_data_add_dict_u64(d, "rx_packets", st.ipackets);
	rte_tel_data_add_dict_u64(d, "rx_bytes", st.ibytes);
	rte_tel_data_add_dict_u64(d, "rx_missed", st.imissed);
	rte_tel_data_add_dict_u64(d, "rx_errors", st.ierrors);
	rte_tel_data_add_dict_u64(d, "rx_nombuf", st.rx_nombuf);
	rte_tel_data_add_dict_u64(d, "tx_packets", st.opackets);
	rte_tel_data_add_dict_u64(d, "tx_bytes", st.obytes);
	rte_tel_data_add_dict_u64(d, "tx_errors", st.oerrors);
	rte_tel_data_add_dict_u64(d, "vseal_rx", sum->rx[p]);
	rte_tel_data_add_dict_u64(d, "vseal_tx", sum->tx[p]);
	rte_tel_data_add_dict_u64(d, "vseal_drops", drops);
	if (dport->port.is_uplink) {
#define VS_TEL_(f, n) rte_tel_data_add_dict_u64(d, #f, sum->f);
		VS_OFFLOAD_STATS(VS_TEL_)
#undef VS_TEL_
	}
	return d;
}

static int
tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vs_worker_stats *sum = NULL;
	char key[VS_NAME_MAX];
	unsigned int p;
	int ret = 0, sel;

	RTE_SET_USED(cmd);
	pthread_mutex_lock(&tel_lock);
	if (tel_dp == NULL || (sel = tel_port(tel_dp, params, false)) < 0) {
		ret = -EINVAL;
		goto out;
	}
	sum = malloc(sizeof(*sum));
	if (sum == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	vs_dp_stats_sum(tel_dp, sum);
	rte_tel_data_start_dict(d);
	for (p = 0; p < tel_dp->nb_ports; p++) {
		struct rte_tel_data *pd;

		if (sel != VS_MAX_PORTS && (unsigned int)sel != p)
			continue;
		pd = port_dict(tel_dp, p, sum);
		if (pd == NULL) {
			ret = -ENOMEM;
			goto out;
		}
		rte_tel_data_add_dict_container(d, tel_key(tel_dp->ports[p].port.name, key,
			sizeof(key)), pd, 0);
	}
out:
	pthread_mutex_unlock(&tel_lock);
	free(sum);
	return ret;
}

static int
tel_guests(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int p;
	int ret = 0, sel;

	RTE_SET_USED(cmd);
	pthread_mutex_lock(&tel_lock);
	if (tel_dp == NULL || (sel = tel_port(tel_dp, params, true)) < 0) {
		ret = -EINVAL;
		goto out;
	}
	rte_tel_data_start_dict(d);
	for (p = 1; p < tel_dp->nb_ports; p++) {
		const struct vs_dp_port *dport = &tel_dp->ports[p];
		const struct vs_port *g = &dport->port;
		struct rte_tel_data *gd;
		char mac[RTE_ETHER_ADDR_FMT_SIZE], key[VS_NAME_MAX];

		if (sel != VS_MAX_PORTS && (unsigned int)sel != p)
			continue;
		gd = rte_tel_data_alloc();
		if (gd == NULL) {
			ret = -ENOMEM;
			goto out;
		}
		rte_tel_data_start_dict(gd);
		rte_tel_data_add_dict_string(gd, "name", g->name);
		rte_tel_data_add_dict_int(gd, "connected",
			__atomic_load_n(&dport->up, __ATOMIC_ACQUIRE));
		rte_tel_data_add_dict_string(gd, "mode",
			g->mode == VS_VHOST_CLIENT ? "client" : "server");
		rte_tel_data_add_dict_string(gd, "socket", g->socket);
		rte_tel_data_add_dict_u64(gd, "vni", g->vni);
		rte_tel_data_add_dict_string(gd, "mac", vs_mac_str(&g->mac, mac, sizeof(mac)));
		rte_tel_data_add_dict_u64(gd, "queues", g->nb_queues);
		rte_tel_data_add_dict_u64(gd, "mtu", g->mtu);
		rte_tel_data_add_dict_u64(gd, "port_id", g->port_id);
		rte_tel_data_add_dict_container(d, tel_key(g->name, key, sizeof(key)), gd, 0);
	}
out:
	pthread_mutex_unlock(&tel_lock);
	return ret;
}

static int
tel_locations(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vs_ops_loc *locs = NULL;
	uint32_t vni = VS_TABLE_ALL_VNI;
	int ret = 0, n, i;

	RTE_SET_USED(cmd);
	pthread_mutex_lock(&tel_lock);
	if (tel_dp == NULL || (params != NULL && params[0] != '\0' &&
			(vs_parse_vni(params, &vni) != 0 || vs_dp_vni_index(tel_dp, vni) < 0))) {
		ret = -EINVAL;
		goto out;
	}
	n = vs_ops_location_list(tel_dp, vni, &locs, NULL);
	if (n < 0) {
		ret = n;
		goto out;
	}
	rte_tel_data_start_dict(d);
	for (i = 0; i < n && i < VS_TEL_LOCATIONS_MAX; i++) {
		const struct vs_ops_loc *l = &locs[i];
		struct rte_tel_data *ld = rte_tel_data_alloc();
		char key[48], mac[RTE_ETHER_ADDR_FMT_SIZE], where[32];

		if (ld == NULL) {
			ret = -ENOMEM;
			goto out;
		}
		vs_mac_str(&l->mac, mac, sizeof(mac));
		if (l->port != VS_LOC_PORT_NONE && l->port < tel_dp->nb_ports)
			strlcpy(where, tel_dp->ports[l->port].port.name, sizeof(where));
		else
			vs_ipv4_str(l->vtep_ip, where, sizeof(where));
		rte_tel_data_start_dict(ld);
		rte_tel_data_add_dict_u64(ld, "vni", l->vni);
		rte_tel_data_add_dict_string(ld, "mac", mac);
		rte_tel_data_add_dict_string(ld, "origin", vs_ops_origin_name(l->origin));
		rte_tel_data_add_dict_string(ld, l->port != VS_LOC_PORT_NONE ? "port" : "vtep",
			where);
		rte_tel_data_add_dict_u64(ld, "age_s", l->age_s);
		snprintf(where, sizeof(where), "%u/%s", l->vni, mac);
		rte_tel_data_add_dict_container(d, tel_key(where, key, sizeof(key)), ld, 0);
	}
out:
	pthread_mutex_unlock(&tel_lock);
	free(locs);
	return ret;
}

static int
tel_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vs_worker_stats *sum = NULL;
	char key[VS_NAME_MAX];
	unsigned int p, r;
	int ret = 0, sel;

	RTE_SET_USED(cmd);
	pthread_mutex_lock(&tel_lock);
	if (tel_dp == NULL || (sel = tel_port(tel_dp, params, false)) < 0) {
		ret = -EINVAL;
		goto out;
	}
	sum = malloc(sizeof(*sum));
	if (sum == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	vs_dp_stats_sum(tel_dp, sum);
	rte_tel_data_start_dict(d);
	for (p = 0; p < tel_dp->nb_ports; p++) {
		struct rte_tel_data *pd;
		struct rte_eth_stats st;

		if (sel != VS_MAX_PORTS && (unsigned int)sel != p)
			continue;
		pd = rte_tel_data_alloc();
		if (pd == NULL) {
			ret = -ENOMEM;
			goto out;
		}
		rte_tel_data_start_dict(pd);
		for (r = 0; r < VS_DROP_MAX; r++)
			rte_tel_data_add_dict_u64(pd, tel_key(vs_drop_name(r), key, sizeof(key)),
				sum->drops[p][r]);
		if (rte_eth_stats_get(tel_dp->ports[p].port.port_id, &st) != 0)
			memset(&st, 0, sizeof(st));
		rte_tel_data_add_dict_u64(pd, "nic_rx_missed", st.imissed);
		rte_tel_data_add_dict_u64(pd, "nic_rx_no_mbuf", st.rx_nombuf);
		rte_tel_data_add_dict_u64(pd, "nic_rx_errors", st.ierrors);
		rte_tel_data_add_dict_u64(pd, "nic_tx_errors", st.oerrors);
		rte_tel_data_add_dict_container(d, tel_key(tel_dp->ports[p].port.name, key,
			sizeof(key)), pd, 0);
	}
out:
	pthread_mutex_unlock(&tel_lock);
	free(sum);
	return ret;
}

static int
tel_lcores(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int i, j, p;
	int ret = 0;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	pthread_mutex_lock(&tel_lock);
	if (tel_dp == NULL) {
		ret = -EINVAL;
		goto out;
	}
	rte_tel_data_start_dict(d);
	for (i = 0; i < tel_dp->nb_workers; i++) {
		const struct vs_worker *w = &tel_dp->workers[i];
		struct rte_tel_data *ld = rte_tel_data_alloc();
		uint64_t rx = 0, tx = 0, busy;
		char polls[RTE_TEL_MAX_STRING_LEN] = "", key[16];

		if (ld == NULL) {
			ret = -ENOMEM;
			goto out;
		}
		for (p = 0; p < tel_dp->nb_ports; p++) {
			rx += __atomic_load_n(&w->stats.rx[p], __ATOMIC_RELAXED);
			tx += __atomic_load_n(&w->stats.tx[p], __ATOMIC_RELAXED);
		}
		for (j = 0; j < w->nb_pq; j++) {
			char pq[48];

			snprintf(pq, sizeof(pq), "%s%s:%u", j == 0 ? "" : " ",
				tel_dp->ports[w->pq[j].port].port.name, w->pq[j].queue);
			strlcat(polls, pq, sizeof(polls));
		}
		busy = __atomic_load_n(&w->stats.busy_cycles, __ATOMIC_RELAXED);
		rte_tel_data_start_dict(ld);
		rte_tel_data_add_dict_string(ld, "role", "worker");
		rte_tel_data_add_dict_u64(ld, "worker", w->index);
		rte_tel_data_add_dict_string(ld, "polls", polls);
		rte_tel_data_add_dict_u64(ld, "rx_packets", rx);
		rte_tel_data_add_dict_u64(ld, "tx_packets", tx);
		rte_tel_data_add_dict_u64(ld, "loops",
			__atomic_load_n(&w->stats.loops, __ATOMIC_RELAXED));
		rte_tel_data_add_dict_u64(ld, "busy_cycles", busy);
		rte_tel_data_add_dict_u64(ld, "idle_cycles",
			__atomic_load_n(&w->stats.idle_cycles, __ATOMIC_RELAXED));
		rte_tel_data_add_dict_u64(ld, "cycles_per_packet", rx == 0 ? 0 : busy / rx);
		snprintf(key, sizeof(key), "%u", w->lcore);
		rte_tel_data_add_dict_container(d, key, ld, 0);
	}
out:
	pthread_mutex_unlock(&tel_lock);
	return ret;
}

int
vs_telemetry_start(struct vs_dp *dp)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{ "/vseal/ports", tel_ports,
			"Counters and link of every port, or of one. Parameters: [NAME]" },
		{ "/vseal/guests", tel_guests,
			"Guests: connection, mode, socket, VNI, MAC, queues. Parameters: [NAME]" },
		{ "/vseal/locations", tel_locations,
			"The location table (first 100 entries). Parameters: [VNI]" },
		{ "/vseal/drops", tel_drops,
			"Every drop reason with its count, per port. Parameters: [NAME]" },
		{ "/vseal/lcores", tel_lcores,
			"Per worker lcore: queues, packets, busy/idle cycles. No parameters" },
	};
	unsigned int i;
	int ret;

	if (!tel_registered) {
		for (i = 0; i < RTE_DIM(cmds); i++) {
			ret = rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn, cmds[i].help);
			if (ret != 0)
				return ret;
		}
		tel_registered = true;
	}
	pthread_mutex_lock(&tel_lock);
	tel_dp = dp;
	pthread_mutex_unlock(&tel_lock);
	return 0;
}

void
vs_telemetry_stop(void)
{
	pthread_mutex_lock(&tel_lock);
	tel_dp = NULL;
	pthread_mutex_unlock(&tel_lock);
}
