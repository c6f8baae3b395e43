/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The overlay paths of the worker: flooding to remote VTEPs, encapsulation towards a remote
 * location, and the uplink's receive path. Until the overlay lands the uplink is polled
 * and what arrives is dropped and counted.
 */
#include <rte_mbuf.h>

#include "vs_dp.h"
#include "vs_worker.h"

void
vs_worker_flood_bum(struct vs_worker *w, uint16_t in_port, const struct vs_dp_vni *vni,
		struct rte_mbuf *m)
{
	vs_worker_flood_local(w, in_port, vni, m);
}

void
vs_worker_to_remote(struct vs_worker *w, uint16_t in_port, const struct vs_dp_vni *vni,
		const struct vs_loc_entry *e, struct rte_mbuf *m)
{
	RTE_SET_USED(vni);
	RTE_SET_USED(e);
	w->stats.drops[in_port][VS_DROP_VTEP_UNRESOLVED]++;
	rte_pktmbuf_free(m);
}

void
vs_worker_uplink_rx(struct vs_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	w->stats.drops[VS_PORT_UPLINK][VS_DROP_UNDERLAY_PROTO] += n;
	rte_pktmbuf_free_bulk(pkts, n);
}
