/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker lcore: run to completion over the (port, queue) pairs the config gives it.
 * Per loop: report an RCU quiescent state, send what other workers handed over for the tx
 * queues this worker owns, poll each rx queue for a burst, classify and switch the burst,
 * then flush every destination that got frames. Nothing here locks, allocates from the heap
 * or logs except rate-limited.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "vs_dp.h"
#include "vs_log.h"
#include "vs_worker.h"

static inline void
drop(struct vs_worker *w, uint16_t port, enum vs_drop_reason r, struct rte_mbuf *m)
{
	w->stats.drops[port][r]++;
	rte_pktmbuf_free(m);
}

void
vs_worker_flush(struct vs_worker *w, uint16_t port)
{
	struct vs_dp_port *dp_port = &w->dp->ports[port];
	struct vs_txbuf *tb = &w->txbuf[port];
	uint16_t sent, i;
	int16_t q = w->own_txq[port];

	if (tb->len == 0)
		return;
	if (q >= 0) {
		sent = rte_eth_tx_burst(dp_port->port.port_id, (uint16_t)q, tb->pkts, tb->len);
		w->stats.tx[port] += sent;
		for (i = sent; i < tb->len; i++)
			drop(w, port, VS_DROP_TX_FULL, tb->pkts[i]);
	} else {
		sent = (uint16_t)rte_ring_mp_enqueue_burst(dp_port->handoff[w->handoff_txq[port]],
			(void **)tb->pkts, tb->len, NULL);
		for (i = sent; i < tb->len; i++)
			drop(w, port, VS_DROP_HANDOFF_FULL, tb->pkts[i]);
	}
	tb->len = 0;
}

void
vs_worker_send(struct vs_worker *w, uint16_t port, struct rte_mbuf *m)
{
	if (unlikely(!__atomic_load_n(&w->dp->ports[port].up, __ATOMIC_RELAXED))) {
		drop(w, port, VS_DROP_DEST_DOWN, m);
		return;
	}
	vs_worker_queue(w, port, m);
}

static inline void
flush_all(struct vs_worker *w)
{
	uint16_t i;

	for (i = 0; i < w->nb_dirty; i++) {
		vs_worker_flush(w, w->dirty[i]);
		w->txbuf[w->dirty[i]].listed = false;
	}
	w->nb_dirty = 0;
}


/* May a local guest's port take m's offload requests as they are? */
static inline bool
local_ol_ok(const struct vs_dp_port *dst, const struct rte_mbuf *m)
{
	return !(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) ||
		__atomic_load_n(&dst->guest_tso, __ATOMIC_RELAXED);
}

static void
flood_local(struct vs_worker *w, uint16_t in_port, const struct vs_dp_vni *vni,
		struct rte_mbuf *m, bool count_empty)
{
	uint16_t targets[VS_MAX_GUESTS];
	uint16_t nb = 0, i;

	for (i = 0; i < vni->nb_local; i++) {
		uint16_t p = vni->local[i];

		if (p == in_port || !__atomic_load_n(&w->dp->ports[p].up, __ATOMIC_RELAXED))
			continue;
		if (unlikely(!local_ol_ok(&w->dp->ports[p], m))) {
			w->stats.drops[p][VS_DROP_GUEST_NO_TSO]++;
			continue;
		}
		targets[nb++] = p;
	}
	if (nb == 0) {
		if (count_empty)
			w->stats.drops[in_port][VS_DROP_FLOOD_EMPTY]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (nb > 1)
		vs_mbuf_ref(m, (int16_t)(nb - 1));
	for (i = 0; i < nb; i++)
		vs_worker_send(w, targets[i], m);
}

void
vs_worker_flood_local(struct vs_worker *w, uint16_t in_port, const struct vs_dp_vni *vni,
		struct rte_mbuf *m)
{
	flood_local(w, in_port, vni, m, true);
}

void
vs_worker_flood_local_quiet(struct vs_worker *w, uint16_t in_port,
		const struct vs_dp_vni *vni, struct rte_mbuf *m)
{
	flood_local(w, in_port, vni, m, false);
}

/* Frames a guest sent: anti-spoofing, VLAN and runt checks, then one bulk lookup of the
 * unicast destinations; a run of frames to one destination is looked up once. */
static void
guest_rx(struct vs_worker *w, struct vs_dp_port *in, struct rte_mbuf **pkts, uint16_t n)
{
	const struct vs_dp_vni *vni = &w->dp->vnis[in->vni_idx];
	const uint16_t in_idx = in->port.idx;
	const uint32_t max_len = (uint32_t)in->port.mtu + RTE_ETHER_HDR_LEN;
	struct vs_loc_key keys[VS_BURST];
	const struct vs_loc_key *kp[VS_BURST];
	const struct vs_loc_entry *res[VS_BURST];
	struct rte_mbuf *uni[VS_BURST];
	uint16_t end[VS_BURST];
	uint64_t own = 0, last_dst = 0;
	uint16_t nb_uni = 0, nb_keys = 0, i, k;

	memcpy(&own, &in->port.mac, RTE_ETHER_ADDR_LEN);
	own = rte_le_to_cpu_64(own);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const uint8_t *eth;
		uint64_t dst;
		rte_be16_t type;

		if (unlikely(m->data_len < sizeof(struct rte_ether_hdr))) {
			drop(w, in_idx, VS_DROP_RUNT, m);
			continue;
		}
		eth = rte_pktmbuf_mtod(m, const uint8_t *);
		if (unlikely(vs_mac48(eth + RTE_ETHER_ADDR_LEN) != own)) {
			drop(w, in_idx, VS_DROP_GUEST_SPOOF, m);
			continue;
		}
		if (unlikely(m->pkt_len > max_len && !(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG))) {
			drop(w, in_idx, VS_DROP_TOO_BIG, m);
			continue;
		}
		memcpy(&type, eth + 2 * RTE_ETHER_ADDR_LEN, sizeof(type));
		if (unlikely(type != RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
				(type == RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
				 type == RTE_BE16(RTE_ETHER_TYPE_QINQ) ||
				 type == RTE_BE16(RTE_ETHER_TYPE_QINQ1)))) {
			drop(w, in_idx, VS_DROP_GUEST_VLAN, m);
			continue;
		}
		if (eth[0] & RTE_ETHER_GROUP_ADDR) {	/* broadcast or multicast */
			vs_worker_flood_bum(w, in_idx, vni, m);
			continue;
		}
		/* Last-key cache: a run of frames to one MAC shares one lookup. */
		dst = vs_mac48(eth);
		if (nb_keys == 0 || dst != last_dst) {
			if (nb_keys != 0)
				end[nb_keys - 1] = nb_uni;
			vs_loc_key_make(&keys[nb_keys], vni->vni,
				(const struct rte_ether_addr *)eth);
			kp[nb_keys] = &keys[nb_keys];
			nb_keys++;
			last_dst = dst;
		}
		uni[nb_uni++] = m;
	}
	if (nb_uni == 0)
		return;
	end[nb_keys - 1] = nb_uni;
	vs_table_lookup_bulk(w->dp->table, kp, nb_keys, res);
	/* Key k's frames are uni[end[k - 1] .. end[k] - 1]: a run to one destination. */
	for (k = 0, i = 0; k < nb_keys; k++) {
		const struct vs_loc_entry *e = res[k];

		if (e == NULL) {
			for (; i < end[k]; i++)
				vs_worker_flood_bum(w, in_idx, vni, uni[i]);   /* unknown unicast */
		} else if (e->port == VS_LOC_PORT_NONE) {
			vs_worker_to_remote_burst(w, in_idx, vni, e, &uni[i], end[k] - i);
			i = end[k];
		} else {
			for (; i < end[k]; i++) {
				struct rte_mbuf *m = uni[i];

				if (unlikely(e->port == in_idx))
					drop(w, in_idx, VS_DROP_HAIRPIN, m);
				else if (unlikely(!local_ol_ok(&w->dp->ports[e->port], m)))
					drop(w, e->port, VS_DROP_GUEST_NO_TSO, m);
				else
					vs_worker_send(w, e->port, m);
			}
		}
	}
}

/* Send what other workers handed over for the tx queues this worker owns. */
static inline uint16_t
drain_handoff(struct vs_worker *w)
{
	struct rte_mbuf *pkts[VS_BURST * 2];
	uint16_t moved = 0, i, j;

	for (i = 0; i < w->nb_pq; i++) {
		const struct vs_cfg_pq *pq = &w->pq[i];
		struct vs_dp_port *p = &w->dp->ports[pq->port];
		unsigned int n;
		uint16_t sent;

		n = rte_ring_sc_dequeue_burst(p->handoff[pq->queue], (void **)pkts,
			RTE_DIM(pkts), NULL);
		if (likely(n == 0))
			continue;
		sent = rte_eth_tx_burst(p->port.port_id, pq->queue, pkts, (uint16_t)n);
		w->stats.tx[pq->port] += sent;
		for (j = sent; j < n; j++)
			drop(w, pq->port, VS_DROP_TX_FULL, pkts[j]);
		moved += (uint16_t)n;
	}
	return moved;
}

int
vs_worker_main(void *arg)
{
	struct vs_worker *w = arg;
	struct vs_dp *dp = w->dp;
	struct rte_mbuf *pkts[VS_BURST];
	uint64_t t0, t1;
	unsigned int idle = 0;
	uint16_t i;

	rte_rcu_qsbr_thread_register(dp->qsbr, w->qsbr_id);
	rte_rcu_qsbr_thread_online(dp->qsbr, w->qsbr_id);
	VS_LOG(INFO, dp, "worker %u on lcore %u polls %u queue(s)", w->index, w->lcore,
		w->nb_pq);
	t0 = rte_rdtsc();
	while (likely(!vs_dp_quitting(dp))) {
		uint32_t moved;

		rte_rcu_qsbr_quiescent(dp->qsbr, w->qsbr_id);
		moved = drain_handoff(w);
		for (i = 0; i < w->nb_pq; i++) {
			const struct vs_cfg_pq *pq = &w->pq[i];
			struct vs_dp_port *p = &dp->ports[pq->port];
			uint16_t n;

			n = rte_eth_rx_burst(p->port.port_id, pq->queue, pkts, VS_BURST);
			if (unlikely(n == 0))
				continue;
			moved += n;
			w->stats.rx[pq->port] += n;
			if (p->port.is_uplink)
				vs_worker_uplink_rx(w, pkts, n);
			else
				guest_rx(w, p, pkts, n);
		}
		flush_all(w);
		if (w->reasm != NULL)
			vs_reasm_flush(w->reasm, rte_get_tsc_cycles());

		t1 = rte_rdtsc();
		w->stats.loops++;
		if (moved != 0) {
			w->stats.busy_cycles += t1 - t0;
			idle = 0;
		} else {
			w->stats.idle_cycles += t1 - t0;
			if (dp->idle_sleep_us != 0 && ++idle >= VS_IDLE_POLLS) {
				/* Offline while asleep so the table's writer need not wait. */
				rte_rcu_qsbr_thread_offline(dp->qsbr, w->qsbr_id);
				rte_delay_us_sleep(dp->idle_sleep_us);
				rte_rcu_qsbr_thread_online(dp->qsbr, w->qsbr_id);
				t0 = t1;
				t1 = rte_rdtsc();
				w->stats.idle_cycles += t1 - t0;
			}
		}
		t0 = t1;
	}
	flush_all(w);
	rte_rcu_qsbr_thread_offline(dp->qsbr, w->qsbr_id);
	rte_rcu_qsbr_thread_unregister(dp->qsbr, w->qsbr_id);
	return 0;
}
