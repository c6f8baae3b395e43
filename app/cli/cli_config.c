/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Settings and the running configuration: set learning on|off, set aging SECONDS,
 * show config. `show config` prints the configuration as it runs now, in the INI syntax of
 * docs/configuration.md: the file's values, with the learning/aging settings, flood lists,
 * static locations and static neighbours as the CLI left them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

#include "cli.h"
#include "vs_cli.h"
#include "vs_ops.h"
#include "vs_parse.h"

#define ERR_MAX 512

struct cmd_set_result {
	cmdline_fixed_string_t w0;
	cmdline_fixed_string_t w1;
	cmdline_fixed_string_t a1;
};

static cmdline_parse_token_string_t cmd_set_set =
	TOKEN_STRING_INITIALIZER(struct cmd_set_result, w0, "set");
static cmdline_parse_token_string_t cmd_set_learning =
	TOKEN_STRING_INITIALIZER(struct cmd_set_result, w1, "learning");
static cmdline_parse_token_string_t cmd_set_onoff =
	TOKEN_STRING_INITIALIZER(struct cmd_set_result, a1, "on#off");
static cmdline_parse_token_string_t cmd_set_aging =
	TOKEN_STRING_INITIALIZER(struct cmd_set_result, w1, "aging");
static cmdline_parse_token_string_t cmd_set_a1 =
	TOKEN_STRING_INITIALIZER(struct cmd_set_result, a1, NULL);

static void
cmd_set_learning_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cmd_set_result *r = res;
	bool on = strcmp(r->a1, "on") == 0;

	if (vs_ops_set_learning(cli_ctx->dp, on) != 0) {
		cli_error(cl, data, "the control lcore does not answer (vseal is stopping)");
		return;
	}
	cmdline_printf(cl, "learning %s\n", on ? "on" : "off (learned locations stay until "
		"they age out or are flushed)");
}

static cmdline_parse_inst_t cmd_set_learning_inst = {
	.f = cmd_set_learning_parsed,
	.data = &cmd_set_learning_inst,
	.help_str = "set learning on|off: learn locations from received VXLAN traffic or not",
	.tokens = { (void *)&cmd_set_set, (void *)&cmd_set_learning, (void *)&cmd_set_onoff,
		NULL },
};

static void
cmd_set_aging_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cmd_set_result *r = res;
	char err[ERR_MAX];
	uint32_t s;

	if (cli_parse_u32(cl, data, r->a1, 0, VS_OPS_AGING_MAX, "seconds", &s) != 0)
		return;
	if (vs_ops_set_aging(cli_ctx->dp, s, err, sizeof(err)) != 0) {
		cli_error(cl, data, "%s", err);
		return;
	}
	if (s == 0)
		cmdline_printf(cl, "aging 0 s: learned locations never age out\n");
	else
		cmdline_printf(cl, "aging %u s\n", s);
}

static cmdline_parse_inst_t cmd_set_aging_inst = {
	.f = cmd_set_aging_parsed,
	.data = &cmd_set_aging_inst,
	.help_str = "set aging SECONDS: learned locations not refreshed for this long go "
		"(0 = never)",
	.tokens = { (void *)&cmd_set_set, (void *)&cmd_set_aging, (void *)&cmd_set_a1, NULL },
};

/* ---- show config ---- */

static void
config_host(struct cmdline *cl, const struct vs_config *cfg)
{
	struct vs_ops_settings set = {
		.learning = cfg->host.learning,
		.aging = cfg->host.aging,
	};
	char ip[16];

	vs_ops_settings_get(cli_ctx->dp, &set);
	cmdline_printf(cl, "[host]\n");
	cmdline_printf(cl, "vtep-ip    = %s\n", vs_ipv4_str(cfg->host.vtep_ip, ip, sizeof(ip)));
	cmdline_printf(cl, "vxlan-port = %u\n", cfg->host.vxlan_port);
	cmdline_printf(cl, "learning   = %s\n", set.learning ? "on" : "off");
	cmdline_printf(cl, "aging      = %u\n", set.aging);
	cmdline_printf(cl, "guest-bdp-kb = %u   (mbuf pool %u, handoff rings %u)\n",
		cfg->host.guest_bdp_kb, vs_dp_pool_size(cfg), vs_dp_handoff_size(cfg));
	cmdline_printf(cl, "locations  = %u\n", cfg->host.locations);
	cmdline_printf(cl, "ctl-socket = %s\n", cfg->host.ctl_socket[0] != '\0' ?
		cfg->host.ctl_socket : VS_CLI_DEFAULT_SOCKET);
}

static void
config_uplink(struct cmdline *cl, const struct vs_config *cfg)
{
	char ip[16];

	cmdline_printf(cl, "\n[uplink]\n");
	cmdline_printf(cl, "device  = %s\n", cfg->uplink.device);
	cmdline_printf(cl, "prefix  = %u\n", cfg->uplink.prefix);
	if (cfg->uplink.has_gateway)
		cmdline_printf(cl, "gateway = %s\n", vs_ipv4_str(cfg->uplink.gateway, ip,
			sizeof(ip)));
	cmdline_printf(cl, "mtu     = %u\n", cfg->uplink.mtu);
	cmdline_printf(cl, "queues  = %u\n", cfg->uplink.queues);
}

static void
config_guests(struct cmdline *cl, const struct vs_config *cfg)
{
	unsigned int i;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	for (i = 0; i < cfg->nb_guests; i++) {
		const struct vs_cfg_guest *g = &cfg->guests[i];

		cmdline_printf(cl, "\n[guest.%s]\n", g->name);
		cmdline_printf(cl, "socket = %s\n", g->socket);
		cmdline_printf(cl, "mode   = %s\n",
			g->mode == VS_VHOST_CLIENT ? "client" : "server");
		cmdline_printf(cl, "vni    = %u\n", g->vni);
		cmdline_printf(cl, "mac    = %s\n", vs_mac_str(&g->mac, mac, sizeof(mac)));
		cmdline_printf(cl, "queues = %u\n", g->queues);
		cmdline_printf(cl, "mtu    = %u\n", g->mtu);
	}
}

static void
config_vnis(struct cmdline *cl, const struct vs_config *cfg)
{
	const struct vs_dp *dp = cli_ctx->dp;
	unsigned int vi, i;

	for (vi = 0; vi < dp->nb_vnis; vi++) {
		const struct vs_cfg_vni *v = vs_config_vni(cfg, dp->vnis[vi].vni);
		struct vs_ops_flood f;

		cmdline_printf(cl, "\n[vni.%u]\n", dp->vnis[vi].vni);
		if (vs_ops_flood_get(cli_ctx->dp, vi, &f) == 0 && f.n > 0) {
			cmdline_printf(cl, "flood    =");
			for (i = 0; i < f.n; i++) {
				char ip[16];

				cmdline_printf(cl, " %s", vs_ipv4_str(f.ip[i], ip, sizeof(ip)));
			}
			cmdline_printf(cl, "\n");
		}
		cmdline_printf(cl, "fragment = %s\n", v != NULL && v->fragment ? "on" : "off");
	}
}

static int
loc_cmp(const void *a, const void *b)
{
	const struct vs_ops_loc *x = a, *y = b;

	if (x->vni != y->vni)
		return x->vni < y->vni ? -1 : 1;
	return memcmp(&x->mac, &y->mac, sizeof(x->mac));
}

static void
config_locations(struct cmdline *cl)
{
	struct vs_ops_loc *locs;
	uint32_t section = VS_TABLE_ALL_VNI;
	int n, i;

	n = vs_ops_location_list(cli_ctx->dp, VS_TABLE_ALL_VNI, &locs, NULL);
	if (n < 0)
		return;
	qsort(locs, (size_t)n, sizeof(*locs), loc_cmp);
	for (i = 0; i < n; i++) {
		char mac[RTE_ETHER_ADDR_FMT_SIZE], ip[16];

		if (locs[i].origin != VS_LOC_STATIC)
			continue;
		if (locs[i].vni != section) {
			section = locs[i].vni;
			cmdline_printf(cl, "\n[location.%u]\n", section);
		}
		cmdline_printf(cl, "%s = %s\n", vs_mac_str(&locs[i].mac, mac, sizeof(mac)),
			vs_ipv4_str(locs[i].vtep_ip, ip, sizeof(ip)));
	}
	free(locs);
}

static void
config_neigh(struct cmdline *cl)
{
	struct vs_ops_neigh *list = calloc(VS_MAX_NEIGHBOURS, sizeof(*list));
	bool header = false;
	int n, i;

	if (list == NULL)
		return;
	n = vs_ops_neigh_list(cli_ctx->dp, list, VS_MAX_NEIGHBOURS);
	for (i = 0; i < n; i++) {
		char ip[16], mac[RTE_ETHER_ADDR_FMT_SIZE];

		if (list[i].state != VS_NEIGH_STATIC)
			continue;
		if (!header) {
			cmdline_printf(cl, "\n[neigh]\n");
			header = true;
		}
		cmdline_printf(cl, "%s = %s\n", vs_ipv4_str(list[i].ip, ip, sizeof(ip)),
			vs_mac_str(&list[i].mac, mac, sizeof(mac)));
	}
	free(list);
}

static void
config_lcores(struct cmdline *cl, const struct vs_config *cfg)
{
	const struct vs_dp *dp = cli_ctx->dp;
	unsigned int w, j;

	cmdline_printf(cl, "\n[lcores]\n");
	cmdline_printf(cl, "control    = %u\n", cfg->lcores.control);
	if (cfg->lcores.has_main)
		cmdline_printf(cl, "main       = %u\n", cfg->lcores.main);
	cmdline_printf(cl, "idle-sleep = %u\n", cfg->lcores.idle_sleep);
	for (w = 0; w < cfg->lcores.nb_workers; w++) {
		const struct vs_cfg_worker *wk = &cfg->lcores.workers[w];

		cmdline_printf(cl, "worker.%u%*s=", wk->lcore, wk->lcore < 10 ? 3 : 2, "");
		for (j = 0; j < wk->nb_pq; j++) {
			const struct vs_port *p = &dp->ports[wk->pq[j].port].port;

			if (p->nb_queues == 1)
				cmdline_printf(cl, " %s", p->name);
			else
				cmdline_printf(cl, " %s:%u", p->name, wk->pq[j].queue);
		}
		cmdline_printf(cl, "\n");
	}
}

static void
cmd_show_config_parsed(void *res, struct cmdline *cl, void *data)
{
	const struct vs_config *cfg = cli_ctx->cfg;

	RTE_SET_USED(res);
	RTE_SET_USED(data);
	cmdline_printf(cl, "; running configuration (read from %s, changes made since "
		"included)\n", cfg->path);
	config_host(cl, cfg);
	config_uplink(cl, cfg);
	config_guests(cl, cfg);
	config_vnis(cl, cfg);
	config_locations(cl);
	config_neigh(cl);
	config_lcores(cl, cfg);
}

static cmdline_parse_token_string_t cmd_show_show =
	TOKEN_STRING_INITIALIZER(struct cmd_set_result, w0, "show");
static cmdline_parse_token_string_t cmd_show_config_w =
	TOKEN_STRING_INITIALIZER(struct cmd_set_result, w1, "config");

static cmdline_parse_inst_t cmd_show_config = {
	.f = cmd_show_config_parsed,
	.data = &cmd_show_config,
	.help_str = "show config: the running configuration, as an INI file",
	.tokens = { (void *)&cmd_show_show, (void *)&cmd_show_config_w, NULL },
};

static cmdline_parse_inst_t *const config_cmds[] = {
	&cmd_set_learning_inst, &cmd_set_aging_inst, &cmd_show_config, NULL,
};

const struct cli_group cli_group_config = {
	.title = "Settings and configuration",
	.cmds = config_cmds,
};
