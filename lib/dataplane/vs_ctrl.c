/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control lcore: the only writer of the location table and of the ports' link state
 * as the workers see it. It polls rather than waits for interrupts: link state every
 * 100 ms, table upkeep (RCU reclaim) every loop. It sleeps 1 ms between loops; it is never
 * on the per-packet path.
 */
#include <stdbool.h>
#include <stdint.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "vs_dp.h"
#include "vs_log.h"

#define VS_CTRL_SLEEP_US 1000

static void
update_links(struct vs_dp *dp)
{
	unsigned int i;

	for (i = 0; i < dp->nb_ports; i++) {
		struct vs_dp_port *p = &dp->ports[i];
		bool up = vs_port_link_up(&p->port);

		if (up == __atomic_load_n(&p->up, __ATOMIC_RELAXED))
			continue;
		__atomic_store_n(&p->up, up, __ATOMIC_RELEASE);
		if (p->port.is_uplink)
			VS_LOG(INFO, ctl, "uplink: link %s", up ? "up" : "down");
		else
			VS_LOG(INFO, ctl, "guest %s: %s (%s mode, %s)", p->port.name,
				up ? "connected" : "disconnected",
				p->port.mode == VS_VHOST_CLIENT ? "client" : "server",
				p->port.socket);
	}
}

void
vs_ctrl_poll(struct vs_dp *dp)
{
	static uint64_t next_link;
	uint64_t now = rte_get_tsc_cycles();

	if (now >= next_link) {
		update_links(dp);
		next_link = now + rte_get_tsc_hz() / 10;
	}
	vs_table_reclaim(dp->table);
}

int
vs_ctrl_main(void *arg)
{
	struct vs_dp *dp = arg;

	VS_LOG(INFO, ctl, "control on lcore %u", rte_lcore_id());
	while (!vs_dp_quitting(dp)) {
		vs_ctrl_poll(dp);
		rte_delay_us_sleep(VS_CTRL_SLEEP_US);
	}
	return 0;
}
