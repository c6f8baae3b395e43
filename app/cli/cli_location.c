/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The location table: show location [vni N], location add|del, location flush [vni N].
 * Every read and write goes to the control lcore (vs_ops.h): it is the table's only writer,
 * and a change is on the data path when the command returns.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

#include "cli.h"
#include "vs_ops.h"
#include "vs_parse.h"

#define ERR_MAX 512

struct cmd_loc_result {
	cmdline_fixed_string_t w0;
	cmdline_fixed_string_t w1;
	cmdline_fixed_string_t w2;
	cmdline_fixed_string_t a1;
	cmdline_fixed_string_t a2;
	cmdline_fixed_string_t a3;
};

static int
loc_cmp(const void *a, const void *b)
{
	const struct vs_ops_loc *x = a, *y = b;

	if (x->vni != y->vni)
		return x->vni < y->vni ? -1 : 1;
	return memcmp(&x->mac, &y->mac, sizeof(x->mac));
}

static void
show_locations(struct cmdline *cl, const void *inst, uint32_t vni)
{
	const struct vs_dp *dp = cli_ctx->dp;
	unsigned int count[VS_LOC_DIRECTORY + 1] = { 0 };
	struct vs_ops_settings set;
	struct vs_table_stats st;
	struct vs_ctrl_stats cs;
	struct vs_ops_loc *locs;
	int n, i;

	n = vs_ops_location_list(cli_ctx->dp, vni, &locs, &st);
	if (n < 0) {
		cli_error(cl, inst, "cannot read the table: %s", strerror(-n));
		return;
	}
	qsort(locs, (size_t)n, sizeof(*locs), loc_cmp);
	cmdline_printf(cl, "%-9s %-18s %-10s %-20s %s\n", "VNI", "MAC", "ORIGIN", "LOCATION",
		"AGE");
	for (i = 0; i < n; i++) {
		const struct vs_ops_loc *l = &locs[i];
		char mac[RTE_ETHER_ADDR_FMT_SIZE], where[32], age[16];

		if (l->origin < RTE_DIM(count))
			count[l->origin]++;
		if (l->port != VS_LOC_PORT_NONE && l->port < dp->nb_ports)
			snprintf(where, sizeof(where), "%s", dp->ports[l->port].port.name);
		else
			vs_ipv4_str(l->vtep_ip, where, sizeof(where));
		if (l->origin == VS_LOC_LEARNED || l->origin == VS_LOC_DIRECTORY)
			snprintf(age, sizeof(age), "%us", l->age_s);
		else
			snprintf(age, sizeof(age), "-");
		cmdline_printf(cl, "%-9u %-18s %-10s %-20s %s\n", l->vni,
			vs_mac_str(&l->mac, mac, sizeof(mac)), vs_ops_origin_name(l->origin), where,
			age);
	}
	free(locs);
	cmdline_printf(cl, "%d location%s: %u local, %u static, %u learned, %u directory "
		"(table: %u of %u entries)\n", n, n == 1 ? "" : "s", count[VS_LOC_LOCAL],
		count[VS_LOC_STATIC], count[VS_LOC_LEARNED], count[VS_LOC_DIRECTORY], st.entries,
		st.capacity);
	if (vs_ops_settings_get(cli_ctx->dp, &set) == 0 &&
			vs_ops_ctrl_stats(cli_ctx->dp, &cs) == 0)
		cmdline_printf(cl, "learning %s, aging %u s%s; since start: %" PRIu64
			" learned, %" PRIu64 " moved, %" PRIu64 " aged out\n",
			set.learning ? "on" : "off", set.aging, set.aging == 0 ? " (never)" : "",
			cs.learned, cs.moved, cs.aged);
}

static void
cmd_show_location_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cmd_loc_result *r = res;
	uint32_t vni = VS_TABLE_ALL_VNI;

	if (r->w2[0] != '\0') {
		if (cli_parse_vni(cl, data, r->a1, &vni) != 0 || cli_vni_index(cl, data, vni) < 0)
			return;
	}
	show_locations(cl, data, vni);
}

static cmdline_parse_token_string_t cmd_loc_show =
	TOKEN_STRING_INITIALIZER(struct cmd_loc_result, w0, "show");
static cmdline_parse_token_string_t cmd_loc_location1 =
	TOKEN_STRING_INITIALIZER(struct cmd_loc_result, w1, "location");
static cmdline_parse_token_string_t cmd_loc_location0 =
	TOKEN_STRING_INITIALIZER(struct cmd_loc_result, w0, "location");
static cmdline_parse_token_string_t cmd_loc_vni2 =
	TOKEN_STRING_INITIALIZER(struct cmd_loc_result, w2, "vni");
static cmdline_parse_token_string_t cmd_loc_add =
	TOKEN_STRING_INITIALIZER(struct cmd_loc_result, w1, "add");
static cmdline_parse_token_string_t cmd_loc_del =
	TOKEN_STRING_INITIALIZER(struct cmd_loc_result, w1, "del");
static cmdline_parse_token_string_t cmd_loc_flush =
	TOKEN_STRING_INITIALIZER(struct cmd_loc_result, w1, "flush");
static cmdline_parse_token_string_t cmd_loc_a1 =
	TOKEN_STRING_INITIALIZER(struct cmd_loc_result, a1, NULL);
static cmdline_parse_token_string_t cmd_loc_a2 =
	TOKEN_STRING_INITIALIZER(struct cmd_loc_result, a2, NULL);
static cmdline_parse_token_string_t cmd_loc_a3 =
	TOKEN_STRING_INITIALIZER(struct cmd_loc_result, a3, NULL);

static cmdline_parse_inst_t cmd_show_location = {
	.f = cmd_show_location_parsed,
	.data = &cmd_show_location,
	.help_str = "show location: the location table: local, static and learned entries",
	.tokens = { (void *)&cmd_loc_show, (void *)&cmd_loc_location1, NULL },
};

static cmdline_parse_inst_t cmd_show_location_vni = {
	.f = cmd_show_location_parsed,
	.data = &cmd_show_location_vni,
	.help_str = "show location vni N: the locations of one VNI",
	.tokens = { (void *)&cmd_loc_show, (void *)&cmd_loc_location1, (void *)&cmd_loc_vni2,
		(void *)&cmd_loc_a1, NULL },
};

static void
cmd_location_add_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cmd_loc_result *r = res;
	struct rte_ether_addr mac;
	char err[ERR_MAX], s[RTE_ETHER_ADDR_FMT_SIZE], ip[16];
	rte_be32_t vtep;
	uint32_t vni;

	if (cli_parse_vni(cl, data, r->a1, &vni) != 0 ||
			cli_parse_mac(cl, data, r->a2, &mac) != 0 ||
			cli_parse_ipv4(cl, data, r->a3, &vtep) != 0)
		return;
	if (vs_ops_location_add(cli_ctx->dp, vni, &mac, vtep, err, sizeof(err)) != 0) {
		cli_error(cl, data, "%s", err);
		return;
	}
	cmdline_printf(cl, "location VNI %u %s -> %s (static)\n", vni,
		vs_mac_str(&mac, s, sizeof(s)), vs_ipv4_str(vtep, ip, sizeof(ip)));
}

static cmdline_parse_inst_t cmd_location_add = {
	.f = cmd_location_add_parsed,
	.data = &cmd_location_add,
	.help_str = "location add VNI MAC VTEP-IP: static location: frames to MAC go to VTEP-IP",
	.tokens = { (void *)&cmd_loc_location0, (void *)&cmd_loc_add, (void *)&cmd_loc_a1,
		(void *)&cmd_loc_a2, (void *)&cmd_loc_a3, NULL },
};

static void
cmd_location_del_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cmd_loc_result *r = res;
	struct rte_ether_addr mac;
	char err[ERR_MAX], s[RTE_ETHER_ADDR_FMT_SIZE];
	uint32_t vni;

	if (cli_parse_vni(cl, data, r->a1, &vni) != 0 ||
			cli_parse_mac(cl, data, r->a2, &mac) != 0)
		return;
	if (vs_ops_location_del(cli_ctx->dp, vni, &mac, err, sizeof(err)) != 0) {
		cli_error(cl, data, "%s", err);
		return;
	}
	cmdline_printf(cl, "location VNI %u %s deleted\n", vni, vs_mac_str(&mac, s, sizeof(s)));
}

static cmdline_parse_inst_t cmd_location_del = {
	.f = cmd_location_del_parsed,
	.data = &cmd_location_del,
	.help_str = "location del VNI MAC: remove a static or learned location",
	.tokens = { (void *)&cmd_loc_location0, (void *)&cmd_loc_del, (void *)&cmd_loc_a1,
		(void *)&cmd_loc_a2, NULL },
};

static void
cmd_location_flush_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cmd_loc_result *r = res;
	uint32_t vni = VS_TABLE_ALL_VNI;
	char err[ERR_MAX];
	int n;

	if (r->w2[0] != '\0' && cli_parse_vni(cl, data, r->a1, &vni) != 0)
		return;
	n = vs_ops_location_flush(cli_ctx->dp, vni, err, sizeof(err));
	if (n < 0) {
		cli_error(cl, data, "%s", err);
		return;
	}
	if (vni == VS_TABLE_ALL_VNI)
		cmdline_printf(cl, "flushed %d location%s (static and learned, all VNIs)\n", n,
			n == 1 ? "" : "s");
	else
		cmdline_printf(cl, "flushed %d location%s (static and learned, VNI %u)\n", n,
			n == 1 ? "" : "s", vni);
}

static cmdline_parse_inst_t cmd_location_flush = {
	.f = cmd_location_flush_parsed,
	.data = &cmd_location_flush,
	.help_str = "location flush: remove every static and learned location (not the guests')",
	.tokens = { (void *)&cmd_loc_location0, (void *)&cmd_loc_flush, NULL },
};

static cmdline_parse_inst_t cmd_location_flush_vni = {
	.f = cmd_location_flush_parsed,
	.data = &cmd_location_flush_vni,
	.help_str = "location flush vni N: the same, for one VNI",
	.tokens = { (void *)&cmd_loc_location0, (void *)&cmd_loc_flush,
		(void *)&cmd_loc_vni2, (void *)&cmd_loc_a1, NULL },
};

static cmdline_parse_inst_t *const location_cmds[] = {
	&cmd_show_location, &cmd_show_location_vni, &cmd_location_add, &cmd_location_del,
	&cmd_location_flush, &cmd_location_flush_vni, NULL,
};

const struct cli_group cli_group_location = {
	.title = "Locations (VNI, MAC) -> where",
	.cmds = location_cmds,
};
