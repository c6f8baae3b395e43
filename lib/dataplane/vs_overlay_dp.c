/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's overlay paths: encapsulation towards a remote location, head-end
 * replication of BUM frames to the VNI's flood list, and the uplink's receive path
 * (decapsulate, learn, deliver; ARP/ICMP to the control lcore). Split horizon: nothing that
 * came from the uplink is ever sent back to it.
 */
#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "vs_decap.h"
#include "vs_dp.h"
#include "vs_encap.h"
#include "vs_worker.h"

static inline void
drop(struct vs_worker *w, uint16_t port, enum vs_drop_reason r, struct rte_mbuf *m)
{
	w->stats.drops[port][r]++;
	rte_pktmbuf_free(m);
}

/* The frame would not fit the underlay once wrapped (large frames: see docs/offloads.md). */
static inline bool
too_big(const struct vs_dp *dp, const struct rte_mbuf *m)
{
	return m->pkt_len + VS_VXLAN_OUTER_L3_LEN + VS_VXLAN_UDP_VXLAN_LEN > dp->uplink_mtu;
}

/*
 * Wrap m for one VTEP and queue it on the uplink. m must be private (the caller's only
 * reference); when it is not, or has no headroom, a header mbuf is chained in front.
 */
static void
encap_send(struct vs_worker *w, uint16_t in_port, const struct vs_dp_vni *vni,
		const struct vs_encap_tmpl *t, struct rte_mbuf *m)
{
	struct vs_vxlan_outer *o;
	int ret;

	ret = vs_encap(m, t, 0);
	if (unlikely(ret == -ENOSPC || ret == -EPERM)) {
		struct rte_mbuf *hdr = rte_pktmbuf_alloc(w->dp->pool);

		if (hdr == NULL) {
			drop(w, in_port, VS_DROP_NO_MBUF, m);
			return;
		}
		if (rte_pktmbuf_chain(hdr, m) != 0) {
			rte_pktmbuf_free(hdr);
			drop(w, in_port, VS_DROP_NO_MBUF, m);
			return;
		}
		m = hdr;
		ret = vs_encap(m, t, 0);
	}
	if (unlikely(ret != 0)) {
		drop(w, in_port, VS_DROP_TOO_BIG, m);
		return;
	}
	o = rte_pktmbuf_mtod(m, struct vs_vxlan_outer *);
	o->vxlan.vni_rsvd = vni->vni_field;
	vs_worker_send(w, VS_PORT_UPLINK, m);
}

void
vs_worker_to_remote(struct vs_worker *w, uint16_t in_port, const struct vs_dp_vni *vni,
		const struct vs_loc_entry *e, struct rte_mbuf *m)
{
	const struct vs_encap_tmpl *t = NULL;

	if (likely(e->vtep != VS_LOC_VTEP_NONE))
		t = __atomic_load_n(&w->dp->vteps[e->vtep].tmpl, __ATOMIC_ACQUIRE);
	if (unlikely(t == NULL)) {
		drop(w, in_port, VS_DROP_VTEP_UNRESOLVED, m);
		return;
	}
	if (unlikely(too_big(w->dp, m))) {
		drop(w, in_port, VS_DROP_TOO_BIG, m);
		return;
	}
	encap_send(w, in_port, vni, t, m);
}

void
vs_worker_flood_bum(struct vs_worker *w, uint16_t in_port, const struct vs_dp_vni *vni,
		struct rte_mbuf *m)
{
	const struct vs_flood *f = __atomic_load_n(&vni->flood, __ATOMIC_ACQUIRE);
	const struct vs_encap_tmpl *tmpls[VS_MAX_FLOOD];
	uint16_t nb = 0, i;

	if (f != NULL && f->n != 0) {
		for (i = 0; i < f->n; i++) {
			const struct vs_encap_tmpl *t =
				__atomic_load_n(&w->dp->vteps[f->vtep[i]].tmpl, __ATOMIC_ACQUIRE);

			if (t != NULL)
				tmpls[nb++] = t;
			else
				w->stats.drops[in_port][VS_DROP_VTEP_UNRESOLVED]++;
		}
		if (nb != 0 && unlikely(too_big(w->dp, m))) {
			w->stats.drops[in_port][VS_DROP_TOO_BIG] += nb;
			nb = 0;
		}
	}
	if (nb == 0) {
		vs_worker_flood_local(w, in_port, vni, m);
		return;
	}
	/* One reference per VTEP copy (each gets its own header mbuf chained in front of
	 * the shared frame) plus the one flood_local consumes. */
	for (i = 0; i < nb; i++) {
		struct rte_mbuf *hdr = rte_pktmbuf_alloc(w->dp->pool);

		if (unlikely(hdr == NULL)) {
			w->stats.drops[in_port][VS_DROP_NO_MBUF]++;
			continue;
		}
		vs_mbuf_ref(m, 1);
		if (unlikely(rte_pktmbuf_chain(hdr, m) != 0)) {
			rte_pktmbuf_free(hdr);
			drop(w, in_port, VS_DROP_NO_MBUF, m);
			continue;
		}
		encap_send(w, in_port, vni, tmpls[i], hdr);
	}
	vs_worker_flood_local_quiet(w, in_port, vni, m);
}

/* Token bucket: VS_EXC_RATE frames per second, bursts of 64. */
static inline bool
exc_allowed(struct vs_worker *w, uint64_t now)
{
	uint64_t hz = rte_get_tsc_hz();

	if (w->exc_tokens == 0) {
		uint64_t add = (now - w->exc_last) * VS_EXC_RATE / hz;

		if (add == 0)
			return false;
		w->exc_tokens = RTE_MIN(add, 64u);
		w->exc_last = now;
	}
	w->exc_tokens--;
	return true;
}

static inline void
learn_req(struct vs_worker *w, uint32_t vni, const struct rte_ether_addr *mac,
		rte_be32_t vtep_ip)
{
	struct vs_learn_req r = { .vni = vni, .mac = *mac, .pad = 0, .vtep_ip = vtep_ip };

	if (rte_ring_sp_enqueue_elem(w->learn, &r, sizeof(r)) != 0)
		w->learn_overflow++;
}

void
vs_worker_uplink_rx(struct vs_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	struct vs_dp *dp = w->dp;
	struct vs_loc_key keys[VS_BURST * 2];
	const struct vs_loc_key *kp[VS_BURST * 2];
	const struct vs_loc_entry *res[VS_BURST * 2];
	struct rte_mbuf *acc[VS_BURST];
	uint16_t acc_vni[VS_BURST];
	rte_be32_t acc_src[VS_BURST];
	uint64_t now = rte_get_tsc_cycles();
	bool learning = __atomic_load_n(&dp->learning, __ATOMIC_RELAXED);
	uint32_t last_vni = UINT32_MAX;
	int last_idx = -1;
	uint16_t nb = 0, i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eth;
		struct vs_decap_meta meta;
		int vi;

		switch (vs_decap(m, dp->vtep_ip, dp->vxlan_port, &meta)) {
		case VS_DECAP_ACCEPT:
			break;
		case VS_DECAP_EXC_ARP:
		case VS_DECAP_EXC_ICMP:
			if (!exc_allowed(w, now) || rte_ring_sp_enqueue(w->exc, m) != 0)
				drop(w, VS_PORT_UPLINK, VS_DROP_EXCEPTION_LIMIT, m);
			continue;
		default:
			drop(w, VS_PORT_UPLINK, meta.drop, m);
			continue;
		}
		/* Last-VNI cache: a burst is usually one tunnel. */
		if (meta.vni == last_vni) {
			vi = last_idx;
		} else {
			vi = vs_dp_vni_index(dp, meta.vni);
			last_vni = meta.vni;
			last_idx = vi;
		}
		if (unlikely(vi < 0)) {
			drop(w, VS_PORT_UPLINK, VS_DROP_UNKNOWN_VNI, m);
			continue;
		}
		eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		vs_loc_key_make(&keys[2 * nb], meta.vni, &eth->dst_addr);
		vs_loc_key_make(&keys[2 * nb + 1], meta.vni, &eth->src_addr);
		kp[2 * nb] = &keys[2 * nb];
		kp[2 * nb + 1] = &keys[2 * nb + 1];
		acc[nb] = m;
		acc_vni[nb] = (uint16_t)vi;
		acc_src[nb] = meta.outer_src;
		nb++;
	}
	if (nb == 0)
		return;
	vs_table_lookup_bulk(dp->table, kp, 2 * nb, res);
	for (i = 0; i < nb; i++) {
		const struct vs_loc_entry *d = res[2 * i], *s = res[2 * i + 1];
		const struct vs_dp_vni *vni = &dp->vnis[acc_vni[i]];
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(acc[i],
			const struct rte_ether_hdr *);

		if (learning && !rte_is_multicast_ether_addr(&eth->src_addr) &&
				(s == NULL ||
				 (s->origin == VS_LOC_LEARNED &&
				  (s->vtep_ip != acc_src[i] ||
				   now - __atomic_load_n(&s->last_seen, __ATOMIC_RELAXED) >
					dp->refresh_tsc)) ||
				 (s->origin == VS_LOC_LOCAL &&
				  !__atomic_load_n(&dp->ports[s->port].up, __ATOMIC_RELAXED))))
			learn_req(w, vni->vni, &eth->src_addr, acc_src[i]);

		if (rte_is_multicast_ether_addr(&eth->dst_addr) || d == NULL)
			vs_worker_flood_local(w, VS_PORT_UPLINK, vni, acc[i]);
		else if (d->port != VS_LOC_PORT_NONE)
			vs_worker_send(w, d->port, acc[i]);
		else
			drop(w, VS_PORT_UPLINK, VS_DROP_SPLIT_HORIZON, acc[i]);
	}
}
