/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flood lists (head-end replication): show flood [vni N], flood add|del VNI VTEP-IP.
 * The control lcore replaces a VNI's list as a whole (RCU), so a worker sees either the old
 * list or the new one, never half of it.
 */
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

#include "cli.h"
#include "vs_ops.h"
#include "vs_parse.h"

#define ERR_MAX 512
#define NO_ANSWER "the control lcore does not answer (vseal is stopping)"

struct cmd_flood_result {
	cmdline_fixed_string_t w0;
	cmdline_fixed_string_t w1;
	cmdline_fixed_string_t w2;
	cmdline_fixed_string_t a1;
	cmdline_fixed_string_t a2;
};

/* "VNI 100: 192.0.2.2 (resolved) 192.0.2.3 (unresolved)". @return 0 or -errno. */
static int
flood_print(struct cmdline *cl, unsigned int vi)
{
	struct vs_ops_flood f;
	unsigned int i;
	int ret;

	ret = vs_ops_flood_get(cli_ctx->dp, vi, &f);
	if (ret != 0)
		return ret;
	cmdline_printf(cl, "VNI %u:", f.vni);
	if (f.n == 0)
		cmdline_printf(cl, " empty (BUM frames stay on this host)");
	for (i = 0; i < f.n; i++) {
		char ip[16];

		cmdline_printf(cl, " %s (%s)", vs_ipv4_str(f.ip[i], ip, sizeof(ip)),
			f.resolved[i] ? "resolved" : "unresolved");
	}
	cmdline_printf(cl, "\n");
	return 0;
}

static void
cmd_show_flood_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cmd_flood_result *r = res;
	unsigned int vi;
	uint32_t vni;
	int idx;

	if (r->w2[0] != '\0') {
		if (cli_parse_vni(cl, data, r->a1, &vni) != 0)
			return;
		idx = cli_vni_index(cl, data, vni);
		if (idx < 0)
			return;
		if (flood_print(cl, (unsigned int)idx) != 0)
			cli_error(cl, data, NO_ANSWER);
		return;
	}
	for (vi = 0; vi < cli_ctx->dp->nb_vnis; vi++) {
		if (flood_print(cl, vi) != 0) {
			cli_error(cl, data, NO_ANSWER);
			return;
		}
	}
}

static cmdline_parse_token_string_t cmd_flood_show =
	TOKEN_STRING_INITIALIZER(struct cmd_flood_result, w0, "show");
static cmdline_parse_token_string_t cmd_flood_flood1 =
	TOKEN_STRING_INITIALIZER(struct cmd_flood_result, w1, "flood");
static cmdline_parse_token_string_t cmd_flood_flood0 =
	TOKEN_STRING_INITIALIZER(struct cmd_flood_result, w0, "flood");
static cmdline_parse_token_string_t cmd_flood_vni =
	TOKEN_STRING_INITIALIZER(struct cmd_flood_result, w2, "vni");
static cmdline_parse_token_string_t cmd_flood_add =
	TOKEN_STRING_INITIALIZER(struct cmd_flood_result, w1, "add");
static cmdline_parse_token_string_t cmd_flood_del =
	TOKEN_STRING_INITIALIZER(struct cmd_flood_result, w1, "del");
static cmdline_parse_token_string_t cmd_flood_a1 =
	TOKEN_STRING_INITIALIZER(struct cmd_flood_result, a1, NULL);
static cmdline_parse_token_string_t cmd_flood_a2 =
	TOKEN_STRING_INITIALIZER(struct cmd_flood_result, a2, NULL);

static cmdline_parse_inst_t cmd_show_flood = {
	.f = cmd_show_flood_parsed,
	.data = &cmd_show_flood,
	.help_str = "show flood: every VNI's flood list and whether each VTEP is resolved",
	.tokens = { (void *)&cmd_flood_show, (void *)&cmd_flood_flood1, NULL },
};

static cmdline_parse_inst_t cmd_show_flood_vni = {
	.f = cmd_show_flood_parsed,
	.data = &cmd_show_flood_vni,
	.help_str = "show flood vni N: one VNI's flood list",
	.tokens = { (void *)&cmd_flood_show, (void *)&cmd_flood_flood1, (void *)&cmd_flood_vni,
		(void *)&cmd_flood_a1, NULL },
};

static void
flood_change(void *res, struct cmdline *cl, void *data, bool add)
{
	struct cmd_flood_result *r = res;
	char err[ERR_MAX];
	rte_be32_t ip;
	uint32_t vni;
	int ret;

	if (cli_parse_vni(cl, data, r->a1, &vni) != 0 || cli_parse_ipv4(cl, data, r->a2, &ip) != 0)
		return;
	ret = add ? vs_ops_flood_add(cli_ctx->dp, vni, ip, err, sizeof(err)) :
		vs_ops_flood_del(cli_ctx->dp, vni, ip, err, sizeof(err));
	if (ret != 0) {
		cli_error(cl, data, "%s", err);
		return;
	}
	flood_print(cl, (unsigned int)vs_dp_vni_index(cli_ctx->dp, vni));
}

static void
cmd_flood_add_parsed(void *res, struct cmdline *cl, void *data)
{
	flood_change(res, cl, data, true);
}

static void
cmd_flood_del_parsed(void *res, struct cmdline *cl, void *data)
{
	flood_change(res, cl, data, false);
}

static cmdline_parse_inst_t cmd_flood_add_inst = {
	.f = cmd_flood_add_parsed,
	.data = &cmd_flood_add_inst,
	.help_str = "flood add VNI VTEP-IP: send the VNI's broadcast/unknown frames to VTEP-IP too",
	.tokens = { (void *)&cmd_flood_flood0, (void *)&cmd_flood_add, (void *)&cmd_flood_a1,
		(void *)&cmd_flood_a2, NULL },
};

static cmdline_parse_inst_t cmd_flood_del_inst = {
	.f = cmd_flood_del_parsed,
	.data = &cmd_flood_del_inst,
	.help_str = "flood del VNI VTEP-IP: take VTEP-IP off the VNI's flood list",
	.tokens = { (void *)&cmd_flood_flood0, (void *)&cmd_flood_del, (void *)&cmd_flood_a1,
		(void *)&cmd_flood_a2, NULL },
};

static cmdline_parse_inst_t *const flood_cmds[] = {
	&cmd_show_flood, &cmd_show_flood_vni, &cmd_flood_add_inst, &cmd_flood_del_inst, NULL,
};

const struct cli_group cli_group_flood = {
	.title = "Flood lists (head-end replication)",
	.cmds = flood_cmds,
};
