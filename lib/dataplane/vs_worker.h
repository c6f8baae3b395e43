/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Internal interface between the worker loop (vs_worker.c) and the overlay paths
 * (vs_overlay_dp.c). Worker lcore only. Every function takes ownership of the mbufs it is
 * given: they are sent, handed over or dropped (counted) before it returns or at the next
 * flush.
 */
#ifndef VS_WORKER_H
#define VS_WORKER_H

#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_mbuf.h>

#include "vs_dp.h"

/** Queue m for port (flushed at the end of the loop); dropped when the port is down. */
void vs_worker_send(struct vs_worker *w, uint16_t port, struct rte_mbuf *m);

/** Transmit (or hand over) what is queued for port now. */
void vs_worker_flush(struct vs_worker *w, uint16_t port);

/** The 6 bytes of a MAC address at p as the low 48 bits of a word (reads 8 bytes). */
static inline uint64_t
vs_mac48(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return rte_le_to_cpu_64(v) & RTE_LEN2MASK(48, uint64_t);
}

/** vs_worker_send() for a caller that has checked that port is up. */
static inline void
vs_worker_queue(struct vs_worker *w, uint16_t port, struct rte_mbuf *m)
{
	struct vs_txbuf *tb = &w->txbuf[port];

	/* Listed once however often a full buffer is flushed early: dirty[] cannot overflow. */
	if (!tb->listed) {
		tb->listed = true;
		w->dirty[w->nb_dirty++] = port;
	}
	tb->pkts[tb->len++] = m;
	if (unlikely(tb->len == RTE_DIM(tb->pkts)))
		vs_worker_flush(w, port);
}

/** vs_worker_queue() of n frames (n <= VS_BURST * 2); in order after what is queued. */
static inline void
vs_worker_queue_bulk(struct vs_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct vs_txbuf *tb = &w->txbuf[port];
	uint16_t len = tb->len, i;

	if (n == 0)
		return;
	if (!tb->listed) {
		tb->listed = true;
		w->dirty[w->nb_dirty++] = port;
	}
	if (len + n > RTE_DIM(tb->pkts)) {
		vs_worker_flush(w, port);
		len = 0;
	}
	for (i = 0; i < n; i++)
		tb->pkts[len + i] = pkts[i];
	tb->len = (uint16_t)(len + n);
}

/** Copy m to every other connected local guest of vni (by reference, not by copy). */
void vs_worker_flood_local(struct vs_worker *w, uint16_t in_port, const struct vs_dp_vni *vni,
		struct rte_mbuf *m);

/** As vs_worker_flood_local(), but no local target is not a drop (copies went to VTEPs). */
void vs_worker_flood_local_quiet(struct vs_worker *w, uint16_t in_port,
		const struct vs_dp_vni *vni, struct rte_mbuf *m);

/**
 * Take n more references on every segment of m: the same mbuf then goes to several ports
 * that only read it (vhost copies into guest memory, a NIC sends it out).
 */
static inline void
vs_mbuf_ref(struct rte_mbuf *m, int16_t n)
{
	for (; m != NULL; m = m->next)
		rte_mbuf_refcnt_update(m, n);
}

/** Broadcast, multicast or unknown unicast from guest in_port: local guests and VTEPs. */
void vs_worker_flood_bum(struct vs_worker *w, uint16_t in_port, const struct vs_dp_vni *vni,
		struct rte_mbuf *m);

/** Unicast from guest in_port to a remote location e: encapsulate towards e's VTEP. */
void vs_worker_to_remote(struct vs_worker *w, uint16_t in_port, const struct vs_dp_vni *vni,
		const struct vs_loc_entry *e, struct rte_mbuf *m);

/* A run of frames from one guest to one remote location (same entry): the template is
 * loaded once; frames without offload requests that fit are wrapped and queued inline. */
void vs_worker_to_remote_burst(struct vs_worker *w, uint16_t in_port,
		const struct vs_dp_vni *vni, const struct vs_loc_entry *e, struct rte_mbuf **pkts,
		uint16_t n);

/** A burst from the uplink: decapsulate and deliver, or hand to the control lcore, or drop. */
void vs_worker_uplink_rx(struct vs_worker *w, struct rte_mbuf **pkts, uint16_t n);

#endif /* VS_WORKER_H */
