/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "vs_frag.h"
#include "vs_offload.h"
#include "vs_vxlan.h"

/* Smallest uplink MTU for fragment mode: the IPv4 minimum datagram size every host takes. */
#define VS_FRAG_MTU_MIN 576

/* Entries per hash bucket of the reassembly table. */
#define VS_REASM_WAYS 8
/* Entries vs_reasm_flush() examines per call. */
#define VS_REASM_SWEEP 32
/* Limits of vs_reasm_create(). */
#define VS_REASM_FLOWS_MAX (1u << 20)
#define VS_REASM_TIMEOUT_MS_MAX 60000

/* Largest IPv4 packet and the largest payload end a fragment may announce. */
#define VS_IPV4_MAX_LEN UINT16_MAX

int
vs_frag_outer(struct rte_mbuf *m, uint16_t mtu, uint16_t ip_id,
		struct rte_mempool *direct, struct rte_mempool *indirect,
		struct rte_mbuf **out, uint16_t nb_out)
{
	struct rte_ether_hdr eth;
	struct rte_ipv4_hdr *ip;
	struct rte_ether_hdr *h;
	uint32_t ihl;
	uint32_t total;
	uint32_t unit;
	uint32_t nfrag;
	int32_t n;
	int32_t i;
	int rc;

	if (m == NULL || direct == NULL || indirect == NULL || out == NULL ||
			mtu < VS_FRAG_MTU_MIN)
		return -EINVAL;
	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + sizeof(*ip))
		return -EINVAL;
	memcpy(&eth, rte_pktmbuf_mtod(m, void *), sizeof(eth));
	if (eth.ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return -EINVAL;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	ihl = rte_ipv4_hdr_len(ip);
	total = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) ||
			rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + ihl ||
			RTE_ETHER_HDR_LEN + total != rte_pktmbuf_pkt_len(m) ||
			ip->next_proto_id != IPPROTO_UDP ||
			total < ihl + VS_VXLAN_UDP_VXLAN_LEN + RTE_ETHER_HDR_LEN)
		return -EINVAL;
	if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
			RTE_IPV4_HDR_OFFSET_MASK))
		return -EINVAL;
	if (total <= mtu)
		return 0;
	if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG))
		return -ENOTSUP;

	unit = (mtu - ihl) & ~7u;
	nfrag = (total - ihl + unit - 1) / unit;
	if (nfrag > nb_out)
		return -ENOSPC;
	if (rte_mbuf_refcnt_read(m) != 1 || RTE_MBUF_CLONED(m) ||
			(RTE_MBUF_HAS_EXTBUF(m) && rte_mbuf_ext_refcnt_read(m->shinfo) != 1))
		return -EPERM;

	/* The receiver gets one plain frame: finish what the guest left to offloads. */
	rc = vs_offload_cksum_sw_at(m, RTE_ETHER_HDR_LEN + ihl + VS_VXLAN_UDP_VXLAN_LEN);
	if (rc != 0)
		return rc;

	ip->packet_id = rte_cpu_to_be_16(ip_id);
	rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);
	n = rte_ipv4_fragment_packet(m, out, nb_out, mtu, direct, indirect);
	if (n < 0) {
		rte_pktmbuf_prepend(m, RTE_ETHER_HDR_LEN);
		return n;
	}

	for (i = 0; i < n; i++) {
		h = (struct rte_ether_hdr *)rte_pktmbuf_prepend(out[i], RTE_ETHER_HDR_LEN);
		if (h == NULL) {
			for (i = 0; i < n; i++)
				rte_pktmbuf_free(out[i]);
			rte_pktmbuf_prepend(m, RTE_ETHER_HDR_LEN);
			return -ENOSPC;
		}
		memcpy(h, &eth, sizeof(eth));
		ip = (struct rte_ipv4_hdr *)(h + 1);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		out[i]->ol_flags = 0;
		out[i]->l2_len = RTE_ETHER_HDR_LEN;
		out[i]->l3_len = ihl;
		out[i]->packet_type = 0;
	}
	/* The fragments hold their own references to m's data. */
	rte_pktmbuf_free(m);
	return n;
}

/* --- reassembly ------------------------------------------------------------------------ */

/* One held fragment. The first (offset 0) keeps its headers; the others are cut to payload. */
struct vs_reasm_frag {
	struct rte_mbuf *m;
	uint16_t ofs;		/* payload offset, bytes */
	uint16_t len;		/* payload bytes */
};

/* One packet in progress. */
struct vs_reasm_flow {
	rte_be32_t src;
	rte_be32_t dst;
	rte_be16_t id;
	uint8_t proto;
	uint8_t used;
	uint16_t nb_frags;
	uint32_t end;		/* payload length from the last fragment; 0 = not seen yet */
	uint32_t have;		/* payload bytes held */
	uint64_t start;		/* TSC of the first fragment */
};

struct vs_reasm {
	struct vs_reasm_flow *flows;	/* nb_buckets * VS_REASM_WAYS */
	struct vs_reasm_frag *frags;	/* max_frags per flow, same index */
	uint32_t nb_buckets;
	uint32_t nb_flows;
	uint32_t max_frags;
	uint32_t seed;
	uint32_t sweep;			/* next entry vs_reasm_flush() examines */
	uint64_t timeout;		/* TSC cycles */
	struct vs_reasm_stats st;
};

struct vs_reasm *
vs_reasm_create(const char *name, uint32_t max_flows, uint32_t max_frags_per_flow,
		uint64_t timeout_ms, int socket)
{
	struct vs_reasm *r;
	uint32_t nb_buckets;

	if (max_flows == 0 || max_flows > VS_REASM_FLOWS_MAX || max_frags_per_flow < 2 ||
			max_frags_per_flow > VS_REASM_FRAGS_MAX || timeout_ms == 0 ||
			timeout_ms > VS_REASM_TIMEOUT_MS_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	nb_buckets = (max_flows + VS_REASM_WAYS - 1) / VS_REASM_WAYS;

	r = rte_zmalloc_socket(name, sizeof(*r), RTE_CACHE_LINE_SIZE, socket);
	if (r == NULL)
		goto nomem;
	r->nb_buckets = nb_buckets;
	r->nb_flows = nb_buckets * VS_REASM_WAYS;
	r->max_frags = max_frags_per_flow;
	r->flows = rte_zmalloc_socket(name, sizeof(r->flows[0]) * r->nb_flows,
		RTE_CACHE_LINE_SIZE, socket);
	r->frags = rte_zmalloc_socket(name, sizeof(r->frags[0]) * r->nb_flows * r->max_frags,
		RTE_CACHE_LINE_SIZE, socket);
	if (r->flows == NULL || r->frags == NULL)
		goto nomem;
	r->seed = (uint32_t)rte_rand();
	r->timeout = timeout_ms * rte_get_tsc_hz() / 1000;
	return r;
nomem:
	if (r != NULL) {
		rte_free(r->flows);
		rte_free(r->frags);
		rte_free(r);
	}
	rte_errno = ENOMEM;
	return NULL;
}

static inline struct vs_reasm_frag *
vs_reasm_frags_of(const struct vs_reasm *r, const struct vs_reasm_flow *f)
{
	return &r->frags[(size_t)(f - r->flows) * r->max_frags];
}

/* Free a flow's fragments, add their number to *counter (if any) and release the entry. */
static void
vs_reasm_flow_drop(struct vs_reasm *r, struct vs_reasm_flow *f, uint64_t *counter)
{
	struct vs_reasm_frag *fr = vs_reasm_frags_of(r, f);
	uint16_t i;

	for (i = 0; i < f->nb_frags; i++) {
		rte_pktmbuf_free(fr[i].m);
		fr[i].m = NULL;
	}
	if (counter != NULL)
		*counter += f->nb_frags;
	r->st.frags -= f->nb_frags;
	r->st.flows--;
	f->nb_frags = 0;
	f->used = 0;
}

/* Timed out; a now before the start (TSC of another core, a stale value) is not. */
static inline bool
vs_reasm_expired(const struct vs_reasm *r, const struct vs_reasm_flow *f, uint64_t now)
{
	return (int64_t)(now - f->start) > (int64_t)r->timeout;
}

static inline void
vs_reasm_expire(struct vs_reasm *r, struct vs_reasm_flow *f)
{
	r->st.timeout_flows++;
	vs_reasm_flow_drop(r, f, &r->st.timeout_frags);
}

void
vs_reasm_free(struct vs_reasm *r)
{
	uint32_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nb_flows; i++)
		if (r->flows[i].used)
			vs_reasm_flow_drop(r, &r->flows[i], NULL);
	rte_free(r->frags);
	rte_free(r->flows);
	rte_free(r);
}

/*
 * The entry of the packet ip belongs to, or a new one; NULL if the bucket is full. Expired
 * entries met on the way are dropped, including the packet's own (it then starts anew).
 */
static struct vs_reasm_flow *
vs_reasm_lookup(struct vs_reasm *r, const struct rte_ipv4_hdr *ip, uint64_t now)
{
	struct vs_reasm_flow *b;
	struct vs_reasm_flow *free_e = NULL;
	uint32_t h;
	uint32_t i;

	h = rte_hash_crc_4byte(ip->src_addr, r->seed);
	h = rte_hash_crc_4byte(ip->dst_addr, h);
	h = rte_hash_crc_4byte((uint32_t)ip->packet_id << 8 | ip->next_proto_id, h);
	b = &r->flows[(size_t)(((uint64_t)h * r->nb_buckets) >> 32) * VS_REASM_WAYS];

	for (i = 0; i < VS_REASM_WAYS; i++) {
		if (b[i].used && vs_reasm_expired(r, &b[i], now))
			vs_reasm_expire(r, &b[i]);
		if (!b[i].used) {
			if (free_e == NULL)
				free_e = &b[i];
			continue;
		}
		if (b[i].src == ip->src_addr && b[i].dst == ip->dst_addr &&
				b[i].id == ip->packet_id && b[i].proto == ip->next_proto_id)
			return &b[i];
	}
	if (free_e == NULL)
		return NULL;
	free_e->src = ip->src_addr;
	free_e->dst = ip->dst_addr;
	free_e->id = ip->packet_id;
	free_e->proto = ip->next_proto_id;
	free_e->used = 1;
	free_e->nb_frags = 0;
	free_e->end = 0;
	free_e->have = 0;
	free_e->start = now;
	r->st.flows++;
	return free_e;
}

/* Cut m to len bytes, whatever its segment layout; empty trailing segments are freed. */
static void
vs_mbuf_truncate(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *s = m;
	uint32_t seen = 0;
	uint16_t nb = 1;

	if (rte_pktmbuf_pkt_len(m) == len)
		return;
	while (seen + s->data_len < len && s->next != NULL) {
		seen += s->data_len;
		s = s->next;
		nb++;
	}
	s->data_len = (uint16_t)(len - seen);
	if (s->next != NULL) {
		rte_pktmbuf_free(s->next);
		s->next = NULL;
	}
	m->nb_segs = nb;
	m->pkt_len = len;
}

/*
 * Chain a complete packet's fragments in order and fix its IPv4 header. On failure all its
 * fragments (the last one fed included) are freed and *why says why.
 */
static struct rte_mbuf *
vs_reasm_complete(struct vs_reasm *r, struct vs_reasm_flow *f, enum vs_drop_reason *why)
{
	struct vs_reasm_frag *fr = vs_reasm_frags_of(r, f);
	struct vs_reasm_frag t;
	struct rte_ipv4_hdr *ip;
	struct rte_mbuf *head;
	uint32_t ihl;
	uint16_t i;
	uint16_t j;

	/* Insertion sort by offset: at most max_frags entries, usually already in order. */
	for (i = 1; i < f->nb_frags; i++) {
		t = fr[i];
		for (j = i; j > 0 && fr[j - 1].ofs > t.ofs; j--)
			fr[j] = fr[j - 1];
		fr[j] = t;
	}
	/* No overlap and have == end: the fragments tile [0, end), fr[0] is the first. */
	head = fr[0].m;
	ip = rte_pktmbuf_mtod_offset(head, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	ihl = rte_ipv4_hdr_len(ip);
	if (ihl + f->end > VS_IPV4_MAX_LEN) {
		r->st.oversize += f->nb_frags;
		vs_reasm_flow_drop(r, f, NULL);
		*why = VS_REASM_DROP_OVERSIZE;
		return NULL;
	}
	for (i = 1; i < f->nb_frags; i++) {
		if (rte_pktmbuf_chain(head, fr[i].m) != 0) {
			/* Too many segments: fr[1..i-1] are in head's chain now. */
			for (j = i; j < f->nb_frags; j++)
				rte_pktmbuf_free(fr[j].m);
			rte_pktmbuf_free(head);
			r->st.invalid += f->nb_frags;
			r->st.frags -= f->nb_frags;
			r->st.flows--;
			f->nb_frags = 0;
			f->used = 0;
			*why = VS_REASM_DROP_INVALID;
			return NULL;
		}
	}

	ip->total_length = rte_cpu_to_be_16((uint16_t)(ihl + f->end));
	ip->fragment_offset &= ~rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	head->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK |
		RTE_MBUF_F_RX_OUTER_L4_CKSUM_MASK);
	head->packet_type = 0;

	r->st.reassembled++;
	r->st.frags -= f->nb_frags;
	r->st.flows--;
	for (i = 0; i < f->nb_frags; i++)
		fr[i].m = NULL;
	f->nb_frags = 0;
	f->used = 0;
	return head;
}

struct rte_mbuf *
vs_reasm_feed(struct vs_reasm *r, struct rte_mbuf *m, uint64_t now_tsc,
		enum vs_drop_reason *why)
{
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip;
	struct vs_reasm_flow *f;
	struct vs_reasm_frag *fr;
	uint32_t ihl;
	uint32_t total;
	uint32_t ofs;
	uint32_t len;
	uint32_t end;
	uint16_t fo;
	bool mf;
	uint16_t i;

	*why = VS_DROP_MAX;
	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + sizeof(*ip))
		goto invalid;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		goto invalid;
	ip = (const struct rte_ipv4_hdr *)(eth + 1);
	ihl = rte_ipv4_hdr_len(ip);
	total = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) ||
			rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + ihl || total < ihl ||
			RTE_ETHER_HDR_LEN + total > rte_pktmbuf_pkt_len(m))
		goto invalid;
	fo = rte_be_to_cpu_16(ip->fragment_offset);
	mf = (fo & RTE_IPV4_HDR_MF_FLAG) != 0;
	ofs = (uint32_t)(fo & RTE_IPV4_HDR_OFFSET_MASK) * 8;
	if (!mf && ofs == 0)
		return m;	/* not a fragment */
	len = total - ihl;
	end = ofs + len;
	if (len == 0 || (mf && (len & 7) != 0))
		goto invalid;
	if (sizeof(*ip) + end > VS_IPV4_MAX_LEN) {
		r->st.oversize++;
		*why = VS_REASM_DROP_OVERSIZE;
		/* The packet can never complete: drop what is held of it too. */
		f = vs_reasm_lookup(r, ip, now_tsc);
		if (f != NULL) {
			r->st.oversize += f->nb_frags;
			vs_reasm_flow_drop(r, f, NULL);
		}
		rte_pktmbuf_free(m);
		return NULL;
	}
	vs_mbuf_truncate(m, RTE_ETHER_HDR_LEN + total);

	f = vs_reasm_lookup(r, ip, now_tsc);
	if (f == NULL) {
		r->st.table_full++;
		*why = VS_REASM_DROP_TABLE_FULL;
		rte_pktmbuf_free(m);
		return NULL;
	}
	fr = vs_reasm_frags_of(r, f);

	/* Consistency with what is held. */
	if (!mf && f->end != 0 && f->end != end)
		goto invalid_flow;
	if (f->end != 0 && end > f->end)
		goto invalid_flow;
	for (i = 0; i < f->nb_frags; i++) {
		if (!mf && fr[i].ofs + fr[i].len > end)
			goto invalid_flow;
		if (ofs < (uint32_t)fr[i].ofs + fr[i].len && fr[i].ofs < end) {
			if (fr[i].ofs == ofs && fr[i].len == len) {
				/* Exact duplicate (retransmitted or looped): drop it alone. */
				r->st.invalid++;
				*why = VS_REASM_DROP_INVALID;
				rte_pktmbuf_free(m);
				return NULL;
			}
			goto invalid_flow;
		}
	}
	if (f->nb_frags >= r->max_frags)
		goto invalid_flow;

	if (ofs != 0)
		rte_pktmbuf_adj(m, (uint16_t)(RTE_ETHER_HDR_LEN + ihl));
	fr[f->nb_frags].m = m;
	fr[f->nb_frags].ofs = (uint16_t)ofs;
	fr[f->nb_frags].len = (uint16_t)len;
	f->nb_frags++;
	r->st.frags++;
	f->have += len;
	if (!mf)
		f->end = end;
	if (f->end != 0 && f->have == f->end)
		return vs_reasm_complete(r, f, why);
	return NULL;

invalid_flow:
	vs_reasm_flow_drop(r, f, &r->st.invalid);
invalid:
	r->st.invalid++;
	*why = VS_REASM_DROP_INVALID;
	rte_pktmbuf_free(m);
	return NULL;
}

void
vs_reasm_flush(struct vs_reasm *r, uint64_t now_tsc)
{
	struct vs_reasm_flow *f;
	uint32_t n;

	if (r->st.flows == 0)
		return;
	for (n = 0; n < VS_REASM_SWEEP && n < r->nb_flows; n++) {
		f = &r->flows[r->sweep];
		if (f->used && vs_reasm_expired(r, f, now_tsc))
			vs_reasm_expire(r, f);
		if (++r->sweep == r->nb_flows)
			r->sweep = 0;
	}
}

void
vs_reasm_stats(const struct vs_reasm *r, struct vs_reasm_stats *st)
{
	*st = r->st;
}
