/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lcores and drops: show lcores (per worker: the queues it polls, packets, busy and idle
 * TSC cycles, cycles per packet, as OVS's pmd-stats-show), clear lcores, show drops (every
 * drop reason by name, per port, and the control lcore's losses).
 *
 * The workers count their loops' TSC cycles themselves (vs_worker.c): a loop that moved
 * packets is busy, one that did not is idle (time asleep included). `clear lcores` stores a
 * baseline; nothing here writes a worker's counters.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

#include "cli.h"
#include "vs_drop.h"
#include "vs_ops.h"

static inline uint64_t
since(uint64_t now, uint64_t base)
{
	return now >= base ? now - base : now;
}

/* A worker's counters now (tx summed over the ports), read with 64-bit loads. */
static void
worker_read(const struct vs_worker *w, unsigned int nb_ports, struct cli_lcore_base *out)
{
	unsigned int p;

	memset(out, 0, sizeof(*out));
	for (p = 0; p < nb_ports; p++) {
		out->rx += __atomic_load_n(&w->stats.rx[p], __ATOMIC_RELAXED);
		out->tx += __atomic_load_n(&w->stats.tx[p], __ATOMIC_RELAXED);
	}
	out->busy = __atomic_load_n(&w->stats.busy_cycles, __ATOMIC_RELAXED);
	out->idle = __atomic_load_n(&w->stats.idle_cycles, __ATOMIC_RELAXED);
	out->loops = __atomic_load_n(&w->stats.loops, __ATOMIC_RELAXED);
}

struct cmd_lcore_result {
	cmdline_fixed_string_t w0;
	cmdline_fixed_string_t w1;
};

static void
cmd_show_lcores_parsed(void *res, struct cmdline *cl, void *data)
{
	const struct vs_dp *dp = cli_ctx->dp;
	unsigned int main_lcore = rte_get_main_lcore();
	unsigned int control = cli_ctx->cfg->lcores.control;
	unsigned int i, j;

	RTE_SET_USED(res);
	RTE_SET_USED(data);
	cmdline_printf(cl, "lcore %u: main (CLI, control socket)%s\n", main_lcore,
		control == main_lcore ? ", control" : "");
	if (control != main_lcore)
		cmdline_printf(cl, "lcore %u: control\n", control);
	for (i = 0; i < dp->nb_workers; i++) {
		const struct vs_worker *w = &dp->workers[i];
		const struct cli_lcore_base *b = &cli_ctx->lcore_base[i];
		struct cli_lcore_base now;
		uint64_t rx, tx, busy, idle, loops, total;
		char polls[512] = "";

		worker_read(w, dp->nb_ports, &now);
		rx = since(now.rx, b->rx);
		tx = since(now.tx, b->tx);
		busy = since(now.busy, b->busy);
		idle = since(now.idle, b->idle);
		loops = since(now.loops, b->loops);
		total = busy + idle;
		for (j = 0; j < w->nb_pq; j++) {
			char pq[64];

			snprintf(pq, sizeof(pq), "%s%s:%u", j == 0 ? "" : " ",
				dp->ports[w->pq[j].port].port.name, w->pq[j].queue);
			strlcat(polls, pq, sizeof(polls));
		}
		cmdline_printf(cl, "lcore %u: worker %u\n", w->lcore, w->index);
		cmdline_printf(cl, "  polls              %s\n", polls);
		cmdline_printf(cl, "  rx packets         %" PRIu64 "\n", rx);
		cmdline_printf(cl, "  tx packets         %" PRIu64 "\n", tx);
		cmdline_printf(cl, "  loops              %" PRIu64 "\n", loops);
		cmdline_printf(cl, "  idle cycles        %" PRIu64 " (%.2f%%)\n", idle,
			total == 0 ? 0.0 : 100.0 * (double)idle / (double)total);
		cmdline_printf(cl, "  busy cycles        %" PRIu64 " (%.2f%%)\n", busy,
			total == 0 ? 0.0 : 100.0 * (double)busy / (double)total);
		if (rx == 0)
			cmdline_printf(cl, "  cycles per packet  - (no packets)\n");
		else
			cmdline_printf(cl, "  cycles per packet  %.1f (busy cycles / rx packets)\n",
				(double)busy / (double)rx);
	}
	cmdline_printf(cl, "TSC %.3f GHz; counted since %s\n", (double)rte_get_tsc_hz() / 1e9,
		cli_ctx->lcores_cleared ? "the last 'clear lcores'" : "start");
}

static cmdline_parse_token_string_t cmd_lcore_show =
	TOKEN_STRING_INITIALIZER(struct cmd_lcore_result, w0, "show");
static cmdline_parse_token_string_t cmd_lcore_clear =
	TOKEN_STRING_INITIALIZER(struct cmd_lcore_result, w0, "clear");
static cmdline_parse_token_string_t cmd_lcore_lcores =
	TOKEN_STRING_INITIALIZER(struct cmd_lcore_result, w1, "lcores");
static cmdline_parse_token_string_t cmd_lcore_drops =
	TOKEN_STRING_INITIALIZER(struct cmd_lcore_result, w1, "drops");

static cmdline_parse_inst_t cmd_show_lcores = {
	.f = cmd_show_lcores_parsed,
	.data = &cmd_show_lcores,
	.help_str = "show lcores: per worker: queues, packets, busy/idle cycles, cycles/packet",
	.tokens = { (void *)&cmd_lcore_show, (void *)&cmd_lcore_lcores, NULL },
};

static void
cmd_clear_lcores_parsed(void *res, struct cmdline *cl, void *data)
{
	const struct vs_dp *dp = cli_ctx->dp;
	unsigned int i;

	RTE_SET_USED(res);
	RTE_SET_USED(data);
	for (i = 0; i < dp->nb_workers; i++)
		worker_read(&dp->workers[i], dp->nb_ports, &cli_ctx->lcore_base[i]);
	cli_ctx->lcores_cleared = true;
	cmdline_printf(cl, "cleared the counters of %u worker lcore%s\n", dp->nb_workers,
		dp->nb_workers == 1 ? "" : "s");
}

static cmdline_parse_inst_t cmd_clear_lcores = {
	.f = cmd_clear_lcores_parsed,
	.data = &cmd_clear_lcores,
	.help_str = "clear lcores: count show lcores from now",
	.tokens = { (void *)&cmd_lcore_clear, (void *)&cmd_lcore_lcores, NULL },
};

/* ---- show drops ---- */

#define DROP_COLUMNS 5

/* NIC-level losses the driver counts, shown as rows of their own. */
enum nic_drop {
	NIC_RX_MISSED,
	NIC_RX_NOMBUF,
	NIC_RX_ERRORS,
	NIC_TX_ERRORS,
	NIC_MAX,
};

static const char *const nic_drop_names[NIC_MAX] = {
	[NIC_RX_MISSED] = "nic-rx-missed",
	[NIC_RX_NOMBUF] = "nic-rx-no-mbuf",
	[NIC_RX_ERRORS] = "nic-rx-errors",
	[NIC_TX_ERRORS] = "nic-tx-errors",
};

static void
nic_drops(unsigned int p, uint64_t out[NIC_MAX])
{
	const struct cli_port_base *b = &cli_ctx->port_base[p];
	struct rte_eth_stats st;

	if (rte_eth_stats_get(cli_ctx->dp->ports[p].port.port_id, &st) != 0)
		memset(&st, 0, sizeof(st));
	out[NIC_RX_MISSED] = since(st.imissed, b->eth.imissed);
	out[NIC_RX_NOMBUF] = since(st.rx_nombuf, b->eth.rx_nombuf);
	out[NIC_RX_ERRORS] = since(st.ierrors, b->eth.ierrors);
	out[NIC_TX_ERRORS] = since(st.oerrors, b->eth.oerrors);
}

static void
cmd_show_drops_parsed(void *res, struct cmdline *cl, void *data)
{
	const struct vs_dp *dp = cli_ctx->dp;
	struct vs_worker_stats *sum;
	uint64_t nic[VS_MAX_PORTS][NIC_MAX];
	struct vs_ctrl_stats cs;
	uint64_t overflow = 0;
	unsigned int first, p, r, w;

	RTE_SET_USED(res);
	sum = malloc(sizeof(*sum));
	if (sum == NULL) {
		cli_error(cl, data, "out of memory");
		return;
	}
	vs_dp_stats_sum(dp, sum);
	for (p = 0; p < dp->nb_ports; p++)
		nic_drops(p, nic[p]);
	for (first = 0; first < dp->nb_ports; first += DROP_COLUMNS) {
		unsigned int last = RTE_MIN(first + DROP_COLUMNS, dp->nb_ports);

		cmdline_printf(cl, "%s%-20s", first == 0 ? "" : "\n", "REASON");
		for (p = first; p < last; p++)
			cmdline_printf(cl, " %14.14s", dp->ports[p].port.name);
		cmdline_printf(cl, "\n");
		for (r = 0; r < VS_DROP_MAX; r++) {
			cmdline_printf(cl, "%-20s", vs_drop_name(r));
			for (p = first; p < last; p++)
				cmdline_printf(cl, " %14" PRIu64,
					since(sum->drops[p][r], cli_ctx->port_base[p].drops[r]));
			cmdline_printf(cl, "\n");
		}
		for (r = 0; r < NIC_MAX; r++) {
			cmdline_printf(cl, "%-20s", nic_drop_names[r]);
			for (p = first; p < last; p++)
				cmdline_printf(cl, " %14" PRIu64, nic[p][r]);
			cmdline_printf(cl, "\n");
		}
	}
	free(sum);
	for (w = 0; w < dp->nb_workers; w++)
		overflow += __atomic_load_n(&dp->workers[w].learn_overflow, __ATOMIC_RELAXED);
	if (vs_ops_ctrl_stats(cli_ctx->dp, &cs) != 0) {
		cli_error(cl, data, "the control lcore does not answer (vseal is stopping)");
		return;
	}
	cmdline_printf(cl, "\ncontrol lcore:\n");
	cmdline_printf(cl, "%-20s %14" PRIu64 "  learn requests lost to a full ring\n",
		"learn-ring-full", since(overflow, cli_ctx->learn_overflow_base));
	cmdline_printf(cl, "%-20s %14" PRIu64 "  locations not learned: table full\n",
		"learn-table-full",
		since(cs.learn_table_full, cli_ctx->ctrl_base.learn_table_full));
	cmdline_printf(cl, "%-20s %14" PRIu64 "  VTEPs not added: %u known already\n",
		"vteps-full", since(cs.vteps_full, cli_ctx->ctrl_base.vteps_full), VS_MAX_VTEPS);
	cmdline_printf(cl, "%-20s %14" PRIu64 "  exception frames not for us or malformed\n",
		"exception-ignored", since(cs.exc_ignored, cli_ctx->ctrl_base.exc_ignored));
	cmdline_printf(cl, "%-20s %14" PRIu64 "  ARP/ICMP answers lost to a full ring\n",
		"ctrl-tx-full", since(cs.ctrl_tx_full, cli_ctx->ctrl_base.ctrl_tx_full));
}

static cmdline_parse_inst_t cmd_show_drops = {
	.f = cmd_show_drops_parsed,
	.data = &cmd_show_drops,
	.help_str = "show drops: every drop reason with its count, per port",
	.tokens = { (void *)&cmd_lcore_show, (void *)&cmd_lcore_drops, NULL },
};

static cmdline_parse_inst_t *const lcore_cmds[] = {
	&cmd_show_lcores, &cmd_clear_lcores, &cmd_show_drops, NULL,
};

const struct cli_group cli_group_lcore = {
	.title = "Lcores and drops",
	.cmds = lcore_cmds,
};
