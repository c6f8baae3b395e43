/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports and guests: show port stats|xstats|info, clear port stats, show guest.
 *
 * Counters are read, never written: ethdev statistics with rte_eth_stats_get()/xstats, and
 * vseal's own per-worker counters summed (each worker owns its counters). `clear port
 * stats` stores what they read now, and later reads subtract it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_eth_vhost.h>
#include <rte_vhost.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

#include "cli.h"
#include "vs_ops.h"
#include "vs_parse.h"

static inline uint64_t
since(uint64_t now, uint64_t base)
{
	/* A counter below its baseline was reset under us (e.g. a device restart). */
	return now >= base ? now - base : now;
}

static struct vs_worker_stats *
stats_sum(void)
{
	struct vs_worker_stats *sum = malloc(sizeof(*sum));

	if (sum != NULL)
		vs_dp_stats_sum(cli_ctx->dp, sum);
	return sum;
}

static const char *
link_str(uint16_t port_id, char *buf, size_t len)
{
	struct rte_eth_link link;

	if (rte_eth_link_get_nowait(port_id, &link) != 0)
		snprintf(buf, len, "unknown");
	else if (link.link_status != RTE_ETH_LINK_UP)
		snprintf(buf, len, "down");
	else
		snprintf(buf, len, "up, %s, %s-duplex", rte_eth_link_speed_to_str(link.link_speed),
			link.link_duplex == RTE_ETH_LINK_FULL_DUPLEX ? "full" : "half");
	return buf;
}

static void
port_stats(struct cmdline *cl, unsigned int p, const struct vs_worker_stats *sum)
{
	const struct vs_dp_port *dport = &cli_ctx->dp->ports[p];
	const struct cli_port_base *b = &cli_ctx->port_base[p];
	struct rte_eth_stats st;
	uint64_t drops = 0;
	char link[64];
	unsigned int r;

	if (rte_eth_stats_get(dport->port.port_id, &st) != 0)
		memset(&st, 0, sizeof(st));
	for (r = 0; r < VS_DROP_MAX; r++)
		drops += since(sum->drops[p][r], b->drops[r]);
	cmdline_printf(cl, "port %s (%s, ethdev %u): link %s\n", dport->port.name,
		dport->port.devname, dport->port.port_id,
		link_str(dport->port.port_id, link, sizeof(link)));
	cmdline_printf(cl, "  ethdev rx: packets %" PRIu64 " bytes %" PRIu64 " missed %" PRIu64
		" errors %" PRIu64 " no-mbuf %" PRIu64 "\n",
		since(st.ipackets, b->eth.ipackets), since(st.ibytes, b->eth.ibytes),
		since(st.imissed, b->eth.imissed), since(st.ierrors, b->eth.ierrors),
		since(st.rx_nombuf, b->eth.rx_nombuf));
	cmdline_printf(cl, "  ethdev tx: packets %" PRIu64 " bytes %" PRIu64 " errors %" PRIu64
		"\n", since(st.opackets, b->eth.opackets), since(st.obytes, b->eth.obytes),
		since(st.oerrors, b->eth.oerrors));
	cmdline_printf(cl, "  vseal:     rx %" PRIu64 " tx %" PRIu64 " dropped %" PRIu64
		" (by reason: show drops)\n", since(sum->rx[p], b->rx), since(sum->tx[p], b->tx),
		drops);
}

/* ---- show port stats all|NAME ---- */

struct cmd_port_result {
	cmdline_fixed_string_t w0;
	cmdline_fixed_string_t w1;
	cmdline_fixed_string_t w2;
	cmdline_fixed_string_t name;
};

static void
cmd_show_port_stats_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cmd_port_result *r = res;
	struct vs_worker_stats *sum;
	unsigned int p;
	int idx;

	idx = cli_port_index(cl, data, r->name, CLI_PORT_ALL);
	if (idx < 0)
		return;
	sum = stats_sum();
	if (sum == NULL) {
		cli_error(cl, data, "out of memory");
		return;
	}
	for (p = 0; p < cli_ctx->dp->nb_ports; p++)
		if (idx == VS_MAX_PORTS || (unsigned int)idx == p)
			port_stats(cl, p, sum);
	free(sum);
}

static cmdline_parse_token_string_t cmd_port_show =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, w0, "show");
static cmdline_parse_token_string_t cmd_port_clear =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, w0, "clear");
static cmdline_parse_token_string_t cmd_port_port =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, w1, "port");
static cmdline_parse_token_string_t cmd_port_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, w2, "stats");
static cmdline_parse_token_string_t cmd_port_xstats =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, w2, "xstats");
static cmdline_parse_token_string_t cmd_port_info =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, w2, "info");
static struct cli_token_port cmd_port_name_all =
	CLI_TOKEN_PORT_INITIALIZER(struct cmd_port_result, name, CLI_PORT_ALL);
static struct cli_token_port cmd_port_name =
	CLI_TOKEN_PORT_INITIALIZER(struct cmd_port_result, name, CLI_PORT_ANY);

static cmdline_parse_inst_t cmd_show_port_stats = {
	.f = cmd_show_port_stats_parsed,
	.data = &cmd_show_port_stats,
	.help_str = "show port stats all|NAME: ethdev and vseal packet counters",
	.tokens = { (void *)&cmd_port_show, (void *)&cmd_port_port, (void *)&cmd_port_stats,
		(void *)&cmd_port_name_all, NULL },
};

/* ---- show port xstats NAME ---- */

struct xstats {
	int n;
	struct rte_eth_xstat_name *names;
	struct rte_eth_xstat *values;
};

static int
xstats_read(uint16_t port_id, struct xstats *x)
{
	memset(x, 0, sizeof(*x));
	x->n = rte_eth_xstats_get_names(port_id, NULL, 0);
	if (x->n <= 0)
		return x->n;
	x->names = calloc((size_t)x->n, sizeof(*x->names));
	x->values = calloc((size_t)x->n, sizeof(*x->values));
	if (x->names == NULL || x->values == NULL ||
			rte_eth_xstats_get_names(port_id, x->names, (unsigned int)x->n) != x->n ||
			rte_eth_xstats_get(port_id, x->values, (unsigned int)x->n) != x->n) {
		free(x->names);
		free(x->values);
		x->n = -1;
		return -1;
	}
	return x->n;
}

static void
xstats_free(struct xstats *x)
{
	free(x->names);
	free(x->values);
}

static void
cmd_show_port_xstats_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cmd_port_result *r = res;
	const struct cli_port_base *b;
	struct xstats x;
	int idx, i;

	idx = cli_port_index(cl, data, r->name, CLI_PORT_ANY);
	if (idx < 0)
		return;
	b = &cli_ctx->port_base[idx];
	if (xstats_read(cli_ctx->dp->ports[idx].port.port_id, &x) < 0) {
		cli_error(cl, data, "cannot read the extended statistics of %s", r->name);
		return;
	}
	cmdline_printf(cl, "port %s: %d extended statistics\n", r->name, x.n);
	for (i = 0; i < x.n; i++) {
		uint64_t v = x.values[i].value;

		if (b->xstats != NULL && (int)b->nb_xstats == x.n && x.values[i].id < b->nb_xstats)
			v = since(v, b->xstats[x.values[i].id]);
		cmdline_printf(cl, "  %-40s %" PRIu64 "\n", x.names[x.values[i].id].name, v);
	}
	xstats_free(&x);
}

static cmdline_parse_inst_t cmd_show_port_xstats = {
	.f = cmd_show_port_xstats_parsed,
	.data = &cmd_show_port_xstats,
	.help_str = "show port xstats NAME: every extended (driver) counter of a port",
	.tokens = { (void *)&cmd_port_show, (void *)&cmd_port_port, (void *)&cmd_port_xstats,
		(void *)&cmd_port_name, NULL },
};

/* ---- show port info NAME ---- */

static void
offload_list(struct cmdline *cl, const char *title, uint64_t bits, bool rx)
{
	char line[256];
	size_t len;
	unsigned int i;

	snprintf(line, sizeof(line), "  %-20s", title);
	len = strlen(line);
	if (bits == 0) {
		cmdline_printf(cl, "%s none\n", line);
		return;
	}
	for (i = 0; i < 64; i++) {
		const char *name;

		if (!(bits & RTE_BIT64(i)))
			continue;
		name = rx ? rte_eth_dev_rx_offload_name(RTE_BIT64(i)) :
			rte_eth_dev_tx_offload_name(RTE_BIT64(i));
		if (len + strlen(name) + 1 > 96) {
			cmdline_printf(cl, "%s\n", line);
			snprintf(line, sizeof(line), "  %-20s", "");
			len = strlen(line);
		}
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s", name);
	}
	cmdline_printf(cl, "%s\n", line);
}

static const struct {
	unsigned int bit;
	const char *name;
} virtio_features[] = {
	{ 0, "CSUM" }, { 1, "GUEST_CSUM" }, { 2, "CTRL_GUEST_OFFLOADS" }, { 3, "MTU" },
	{ 5, "MAC" }, { 6, "GSO" }, { 7, "GUEST_TSO4" }, { 8, "GUEST_TSO6" },
	{ 9, "GUEST_ECN" }, { 10, "GUEST_UFO" }, { 11, "HOST_TSO4" }, { 12, "HOST_TSO6" },
	{ 13, "HOST_ECN" }, { 14, "HOST_UFO" }, { 15, "MRG_RXBUF" }, { 16, "STATUS" },
	{ 17, "CTRL_VQ" }, { 18, "CTRL_RX" }, { 19, "CTRL_VLAN" }, { 20, "CTRL_RX_EXTRA" },
	{ 21, "GUEST_ANNOUNCE" }, { 22, "MQ" }, { 23, "CTRL_MAC_ADDR" },
	{ 24, "NOTIFY_ON_EMPTY" }, { 26, "LOG_ALL" }, { 27, "ANY_LAYOUT" },
	{ 28, "RING_INDIRECT_DESC" }, { 29, "RING_EVENT_IDX" }, { 30, "PROTOCOL_FEATURES" },
	{ 32, "VERSION_1" }, { 33, "ACCESS_PLATFORM" }, { 34, "RING_PACKED" },
	{ 35, "IN_ORDER" }, { 36, "ORDER_PLATFORM" }, { 37, "SR_IOV" },
	{ 38, "NOTIFICATION_DATA" }, { 40, "RING_RESET" }, { 53, "NOTF_COAL" },
	{ 57, "HASH_REPORT" }, { 60, "RSS" }, { 61, "RSC_EXT" }, { 62, "STANDBY" },
	{ 63, "SPEED_DUPLEX" },
};

static void
feature_list(struct cmdline *cl, uint64_t f)
{
	char line[256];
	size_t len;
	unsigned int i, j;

	cmdline_printf(cl, "  virtio features      0x%016" PRIx64 "\n", f);
	snprintf(line, sizeof(line), "  %-20s", "");
	len = strlen(line);
	for (i = 0; i < 64; i++) {
		const char *name = NULL;
		char num[16];

		if (!(f & RTE_BIT64(i)))
			continue;
		for (j = 0; j < RTE_DIM(virtio_features) && name == NULL; j++)
			if (virtio_features[j].bit == i)
				name = virtio_features[j].name;
		if (name == NULL) {
			snprintf(num, sizeof(num), "bit%u", i);
			name = num;
		}
		if (len + strlen(name) + 1 > 96) {
			cmdline_printf(cl, "%s\n", line);
			snprintf(line, sizeof(line), "  %-20s", "");
			len = strlen(line);
		}
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s", name);
	}
	cmdline_printf(cl, "%s\n", line);
}

static void
guest_vhost_info(struct cmdline *cl, const struct vs_port *p)
{
	uint64_t features;
	uint16_t mtu;
	int vid;

	cmdline_printf(cl, "  vhost-user           %s mode, socket %s\n",
		p->mode == VS_VHOST_CLIENT ? "client" : "server", p->socket);
	vid = rte_eth_vhost_get_vid_from_port_id(p->port_id);
	if (vid < 0) {
		cmdline_printf(cl, "  virtio features      (no guest connected)\n");
		return;
	}
	cmdline_printf(cl, "  vhost device         vid %d, %u vrings\n", vid,
		rte_vhost_get_vring_num(vid));
	features = vs_port_guest_features(p);
	if (features != 0)
		feature_list(cl, features);
	if (rte_vhost_get_mtu(vid, &mtu) == 0)
		cmdline_printf(cl, "  guest mtu            %u\n", mtu);
}

/* Which path large frames take on the uplink, why, and how many took it. */
static void
uplink_large_frames(struct cmdline *cl, const struct rte_eth_dev_info *info)
{
	struct vs_worker_stats *sum;

	if (cli_ctx->dp->seg_path == VS_SEG_NIC)
		cmdline_printf(cl, "  large frames         segmented by the NIC (VXLAN tunnel TSO)\n");
	else
		cmdline_printf(cl, "  large frames         segmented in software (librte_gso): %s\n",
			(info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_VXLAN_TNL_TSO) != 0 ?
			"[uplink] segmentation = software" :
			"the device offers no VXLAN tunnel TSO");
	cmdline_printf(cl, "  outer IPv4 checksum  %s\n",
		(cli_ctx->dp->encap_ol & VS_ENCAP_F_OL_OUTER_CKSUM) != 0 ? "by the NIC" :
		"in software");
	sum = stats_sum();
	if (sum == NULL)
		return;
	cmdline_printf(cl, "  large-frame counters");
#define VS_CLI_(f, n) cmdline_printf(cl, " " n "=%" PRIu64, sum->f);
	VS_OFFLOAD_STATS(VS_CLI_)
#undef VS_CLI_
	cmdline_printf(cl, "\n");
	free(sum);
}

static void
cmd_show_port_info_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cmd_port_result *r = res;
	const struct vs_port *p;
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	struct rte_ether_addr mac;
	char s[RTE_ETHER_ADDR_FMT_SIZE], link[64];
	uint16_t mtu = 0;
	int idx;

	idx = cli_port_index(cl, data, r->name, CLI_PORT_ANY);
	if (idx < 0)
		return;
	p = &cli_ctx->dp->ports[idx].port;
	if (rte_eth_dev_info_get(p->port_id, &info) != 0) {
		cli_error(cl, data, "cannot read the device information of %s", p->name);
		return;
	}
	memset(&conf, 0, sizeof(conf));
	rte_eth_dev_conf_get(p->port_id, &conf);
	if (rte_eth_macaddr_get(p->port_id, &mac) != 0)
		memset(&mac, 0, sizeof(mac));
	rte_eth_dev_get_mtu(p->port_id, &mtu);
	cmdline_printf(cl, "port %s (%s)\n", p->name, p->is_uplink ? "uplink" : "guest");
	cmdline_printf(cl, "  ethdev               %s, port id %u, driver %s\n", p->devname,
		p->port_id, info.driver_name);
	cmdline_printf(cl, "  link                 %s\n", link_str(p->port_id, link,
		sizeof(link)));
	cmdline_printf(cl, "  mac                  %s\n", vs_mac_str(&mac, s, sizeof(s)));
	if (!p->is_uplink) {
		cmdline_printf(cl, "  guest's mac          %s (the only source MAC it may use)\n",
			vs_mac_str(&p->mac, s, sizeof(s)));
		cmdline_printf(cl, "  vni                  %u\n", p->vni);
	}
	cmdline_printf(cl, "  mtu                  %u (configured %u)\n", mtu, p->mtu);
	cmdline_printf(cl, "  queues               rx %u, tx %u (device max rx %u, tx %u)\n",
		info.nb_rx_queues, info.nb_tx_queues, info.max_rx_queues, info.max_tx_queues);
	offload_list(cl, "rx offloads on", conf.rxmode.offloads, true);
	offload_list(cl, "rx offloads offered", info.rx_offload_capa, true);
	offload_list(cl, "tx offloads on", conf.txmode.offloads, false);
	offload_list(cl, "tx offloads offered", info.tx_offload_capa, false);
	if (p->is_uplink)
		uplink_large_frames(cl, &info);
	else
		guest_vhost_info(cl, p);
}

static cmdline_parse_inst_t cmd_show_port_info = {
	.f = cmd_show_port_info_parsed,
	.data = &cmd_show_port_info,
	.help_str = "show port info NAME: device, link, MTU, queues, offloads, virtio features",
	.tokens = { (void *)&cmd_port_show, (void *)&cmd_port_port, (void *)&cmd_port_info,
		(void *)&cmd_port_name, NULL },
};

/* ---- clear port stats all|NAME ---- */

static void
port_baseline(unsigned int p, const struct vs_worker_stats *sum)
{
	struct cli_port_base *b = &cli_ctx->port_base[p];
	uint16_t port_id = cli_ctx->dp->ports[p].port.port_id;
	struct xstats x;
	int i;

	if (rte_eth_stats_get(port_id, &b->eth) != 0)
		memset(&b->eth, 0, sizeof(b->eth));
	b->rx = sum->rx[p];
	b->tx = sum->tx[p];
	memcpy(b->drops, sum->drops[p], sizeof(b->drops));
	free(b->xstats);
	b->xstats = NULL;
	b->nb_xstats = 0;
	if (xstats_read(port_id, &x) > 0) {
		b->xstats = calloc((size_t)x.n, sizeof(*b->xstats));
		if (b->xstats != NULL) {
			b->nb_xstats = (unsigned int)x.n;
			for (i = 0; i < x.n; i++)
				if (x.values[i].id < (uint64_t)x.n)
					b->xstats[x.values[i].id] = x.values[i].value;
		}
		xstats_free(&x);
	}
}

static void
cmd_clear_port_stats_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cmd_port_result *r = res;
	struct vs_worker_stats *sum;
	struct vs_dp *dp = cli_ctx->dp;
	unsigned int p, w;
	int idx;

	idx = cli_port_index(cl, data, r->name, CLI_PORT_ALL);
	if (idx < 0)
		return;
	sum = stats_sum();
	if (sum == NULL) {
		cli_error(cl, data, "out of memory");
		return;
	}
	for (p = 0; p < dp->nb_ports; p++)
		if (idx == VS_MAX_PORTS || (unsigned int)idx == p)
			port_baseline(p, sum);
	free(sum);
	if (idx == VS_MAX_PORTS) {
		/* The control lcore's counters that `show drops` lists go with them. */
		vs_ops_ctrl_stats(dp, &cli_ctx->ctrl_base);
		cli_ctx->learn_overflow_base = 0;
		for (w = 0; w < dp->nb_workers; w++)
			cli_ctx->learn_overflow_base += __atomic_load_n(
				&dp->workers[w].learn_overflow, __ATOMIC_RELAXED);
		cmdline_printf(cl, "cleared the counters of every port\n");
	} else {
		cmdline_printf(cl, "cleared the counters of %s\n", dp->ports[idx].port.name);
	}
}

static cmdline_parse_inst_t cmd_clear_port_stats = {
	.f = cmd_clear_port_stats_parsed,
	.data = &cmd_clear_port_stats,
	.help_str = "clear port stats all|NAME: count port stats, xstats and drops from now",
	.tokens = { (void *)&cmd_port_clear, (void *)&cmd_port_port, (void *)&cmd_port_stats,
		(void *)&cmd_port_name_all, NULL },
};

/* ---- show guest [NAME] ---- */

struct cmd_guest_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t guest;
	cmdline_fixed_string_t name;
};

static void
guest_show(struct cmdline *cl, unsigned int p)
{
	const struct vs_dp_port *dport = &cli_ctx->dp->ports[p];
	const struct vs_port *g = &dport->port;
	char s[RTE_ETHER_ADDR_FMT_SIZE];
	bool up = __atomic_load_n(&dport->up, __ATOMIC_ACQUIRE);

	cmdline_printf(cl, "guest %s: %s\n", g->name, up ? "connected" : "disconnected");
	cmdline_printf(cl, "  vni %u, mac %s, queues %u, mtu %u\n", g->vni,
		vs_mac_str(&g->mac, s, sizeof(s)), g->nb_queues, g->mtu);
	cmdline_printf(cl, "  vhost-user %s mode, socket %s, ethdev %s (port %u)\n",
		g->mode == VS_VHOST_CLIENT ? "client" : "server", g->socket, g->devname,
		g->port_id);
	if (up) {
		uint64_t f = vs_port_guest_features(g);

		if (f != 0)
			feature_list(cl, f);
		cmdline_printf(cl, "  large frames         %s\n",
			__atomic_load_n(&dport->guest_tso, __ATOMIC_RELAXED) ?
			"takes 64 KB TCP frames (GUEST_TSO4 + GUEST_CSUM)" :
			"wire-sized frames only (TSO frames to it are dropped: guest-no-tso)");
	}
}

static void
cmd_show_guest_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cmd_guest_result *r = res;
	unsigned int p;
	int idx;

	if (r->name[0] == '\0') {
		if (cli_ctx->dp->nb_ports <= 1)
			cmdline_printf(cl, "no guests\n");
		for (p = 1; p < cli_ctx->dp->nb_ports; p++)
			guest_show(cl, p);
		return;
	}
	idx = cli_port_index(cl, data, r->name, CLI_PORT_GUEST);
	if (idx >= 0)
		guest_show(cl, (unsigned int)idx);
}

static cmdline_parse_token_string_t cmd_guest_show =
	TOKEN_STRING_INITIALIZER(struct cmd_guest_result, show, "show");
static cmdline_parse_token_string_t cmd_guest_guest =
	TOKEN_STRING_INITIALIZER(struct cmd_guest_result, guest, "guest");
static struct cli_token_port cmd_guest_name =
	CLI_TOKEN_PORT_INITIALIZER(struct cmd_guest_result, name, CLI_PORT_GUEST);

static cmdline_parse_inst_t cmd_show_guests = {
	.f = cmd_show_guest_parsed,
	.data = &cmd_show_guests,
	.help_str = "show guest: every guest: connection, mode, VNI, MAC, queues, MTU, features",
	.tokens = { (void *)&cmd_guest_show, (void *)&cmd_guest_guest, NULL },
};

static cmdline_parse_inst_t cmd_show_guest = {
	.f = cmd_show_guest_parsed,
	.data = &cmd_show_guest,
	.help_str = "show guest NAME: one guest",
	.tokens = { (void *)&cmd_guest_show, (void *)&cmd_guest_guest, (void *)&cmd_guest_name,
		NULL },
};

static cmdline_parse_inst_t *const port_cmds[] = {
	&cmd_show_port_stats, &cmd_show_port_xstats, &cmd_show_port_info,
	&cmd_clear_port_stats, &cmd_show_guests, &cmd_show_guest, NULL,
};

const struct cli_group cli_group_port = {
	.title = "Ports and guests",
	.cmds = port_cmds,
};
