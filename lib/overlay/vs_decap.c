/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "vs_cksum.h"
#include "vs_decap.h"

/* Bytes that must be contiguous to check a frame and deliver it: outer headers + inner L2. */
#define VS_DECAP_HDR_LEN (VS_VXLAN_OUTER_LEN + RTE_ETHER_HDR_LEN)

/* RX flags that describe the outer headers and mean nothing once they are gone. */
#define VS_DECAP_RX_OUTER_FLAGS (RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK | \
	RTE_MBUF_F_RX_OUTER_L4_CKSUM_MASK | RTE_MBUF_F_RX_OUTER_IP_CKSUM_BAD)

/*
 * Make the first len bytes of m contiguous in its first segment by moving bytes from the
 * following segments into the first segment's tailroom; segments left empty are freed.
 * The caller guarantees pkt_len >= len. Fails, changing nothing, if the first segment's
 * buffer is shared or too small.
 */
static int
vs_mbuf_pullup(struct rte_mbuf *m, uint16_t len)
{
	struct rte_mbuf *s;
	uint16_t n;

	if (m->data_len >= len)
		return 0;
	if (rte_mbuf_refcnt_read(m) != 1 || !RTE_MBUF_DIRECT(m) ||
			rte_pktmbuf_tailroom(m) < (uint16_t)(len - m->data_len) ||
			rte_pktmbuf_pkt_len(m) < len)
		return -EPERM;

	while (m->data_len < len) {
		s = m->next;
		n = RTE_MIN((uint16_t)(len - m->data_len), s->data_len);
		memcpy(rte_pktmbuf_mtod_offset(m, char *, m->data_len),
			rte_pktmbuf_mtod(s, const char *), n);
		m->data_len += n;
		s->data_off += n;
		s->data_len -= n;
		if (s->data_len == 0) {
			m->next = s->next;
			m->nb_segs--;
			s->next = NULL;
			s->nb_segs = 1;
			rte_pktmbuf_free_seg(s);
		}
	}
	return 0;
}

/* Cut m to len bytes (len <= pkt_len), freeing the segments wholly past the end. */
static void
vs_mbuf_trim_to(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *s = m;
	struct rte_mbuf *rest;
	struct rte_mbuf *next;
	uint32_t off = 0;
	uint16_t nb_segs = 1;

	while (off + s->data_len < len) {
		off += s->data_len;
		s = s->next;
		nb_segs++;
	}
	s->data_len = (uint16_t)(len - off);
	rest = s->next;
	s->next = NULL;
	while (rest != NULL) {
		next = rest->next;
		rest->next = NULL;
		rest->nb_segs = 1;
		rte_pktmbuf_free_seg(rest);
		rest = next;
	}
	m->nb_segs = nb_segs;
	m->pkt_len = len;
}

static inline enum vs_decap_verdict
vs_decap_drop(struct vs_decap_meta *meta, enum vs_drop_reason reason)
{
	meta->drop = reason;
	return VS_DECAP_DROP;
}

/* Outer IPv4 header checksum, trusting the NIC's verdict when it gave one. */
static inline bool
vs_decap_ip_cksum_ok(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	switch (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) {
	case RTE_MBUF_F_RX_IP_CKSUM_BAD:
		return false;
	case RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN:
		/* Summing a correct header, checksum included, gives 0xffff. */
		return vs_cksum_raw(ip, sizeof(*ip)) == 0xffff;
	default:	/* GOOD, or NONE: header integrity verified */
		return true;
	}
}

enum vs_decap_verdict
vs_decap(struct rte_mbuf *m, rte_be32_t vtep_ip, uint16_t vxlan_port,
		struct vs_decap_meta *meta)
{
	uint8_t buf[VS_DECAP_HDR_LEN] __rte_aligned(8);
	const struct vs_vxlan_outer *h;
	const struct rte_ether_hdr *inner;
	uint32_t pkt_len = rte_pktmbuf_pkt_len(m);
	uint32_t ihl;
	uint32_t ip_len;
	uint32_t udp_len;
	uint32_t vni;
	rte_be32_t outer_src;

	meta->drop = VS_DROP_MAX;

	/* 1. Ethernet. Everything checked below lies within the first 64 bytes. */
	if (unlikely(pkt_len < RTE_ETHER_HDR_LEN))
		return vs_decap_drop(meta, VS_DROP_RUNT);
	h = rte_pktmbuf_read(m, 0, RTE_MIN(pkt_len, (uint32_t)VS_DECAP_HDR_LEN), buf);
	if (unlikely(h == NULL))
		return vs_decap_drop(meta, VS_DROP_RUNT);

	/* 2-3. Outer ethertype. */
	if (h->eth.ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
		if (h->eth.ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP))
			return VS_DECAP_EXC_ARP;
		return vs_decap_drop(meta, VS_DROP_UNDERLAY_PROTO);
	}

	/* 4. IPv4 lengths: the header and the total length fit the frame. */
	if (unlikely(pkt_len < RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr)))
		return vs_decap_drop(meta, VS_DROP_IP_MALFORMED);
	ihl = (uint32_t)(h->ip.version_ihl & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
	ip_len = vs_be16_to_cpu(h->ip.total_length);
	if (unlikely((h->ip.version_ihl >> 4) != 4 || ihl < sizeof(struct rte_ipv4_hdr) ||
			ip_len < ihl || ip_len > pkt_len - RTE_ETHER_HDR_LEN))
		return vs_decap_drop(meta, VS_DROP_IP_MALFORMED);

	/* 5. Options: we never send them, the header is then exactly 20 bytes. */
	if (unlikely(ihl != sizeof(struct rte_ipv4_hdr)))
		return vs_decap_drop(meta, VS_DROP_IP_OPTIONS);

	/* 6. Header checksum. */
	if (unlikely(!vs_decap_ip_cksum_ok(m, &h->ip)))
		return vs_decap_drop(meta, VS_DROP_IP_MALFORMED);

	/*
	 * 7. Fragments. Hook for fragment mode (DESIGN.md 3): the caller may reassemble what
	 * is dropped here and call vs_decap() again on the whole packet.
	 */
	if (unlikely((h->ip.fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
			RTE_IPV4_HDR_OFFSET_MASK)) != 0))
		return vs_decap_drop(meta, VS_DROP_IP_FRAGMENT);

	/* 8. Addressed to us. */
	if (unlikely(h->ip.dst_addr != vtep_ip))
		return vs_decap_drop(meta, VS_DROP_NOT_OUR_IP);

	/* 9-10. Protocol. */
	if (unlikely(h->ip.next_proto_id != IPPROTO_UDP)) {
		if (h->ip.next_proto_id == IPPROTO_ICMP)
			return VS_DECAP_EXC_ICMP;
		return vs_decap_drop(meta, VS_DROP_NOT_UDP);
	}

	/* 11. UDP header inside the IPv4 packet (so within the 64 bytes read). */
	if (unlikely(ip_len - ihl < sizeof(struct rte_udp_hdr)))
		return vs_decap_drop(meta, VS_DROP_VXLAN_TRUNC);

	/* 12. Our port. */
	if (unlikely(h->udp.dst_port != vs_cpu_to_be16(vxlan_port)))
		return vs_decap_drop(meta, VS_DROP_WRONG_PORT);

	/* 13. UDP length covers a VXLAN header and stays within the IPv4 packet. */
	udp_len = vs_be16_to_cpu(h->udp.dgram_len);
	if (unlikely(udp_len < VS_VXLAN_UDP_VXLAN_LEN || udp_len > ip_len - ihl))
		return vs_decap_drop(meta, VS_DROP_VXLAN_TRUNC);

	/* 14. I flag; the reserved bits are ignored. */
	if (unlikely((h->vxlan.flags & VS_VXLAN_FLAG_I) == 0))
		return vs_decap_drop(meta, VS_DROP_VXLAN_NO_I);

	/* 15. Inner Ethernet header (and so all 64 bytes were read). */
	if (unlikely(udp_len - VS_VXLAN_UDP_VXLAN_LEN < RTE_ETHER_HDR_LEN))
		return vs_decap_drop(meta, VS_DROP_INNER_RUNT);

	/* 16. No VLAN inside: VNIs are the only segmentation. */
	inner = (const struct rte_ether_hdr *)(h + 1);
	if (unlikely(inner->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN) ||
			inner->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_QINQ)))
		return vs_decap_drop(meta, VS_DROP_INNER_VLAN);

	/* Accepted: take what we need before h (possibly in m's data) moves. */
	vni = rte_be_to_cpu_32(h->vxlan.vni_rsvd) >> 8;
	outer_src = h->ip.src_addr;

	if (unlikely(vs_mbuf_pullup(m, VS_DECAP_HDR_LEN) != 0))
		return vs_decap_drop(meta, VS_DROP_VXLAN_TRUNC);
	if (pkt_len > RTE_ETHER_HDR_LEN + ihl + udp_len)
		vs_mbuf_trim_to(m, RTE_ETHER_HDR_LEN + ihl + udp_len);
	rte_pktmbuf_adj(m, VS_VXLAN_OUTER_LEN);
	m->packet_type = RTE_PTYPE_UNKNOWN;
	m->ol_flags &= ~VS_DECAP_RX_OUTER_FLAGS;

	meta->vni = vni;
	meta->outer_src = outer_src;
	return VS_DECAP_ACCEPT;
}
