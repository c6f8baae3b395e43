/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's overlay paths: encapsulation towards a remote location, head-end
 * replication of BUM frames to the VNI's flood list, and the uplink's receive path
 * (reassemble, decapsulate, learn, coalesce, deliver; ARP/ICMP to the control lcore).
 * Split horizon: nothing that came from the uplink is ever sent back to it.
 *
 * Large frames (docs/offloads.md): a guest's TSO frame is encapsulated once, then cut to
 * the uplink's MTU by the NIC (tunnel TSO) or by librte_gso; a large frame that is not TCP
 * is fragmented (outer IPv4) in a VNI with fragment = on, else dropped with an ICMP
 * "fragmentation needed" back to the guest.
 */
#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_gro.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "vs_decap.h"
#include "vs_dp.h"
#include "vs_encap.h"
#include "vs_frag.h"
#include "vs_offload.h"
#include "vs_worker.h"

#define VS_SEGS_MAX 64          /**< wire packets one 64 KB frame may become */

static inline void
drop(struct vs_worker *w, uint16_t port, enum vs_drop_reason r, struct rte_mbuf *m)
{
	w->stats.drops[port][r]++;
	rte_pktmbuf_free(m);
}

/* Does the frame fit in one outer packet on the uplink? */
static inline bool
fits(const struct vs_dp *dp, const struct rte_mbuf *m)
{
	return m->pkt_len + VS_VXLAN_OUTER_L3_LEN + VS_VXLAN_UDP_VXLAN_LEN <= dp->uplink_mtu;
}

/*
 * Wrap m for one VTEP and this VNI. m must be private (the caller's only reference);
 * when its headroom is too small, a header mbuf is chained in front.
 * Returns the frame to send, or NULL when it was dropped (counted).
 */
static struct rte_mbuf *
encap(struct vs_worker *w, uint16_t in_port, const struct vs_dp_vni *vni,
		const struct vs_encap_tmpl *t, struct rte_mbuf *m, uint32_t flags)
{
	struct vs_vxlan_outer *o;
	int ret;

	ret = vs_encap(m, t, flags);
	if (unlikely(ret == -ENOSPC || ret == -EPERM)) {
		struct rte_mbuf *hdr = rte_pktmbuf_alloc(w->dp->pool);

		if (hdr == NULL) {
			drop(w, in_port, VS_DROP_NO_MBUF, m);
			return NULL;
		}
		if (rte_pktmbuf_chain(hdr, m) != 0) {
			rte_pktmbuf_free(hdr);
			drop(w, in_port, VS_DROP_NO_MBUF, m);
			return NULL;
		}
		m = hdr;
		ret = vs_encap(m, t, flags);
	}
	if (unlikely(ret != 0)) {
		drop(w, in_port, VS_DROP_TOO_BIG, m);
		return NULL;
	}
	o = rte_pktmbuf_mtod(m, struct vs_vxlan_outer *);
	o->vxlan.vni_rsvd = vni->vni_field;
	return m;
}

/* A guest TCP frame larger than the wire: one encapsulation, then NIC TSO or librte_gso. */
static void
remote_tso(struct vs_worker *w, uint16_t in_port, const struct vs_dp_vni *vni,
		const struct vs_encap_tmpl *t, struct rte_mbuf *m)
{
	struct vs_dp *dp = w->dp;
	struct rte_mbuf *segs[VS_SEGS_MAX];
	int n, i;

	m = encap(w, in_port, vni, t, m, dp->encap_ol);
	if (m == NULL)
		return;
	if (dp->seg_path == VS_SEG_NIC) {
		if (unlikely(vs_offload_tnl_tso_prepare(m, dp->uplink_mtu,
				dp->ports[VS_PORT_UPLINK].port.tx_offloads) != 0)) {
			drop(w, in_port, VS_DROP_BAD_OFFLOAD, m);
			return;
		}
		w->stats.tso_frames++;
		vs_worker_send(w, VS_PORT_UPLINK, m);
		return;
	}
	n = vs_offload_gso(m, &w->gso_ctx, segs, RTE_DIM(segs));
	if (unlikely(n <= 0)) {
		drop(w, in_port, n == -ENOMEM ? VS_DROP_NO_MBUF : VS_DROP_BAD_OFFLOAD, m);
		return;
	}
	w->stats.gso_frames++;
	w->stats.gso_segments += (uint64_t)n;
	for (i = 0; i < n; i++)
		vs_worker_send(w, VS_PORT_UPLINK, segs[i]);
}

/* Not TCP and larger than the wire: fragment the outer packet, or refuse with ICMP. */
static void
remote_too_big(struct vs_worker *w, uint16_t in_port, const struct vs_dp_vni *vni,
		const struct vs_encap_tmpl *t, struct rte_mbuf *m)
{
	struct vs_dp *dp = w->dp;
	struct rte_mbuf *segs[VS_SEGS_MAX];
	struct vs_vxlan_outer *o;
	int n, i;

	if (!vni->fragment) {
		/* RFC 7348: a VTEP must not fragment. Tell an IPv4 sender (DF set) the MTU
		 * that fits, so its path MTU discovery works. */
		struct rte_mbuf *icmp = vs_offload_icmp_frag_needed(m,
			(uint16_t)(dp->uplink_mtu - VS_VXLAN_OUTER_LEN), dp->pool);

		if (icmp != NULL) {
			w->stats.icmp_frag_needed++;
			vs_worker_send(w, in_port, icmp);
		}
		drop(w, in_port, VS_DROP_TOO_BIG, m);
		return;
	}
	m = encap(w, in_port, vni, t, m, 0);
	if (m == NULL)
		return;
	o = rte_pktmbuf_mtod(m, struct vs_vxlan_outer *);
	o->ip.fragment_offset = 0;   /* DF off: this VNI allows fragmenting */
	/* The worker's index in the ID's top bits: two workers never reuse an ID towards
	 * one VTEP within the reassembly timeout. */
	n = vs_frag_outer(m, dp->uplink_mtu,
		(uint16_t)((w->index << 11) | (w->ip_id++ & 0x7ff)), dp->pool, dp->pool, segs,
		RTE_DIM(segs));
	if (unlikely(n <= 0)) {
		drop(w, in_port, n == -ENOMEM ? VS_DROP_NO_MBUF : VS_DROP_TOO_BIG, m);
		return;
	}
	w->stats.frag_frames++;
	w->stats.frag_fragments += (uint64_t)n;
	for (i = 0; i < n; i++)
		vs_worker_send(w, VS_PORT_UPLINK, segs[i]);
}

/* m is private: wrap it for one VTEP, cutting it to the wire as needed. */
static void
remote_send(struct vs_worker *w, uint16_t in_port, const struct vs_dp_vni *vni,
		const struct vs_encap_tmpl *t, struct rte_mbuf *m)
{
	struct vs_dp *dp = w->dp;

	if (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) {
		if (!fits(dp, m)) {
			remote_tso(w, in_port, vni, t, m);
			return;
		}
		/* Already wire-sized: only the checksum the guest left to us remains. */
		m->ol_flags = (m->ol_flags & ~RTE_MBUF_F_TX_TCP_SEG) | RTE_MBUF_F_TX_TCP_CKSUM;
	}
	if (m->ol_flags & (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_IP_CKSUM)) {
		if (unlikely(vs_offload_cksum_sw(m) != 0)) {
			drop(w, in_port, VS_DROP_BAD_OFFLOAD, m);
			return;
		}
	}
	if (unlikely(!fits(dp, m))) {
		remote_too_big(w, in_port, vni, t, m);
		return;
	}
	m = encap(w, in_port, vni, t, m, 0);
	if (m != NULL)
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
	remote_send(w, in_port, vni, t, m);
}

void
vs_worker_to_remote_burst(struct vs_worker *w, uint16_t in_port, const struct vs_dp_vni *vni,
		const struct vs_loc_entry *e, struct rte_mbuf **pkts, uint16_t n)
{
	const struct vs_encap_tmpl *t = NULL;
	struct vs_dp *dp = w->dp;
	struct rte_mbuf *out[VS_BURST];
	uint32_t max_inner;
	uint16_t i, nb_out = 0;

	if (likely(e->vtep != VS_LOC_VTEP_NONE))
		t = __atomic_load_n(&dp->vteps[e->vtep].tmpl, __ATOMIC_ACQUIRE);
	if (unlikely(t == NULL)) {
		for (i = 0; i < n; i++)
			drop(w, in_port, VS_DROP_VTEP_UNRESOLVED, pkts[i]);
		return;
	}
	/* The common case, inlined (vs_encap_fast()): the uplink is up, the frame fits and
	 * needs nothing finished or cut. Anything else goes the general way. */
	if (unlikely(!__atomic_load_n(&dp->ports[VS_PORT_UPLINK].up, __ATOMIC_RELAXED))) {
		for (i = 0; i < n; i++)
			remote_send(w, in_port, vni, t, pkts[i]);
		return;
	}
	max_inner = (uint32_t)dp->uplink_mtu - VS_VXLAN_OUTER_L3_LEN - VS_VXLAN_UDP_VXLAN_LEN;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (likely(vs_encap_fast(m, t, vni->vni_field, max_inner)))
			out[nb_out++] = m;
		else
			remote_send(w, in_port, vni, t, m);
	}
	vs_worker_queue_bulk(w, VS_PORT_UPLINK, out, nb_out);
}

void
vs_worker_flood_bum(struct vs_worker *w, uint16_t in_port, const struct vs_dp_vni *vni,
		struct rte_mbuf *m)
{
	const struct vs_flood *f = __atomic_load_n(&vni->flood, __ATOMIC_ACQUIRE);
	const struct vs_encap_tmpl *tmpls[VS_MAX_FLOOD];
	bool shared_ok;
	uint16_t nb = 0, i;

	if (f != NULL) {
		for (i = 0; i < f->n; i++) {
			const struct vs_encap_tmpl *t =
				__atomic_load_n(&w->dp->vteps[f->vtep[i]].tmpl, __ATOMIC_ACQUIRE);

			if (t != NULL)
				tmpls[nb++] = t;
			else
				w->stats.drops[in_port][VS_DROP_VTEP_UNRESOLVED]++;
		}
	}
	if (nb == 0) {
		vs_worker_flood_local(w, in_port, vni, m);
		return;
	}
	/*
	 * A wire-sized frame without offload requests is shared: each VTEP copy is a header
	 * mbuf chained in front of it. Anything that must be modified or cut (checksum,
	 * segmentation, fragments) gets a private copy per VTEP.
	 */
	shared_ok = fits(w->dp, m) &&
		!(m->ol_flags & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_L4_MASK |
			RTE_MBUF_F_TX_IP_CKSUM));
	for (i = 0; i < nb; i++) {
		struct rte_mbuf *c;

		if (shared_ok) {
			c = rte_pktmbuf_alloc(w->dp->pool);
			if (likely(c != NULL)) {
				vs_mbuf_ref(m, 1);
				if (unlikely(rte_pktmbuf_chain(c, m) != 0)) {
					rte_pktmbuf_free(c);
					drop(w, in_port, VS_DROP_NO_MBUF, m);
					continue;
				}
			}
		} else {
			c = rte_pktmbuf_copy(m, w->dp->pool, 0, UINT32_MAX);
			if (likely(c != NULL)) {
				c->ol_flags = m->ol_flags;
				c->tx_offload = m->tx_offload;
			}
		}
		if (unlikely(c == NULL)) {
			w->stats.drops[in_port][VS_DROP_NO_MBUF]++;
			continue;
		}
		remote_send(w, in_port, vni, tmpls[i], c);
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

/* Outer IPv4 fragment addressed to us? (vs_decap already found it to be a fragment.) */
static inline bool
fragment_for_us(const struct vs_dp *dp, const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
		RTE_ETHER_HDR_LEN);

	return m->data_len >= RTE_ETHER_HDR_LEN + sizeof(*ip) && ip->dst_addr == dp->vtep_ip;
}

/*
 * Classify one uplink frame. Returns the verdict; on VS_DECAP_ACCEPT *mp is the inner
 * frame (possibly a reassembled packet in place of the fragment given). Everything else
 * is consumed here: dropped and counted, or handed to the control lcore.
 */
static enum vs_decap_verdict
uplink_classify(struct vs_worker *w, struct rte_mbuf **mp, struct vs_decap_meta *meta,
		uint64_t now)
{
	struct vs_dp *dp = w->dp;
	struct rte_mbuf *m = *mp;
	enum vs_decap_verdict v;

	v = vs_decap(m, dp->vtep_ip, dp->vxlan_port, meta);
	if (v == VS_DECAP_DROP && meta->drop == VS_DROP_IP_FRAGMENT && dp->fragment_any &&
			fragment_for_us(dp, m)) {
		enum vs_drop_reason why = VS_DROP_MAX;

		/* Held for more fragments, or dropped: the table counts every fragment it
		 * drops (this one, those dropped with it, timeouts), vs_dp_stats_sum(). */
		m = vs_reasm_feed(w->reasm, m, now, &why);
		if (m == NULL)
			return VS_DECAP_DROP;
		w->stats.reassembled++;
		*mp = m;
		v = vs_decap(m, dp->vtep_ip, dp->vxlan_port, meta);
	}
	switch (v) {
	case VS_DECAP_ACCEPT:
		break;
	case VS_DECAP_EXC_ARP:
	case VS_DECAP_EXC_ICMP:
		if (!exc_allowed(w, now) || rte_ring_sp_enqueue(w->exc, m) != 0)
			drop(w, VS_PORT_UPLINK, VS_DROP_EXCEPTION_LIMIT, m);
		break;
	default:
		drop(w, VS_PORT_UPLINK, meta->drop, m);
		break;
	}
	return v;
}

/*
 * Coalesce the TCP segments of one guest's share of the burst (librte_gro, per
 * destination port so frames of different VNIs never merge) and deliver them; merged
 * frames go to the guest as one large segment with TSO metadata.
 */
static void
deliver_gro(struct vs_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_gro_param param = {
		.gro_types = RTE_GRO_TCP_IPV4,
		.max_flow_num = VS_BURST,
		.max_item_per_flow = VS_BURST,
	};
	struct rte_mbuf *tcp[VS_BURST];
	uint16_t mss = 0, nb_tcp = 0, i, nb;

	for (i = 0; i < n; i++) {
		struct rte_net_hdr_lens hl;
		struct rte_mbuf *m = pkts[i];
		uint32_t payload;

		m->packet_type = rte_net_get_ptype(m, &hl, RTE_PTYPE_L2_MASK |
			RTE_PTYPE_L3_MASK | RTE_PTYPE_L4_MASK);
		m->l2_len = hl.l2_len;
		m->l3_len = hl.l3_len;
		m->l4_len = hl.l4_len;
		/* librte_gro checks no checksum and the guest will not check a merged frame:
		 * only segments verified here are merged; the others go as they came. */
		if ((m->packet_type & RTE_PTYPE_L4_MASK) != RTE_PTYPE_L4_TCP ||
				!RTE_ETH_IS_IPV4_HDR(m->packet_type) ||
				vs_offload_cksum_check(m) != 1) {
			vs_worker_send(w, port, m);
			continue;
		}
		payload = m->pkt_len - hl.l2_len - hl.l3_len - hl.l4_len;
		if (payload > mss)
			mss = (uint16_t)payload;
		tcp[nb_tcp++] = m;
	}
	if (nb_tcp == 0)
		return;
	w->stats.gro_in += nb_tcp;
	nb = rte_gro_reassemble_burst(tcp, nb_tcp, &param);
	w->stats.gro_out += nb;
	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = tcp[i];

		/* Merged or not, the guest gets the frame with TSO metadata and a partial
		 * checksum: a merge of two small segments has a stale one otherwise. */
		if (mss != 0 && (m->packet_type & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_TCP)
			vs_offload_gro_to_tso(m, mss);
		vs_worker_send(w, port, m);
	}
}

/* Frames of one conversation in a burst from the uplink: the same VNI, inner destination and
 * source, outer source. They share their lookups, the learning decision and the delivery. */
struct uplink_run {
	uint16_t start;                        /**< first frame in acc[] */
	uint16_t vni_idx;
	uint8_t key;                           /**< keys[key]: destination; keys[key + 1]: source */
	rte_be32_t outer_src;
};

/* Should the source of a run be (re)learned? */
static inline bool
uplink_learn_needed(const struct vs_dp *dp, const struct vs_loc_entry *s, rte_be32_t outer_src,
		uint64_t now)
{
	if (s == NULL)
		return true;
	if (s->origin == VS_LOC_LEARNED)
		return s->vtep_ip != outer_src ||
			now - __atomic_load_n(&s->last_seen, __ATOMIC_RELAXED) >
			__atomic_load_n(&dp->refresh_tsc, __ATOMIC_RELAXED);
	/* A guest that moved away leaves its local entry behind a port that is down. */
	return s->origin == VS_LOC_LOCAL &&
		!__atomic_load_n(&dp->ports[s->port].up, __ATOMIC_RELAXED);
}

void
vs_worker_uplink_rx(struct vs_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	struct vs_dp *dp = w->dp;
	struct vs_loc_key keys[VS_BURST * 2];
	const struct vs_loc_key *kp[VS_BURST * 2];
	const struct vs_loc_entry *res[VS_BURST * 2];
	struct rte_mbuf *acc[VS_BURST];
	struct uplink_run runs[VS_BURST + 1];
	struct rte_mbuf *gro_pkts[VS_BURST];
	uint16_t gro_port[VS_BURST];
	uint64_t now = rte_get_tsc_cycles();
	bool learning = __atomic_load_n(&dp->learning, __ATOMIC_RELAXED);
	uint32_t last_vni = UINT32_MAX;
	int last_idx = -1;
	uint64_t dst, src, key_dst = 0, key_src = 0;
	uint32_t key_vni = 0;
	rte_be32_t key_outer = 0;
	uint16_t nb = 0, nb_keys = 0, nb_runs = 0, nb_gro = 0, i, j, r;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eth;
		struct vs_decap_meta meta;
		int vi;

		if (uplink_classify(w, &m, &meta, now) != VS_DECAP_ACCEPT)
			continue;
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
		/* Last-key cache: a run of frames of one conversation shares its two lookups.
		 * (vs_decap() accepted an inner Ethernet header: 14 bytes, so 8 at +6 are in.) */
		dst = vs_mac48(&eth->dst_addr);
		src = vs_mac48(&eth->src_addr);
		if (nb_runs == 0 || meta.vni != key_vni || dst != key_dst || src != key_src) {
			key_vni = meta.vni;
			key_dst = dst;
			key_src = src;
			vs_loc_key_make(&keys[nb_keys], meta.vni, &eth->dst_addr);
			vs_loc_key_make(&keys[nb_keys + 1], meta.vni, &eth->src_addr);
			kp[nb_keys] = &keys[nb_keys];
			kp[nb_keys + 1] = &keys[nb_keys + 1];
			runs[nb_runs++] = (struct uplink_run){ .start = nb, .vni_idx = (uint16_t)vi,
				.key = (uint8_t)nb_keys, .outer_src = meta.outer_src };
			nb_keys += 2;
		} else if (meta.outer_src != key_outer) {
			/* Same conversation from another VTEP (a move): its own learning. */
			runs[nb_runs] = runs[nb_runs - 1];
			runs[nb_runs].start = nb;
			runs[nb_runs++].outer_src = meta.outer_src;
		}
		key_outer = meta.outer_src;
		acc[nb++] = m;
	}
	if (nb == 0)
		return;
	runs[nb_runs].start = nb;              /* end of the last run */
	vs_table_lookup_bulk(dp->table, kp, nb_keys, res);
	for (r = 0; r < nb_runs; r++) {
		const struct uplink_run *run = &runs[r];
		const struct vs_loc_entry *d = res[run->key], *s = res[run->key + 1];
		const struct vs_dp_vni *vni = &dp->vnis[run->vni_idx];
		const uint16_t end = runs[r + 1].start;
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(acc[run->start],
			const struct rte_ether_hdr *);

		if (learning && !rte_is_multicast_ether_addr(&eth->src_addr) &&
				uplink_learn_needed(dp, s, run->outer_src, now))
			learn_req(w, vni->vni, &eth->src_addr, run->outer_src);

		if (rte_is_multicast_ether_addr(&eth->dst_addr) || d == NULL) {
			for (i = run->start; i < end; i++)
				vs_worker_flood_local(w, VS_PORT_UPLINK, vni, acc[i]);
		} else if (d->port == VS_LOC_PORT_NONE) {
			for (i = run->start; i < end; i++)
				drop(w, VS_PORT_UPLINK, VS_DROP_SPLIT_HORIZON, acc[i]);
		} else if (dp->gro && __atomic_load_n(&dp->ports[d->port].guest_tso,
				__ATOMIC_RELAXED)) {
			for (i = run->start; i < end; i++) {
				gro_pkts[nb_gro] = acc[i];
				gro_port[nb_gro++] = d->port;
			}
		} else if (likely(__atomic_load_n(&dp->ports[d->port].up, __ATOMIC_RELAXED))) {
			vs_worker_queue_bulk(w, d->port, &acc[run->start], end - run->start);
		} else {
			for (i = run->start; i < end; i++)
				drop(w, d->port, VS_DROP_DEST_DOWN, acc[i]);
		}
	}
	/* Per destination port, in arrival order. */
	for (i = 0; i < nb_gro; i++) {
		struct rte_mbuf *batch[VS_BURST];
		uint16_t port = gro_port[i], k = 0;

		if (port == VS_LOC_PORT_NONE)
			continue;
		for (j = i; j < nb_gro; j++) {
			if (gro_port[j] == port) {
				batch[k++] = gro_pkts[j];
				gro_port[j] = VS_LOC_PORT_NONE;
			}
		}
		deliver_gro(w, port, batch, k);
	}
}
