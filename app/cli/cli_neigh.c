/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Underlay neighbours (the next hops of remote VTEPs): show neigh, neigh add|del.
 */
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

struct cmd_neigh_result {
	cmdline_fixed_string_t w0;
	cmdline_fixed_string_t w1;
	cmdline_fixed_string_t a1;
	cmdline_fixed_string_t a2;
};

static void
cmd_show_neigh_parsed(void *res, struct cmdline *cl, void *data)
{
	struct vs_ops_neigh *list;
	int n, i;

	RTE_SET_USED(res);
	list = calloc(VS_MAX_NEIGHBOURS, sizeof(*list));
	if (list == NULL) {
		cli_error(cl, data, "out of memory");
		return;
	}
	n = vs_ops_neigh_list(cli_ctx->dp, list, VS_MAX_NEIGHBOURS);
	if (n < 0) {
		cli_error(cl, data, "the control lcore does not answer (vseal is stopping)");
		free(list);
		return;
	}
	cmdline_printf(cl, "%-16s %-18s %-11s %-8s %s\n", "ADDRESS", "MAC", "STATE", "AGE",
		"VTEPS");
	for (i = 0; i < n; i++) {
		const struct vs_ops_neigh *e = &list[i];
		char ip[16], mac[RTE_ETHER_ADDR_FMT_SIZE], age[16];
		bool known = e->state != VS_NEIGH_INCOMPLETE;

		if (known && e->state != VS_NEIGH_STATIC)
			snprintf(age, sizeof(age), "%us", e->age_s);
		else
			snprintf(age, sizeof(age), "-");
		cmdline_printf(cl, "%-16s %-18s %-11s %-8s %u\n",
			vs_ipv4_str(e->ip, ip, sizeof(ip)),
			known ? vs_mac_str(&e->mac, mac, sizeof(mac)) : "-",
			vs_ops_neigh_state_name(e->state), age, e->nb_vteps);
	}
	cmdline_printf(cl, "%d neighbour%s\n", n, n == 1 ? "" : "s");
	free(list);
}

static cmdline_parse_token_string_t cmd_neigh_show =
	TOKEN_STRING_INITIALIZER(struct cmd_neigh_result, w0, "show");
static cmdline_parse_token_string_t cmd_neigh_neigh1 =
	TOKEN_STRING_INITIALIZER(struct cmd_neigh_result, w1, "neigh");
static cmdline_parse_token_string_t cmd_neigh_neigh0 =
	TOKEN_STRING_INITIALIZER(struct cmd_neigh_result, w0, "neigh");
static cmdline_parse_token_string_t cmd_neigh_add =
	TOKEN_STRING_INITIALIZER(struct cmd_neigh_result, w1, "add");
static cmdline_parse_token_string_t cmd_neigh_del =
	TOKEN_STRING_INITIALIZER(struct cmd_neigh_result, w1, "del");
static cmdline_parse_token_string_t cmd_neigh_a1 =
	TOKEN_STRING_INITIALIZER(struct cmd_neigh_result, a1, NULL);
static cmdline_parse_token_string_t cmd_neigh_a2 =
	TOKEN_STRING_INITIALIZER(struct cmd_neigh_result, a2, NULL);

static cmdline_parse_inst_t cmd_show_neigh = {
	.f = cmd_show_neigh_parsed,
	.data = &cmd_show_neigh,
	.help_str = "show neigh: underlay neighbours (VTEP next hops): MAC, state, age",
	.tokens = { (void *)&cmd_neigh_show, (void *)&cmd_neigh_neigh1, NULL },
};

static void
cmd_neigh_add_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cmd_neigh_result *r = res;
	struct rte_ether_addr mac;
	char err[ERR_MAX], ip_s[16], mac_s[RTE_ETHER_ADDR_FMT_SIZE];
	rte_be32_t ip;

	if (cli_parse_ipv4(cl, data, r->a1, &ip) != 0 || cli_parse_mac(cl, data, r->a2, &mac) != 0)
		return;
	if (vs_ops_neigh_add(cli_ctx->dp, ip, &mac, err, sizeof(err)) != 0) {
		cli_error(cl, data, "%s", err);
		return;
	}
	cmdline_printf(cl, "neighbour %s is-at %s (static)\n", vs_ipv4_str(ip, ip_s, sizeof(ip_s)),
		vs_mac_str(&mac, mac_s, sizeof(mac_s)));
}

static cmdline_parse_inst_t cmd_neigh_add_inst = {
	.f = cmd_neigh_add_parsed,
	.data = &cmd_neigh_add_inst,
	.help_str = "neigh add VTEP-IP MAC: static underlay neighbour (no ARP for it)",
	.tokens = { (void *)&cmd_neigh_neigh0, (void *)&cmd_neigh_add, (void *)&cmd_neigh_a1,
		(void *)&cmd_neigh_a2, NULL },
};

static void
cmd_neigh_del_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cmd_neigh_result *r = res;
	char err[ERR_MAX], ip_s[16];
	rte_be32_t ip;

	if (cli_parse_ipv4(cl, data, r->a1, &ip) != 0)
		return;
	if (vs_ops_neigh_del(cli_ctx->dp, ip, err, sizeof(err)) != 0) {
		cli_error(cl, data, "%s", err);
		return;
	}
	cmdline_printf(cl, "neighbour %s deleted (resolved again by ARP while a VTEP needs it)\n",
		vs_ipv4_str(ip, ip_s, sizeof(ip_s)));
}

static cmdline_parse_inst_t cmd_neigh_del_inst = {
	.f = cmd_neigh_del_parsed,
	.data = &cmd_neigh_del_inst,
	.help_str = "neigh del VTEP-IP: forget a neighbour's MAC",
	.tokens = { (void *)&cmd_neigh_neigh0, (void *)&cmd_neigh_del, (void *)&cmd_neigh_a1,
		NULL },
};

static cmdline_parse_inst_t *const neigh_cmds[] = {
	&cmd_show_neigh, &cmd_neigh_add_inst, &cmd_neigh_del_inst, NULL,
};

const struct cli_group cli_group_neigh = {
	.title = "Underlay neighbours",
	.cmds = neigh_cmds,
};
