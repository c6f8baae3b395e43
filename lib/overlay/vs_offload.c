/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_gso.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "vs_cksum.h"
#include "vs_offload.h"
#include "vs_vxlan.h"

/* Requests vs_offload_cksum_sw() finishes and clears. */
#define VS_CKSUM_REQ (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK | \
	RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG)

/* Smallest and largest uplink MTU vs_offload_gso_ctx_init() accepts. */
#define VS_GSO_MTU_MIN 576
#define VS_GSO_MTU_MAX (UINT16_MAX - RTE_ETHER_HDR_LEN)

/* Where the IP and L4 headers of one (inner) packet are, as parsed from its bytes. */
struct vs_l3l4 {
	uint32_t l2_off;	/* Ethernet header */
	uint32_t l3_off;	/* IPv4/IPv6 header */
	uint32_t l4_off;	/* TCP/UDP header */
	uint32_t l4_len;	/* L4 header + payload, from the IP length */
	uint16_t l2_len;	/* Ethernet (+ VLAN tag) */
	uint16_t l3_len;	/* IPv4 header with options, or 40 */
	uint8_t proto;		/* IP protocol / IPv6 next header */
	bool ipv4;
	bool frag;		/* IPv4 MF or offset */
};

/* True if writing into m's first segment cannot change what another mbuf sees. */
static inline bool
vs_data_private(const struct rte_mbuf *m)
{
	if (rte_mbuf_refcnt_read(m) != 1 || RTE_MBUF_CLONED(m))
		return false;
	if (RTE_MBUF_HAS_EXTBUF(m))
		return rte_mbuf_ext_refcnt_read(m->shinfo) == 1;
	return true;
}

/*
 * Parse Ethernet (one optional VLAN tag), IPv4 or IPv6 (no extension headers) at off. The
 * Ethernet and IP headers must lie in the first segment; the IP length must fit in the
 * frame. The L4 header is not checked here (callers need different parts of it).
 */
static int
vs_parse_l3(const struct rte_mbuf *m, uint32_t off, struct vs_l3l4 *p)
{
	const struct rte_ether_hdr *eth;
	const struct rte_vlan_hdr *vlan;
	const struct rte_ipv4_hdr *ip4;
	const struct rte_ipv6_hdr *ip6;
	uint32_t dlen = rte_pktmbuf_data_len(m);
	uint32_t plen = rte_pktmbuf_pkt_len(m);
	uint16_t type;
	uint16_t total;

	memset(p, 0, sizeof(*p));
	if (off + RTE_ETHER_HDR_LEN > dlen)
		return -EINVAL;
	eth = rte_pktmbuf_mtod_offset(m, const struct rte_ether_hdr *, off);
	p->l2_off = off;
	p->l2_len = RTE_ETHER_HDR_LEN;
	type = rte_be_to_cpu_16(eth->ether_type);
	if (type == RTE_ETHER_TYPE_VLAN) {
		if (off + RTE_ETHER_HDR_LEN + sizeof(*vlan) > dlen)
			return -EINVAL;
		vlan = (const struct rte_vlan_hdr *)(eth + 1);
		type = rte_be_to_cpu_16(vlan->eth_proto);
		p->l2_len += sizeof(*vlan);
	}
	p->l3_off = off + p->l2_len;

	if (type == RTE_ETHER_TYPE_IPV4) {
		if (p->l3_off + sizeof(*ip4) > dlen)
			return -EINVAL;
		ip4 = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, p->l3_off);
		p->l3_len = rte_ipv4_hdr_len(ip4);
		total = rte_be_to_cpu_16(ip4->total_length);
		if ((ip4->version_ihl >> 4) != 4 || p->l3_len < sizeof(*ip4) ||
				p->l3_off + p->l3_len > dlen || total < p->l3_len ||
				p->l3_off + total > plen)
			return -EINVAL;
		p->ipv4 = true;
		p->proto = ip4->next_proto_id;
		p->frag = (ip4->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
			RTE_IPV4_HDR_OFFSET_MASK)) != 0;
		p->l4_len = total - p->l3_len;
	} else if (type == RTE_ETHER_TYPE_IPV6) {
		if (p->l3_off + sizeof(*ip6) > dlen)
			return -EINVAL;
		ip6 = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, p->l3_off);
		if ((rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6)
			return -EINVAL;
		p->l3_len = sizeof(*ip6);
		p->proto = ip6->proto;
		p->l4_len = rte_be_to_cpu_16(ip6->payload_len);
		if (p->l3_off + p->l3_len + p->l4_len > plen)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	p->l4_off = p->l3_off + p->l3_len;
	return 0;
}

/* Parse as vs_parse_l3() and check that the TCP or UDP header is whole in the first segment. */
static int
vs_parse_l4(const struct rte_mbuf *m, uint32_t off, struct vs_l3l4 *p, uint16_t *thl)
{
	const struct rte_tcp_hdr *tcp;
	uint32_t dlen = rte_pktmbuf_data_len(m);
	uint16_t hl;
	int rc;

	rc = vs_parse_l3(m, off, p);
	if (rc != 0)
		return rc;
	if (p->proto == IPPROTO_TCP) {
		if (p->l4_len < sizeof(*tcp) || p->l4_off + sizeof(*tcp) > dlen)
			return -EINVAL;
		tcp = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, p->l4_off);
		hl = (tcp->data_off >> 4) * 4;
		if (hl < sizeof(*tcp) || hl > p->l4_len || p->l4_off + hl > dlen)
			return -EINVAL;
	} else if (p->proto == IPPROTO_UDP) {
		hl = sizeof(struct rte_udp_hdr);
		if (p->l4_len < hl || p->l4_off + hl > dlen)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (thl != NULL)
		*thl = hl;
	return 0;
}

/*
 * One's complement sum (folded, not complemented) of len bytes from off, over any chain.
 * Not rte_raw_cksum_mbuf(): in DPDK 22.11 it truncates a segment's 32-bit partial sum to 16
 * bits before byte-swapping it when the segment starts at an odd offset, so chains with
 * odd-length segments (GSO payload pieces, guest frames) get a wrong sum. Here each
 * segment's sum is folded first, then swapped (RFC 1071 byte-order independence).
 */
static int
vs_raw_cksum_chain(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint16_t *folded)
{
	const struct rte_mbuf *s = m;
	uint32_t done = 0;
	uint32_t sum = 0;
	uint32_t n;
	uint16_t part;

	if (off + len > rte_pktmbuf_pkt_len(m))
		return -1;
	while (s != NULL && off >= s->data_len) {
		off -= s->data_len;
		s = s->next;
	}
	while (done < len) {
		if (s == NULL)
			return -1;
		n = RTE_MIN((uint32_t)s->data_len - off, len - done);
		part = vs_cksum_raw(rte_pktmbuf_mtod_offset(s, const uint8_t *, off), n);
		if (done & 1)
			part = rte_bswap16(part);
		sum += part;
		done += n;
		off = 0;
		s = s->next;
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	*folded = (uint16_t)sum;
	return 0;
}

/*
 * TCP/UDP checksum of the packet parsed in p (the field must be 0 or is included as it is),
 * over all segments. -1 if the bytes are not there.
 */
static int
vs_l4_sum(const struct rte_mbuf *m, const struct vs_l3l4 *p, uint16_t *folded)
{
	const void *l3 = rte_pktmbuf_mtod_offset(m, const void *, p->l3_off);
	uint16_t raw;
	uint32_t sum;

	if (vs_raw_cksum_chain(m, p->l4_off, p->l4_len, &raw) != 0)
		return -1;
	sum = raw;
	if (p->ipv4)
		sum += rte_ipv4_phdr_cksum(l3, 0);
	else
		sum += rte_ipv6_phdr_cksum(l3, 0);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	*folded = (uint16_t)sum;
	return 0;
}

/* Offset of the L4 checksum field for p's protocol. */
static inline uint32_t
vs_l4_cksum_off(const struct vs_l3l4 *p)
{
	return p->l4_off + (p->proto == IPPROTO_TCP ? offsetof(struct rte_tcp_hdr, cksum) :
		offsetof(struct rte_udp_hdr, dgram_cksum));
}

/* Compute and write the L4 checksum of the packet parsed in p. */
static int
vs_l4_cksum_write(struct rte_mbuf *m, const struct vs_l3l4 *p)
{
	rte_be16_t *field = rte_pktmbuf_mtod_offset(m, rte_be16_t *, vs_l4_cksum_off(p));
	uint16_t sum;

	*field = 0;
	if (vs_l4_sum(m, p, &sum) != 0)
		return -EINVAL;
	sum = (uint16_t)~sum;
	/* RFC 768: a computed UDP checksum of 0 is sent as all ones (0 means none). */
	if (sum == 0 && p->proto == IPPROTO_UDP)
		sum = 0xffff;
	*field = sum;
	return 0;
}

static inline void
vs_ipv4_cksum_write(struct rte_mbuf *m, uint32_t l3_off)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l3_off);

	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* Offset of the inner Ethernet header of a vs_encap(VS_ENCAP_F_OL_TUNNEL) frame. */
static inline uint32_t
vs_tunnel_inner_off(const struct rte_mbuf *m)
{
	return (uint32_t)m->outer_l2_len + m->outer_l3_len + VS_VXLAN_UDP_VXLAN_LEN;
}

static inline bool
vs_is_vxlan_tunnel(const struct rte_mbuf *m)
{
	return (m->ol_flags & RTE_MBUF_F_TX_TUNNEL_MASK) == RTE_MBUF_F_TX_TUNNEL_VXLAN &&
		(m->ol_flags & RTE_MBUF_F_TX_OUTER_IPV4) != 0 &&
		m->outer_l2_len == VS_VXLAN_OUTER_L2_LEN &&
		m->outer_l3_len == VS_VXLAN_OUTER_L3_LEN;
}

int
vs_offload_cksum_sw_at(struct rte_mbuf *m, uint32_t off)
{
	struct vs_l3l4 p;
	uint64_t l4req;
	int rc;

	if ((m->ol_flags & VS_CKSUM_REQ) == 0)
		return 0;
	l4req = m->ol_flags & RTE_MBUF_F_TX_L4_MASK;
	if (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) {
		if (l4req != 0 && l4req != RTE_MBUF_F_TX_TCP_CKSUM)
			return -EINVAL;
		l4req = RTE_MBUF_F_TX_TCP_CKSUM;
	}
	if (m->ol_flags & RTE_MBUF_F_TX_UDP_SEG) {
		if (l4req != 0 && l4req != RTE_MBUF_F_TX_UDP_CKSUM)
			return -EINVAL;
		l4req = RTE_MBUF_F_TX_UDP_CKSUM;
	}
	if (l4req == RTE_MBUF_F_TX_SCTP_CKSUM)
		return -ENOTSUP;

	if (l4req != 0)
		rc = vs_parse_l4(m, off, &p, NULL);
	else
		rc = vs_parse_l3(m, off, &p);
	if (rc != 0)
		return rc;
	if ((m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM) && !p.ipv4)
		return -EINVAL;
	if (l4req == RTE_MBUF_F_TX_TCP_CKSUM && p.proto != IPPROTO_TCP)
		return -EINVAL;
	if (l4req == RTE_MBUF_F_TX_UDP_CKSUM && p.proto != IPPROTO_UDP)
		return -EINVAL;
	if (l4req != 0 && p.frag)
		return -EINVAL;
	if (!vs_data_private(m))
		return -EPERM;

	if (m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM)
		vs_ipv4_cksum_write(m, p.l3_off);
	if (l4req != 0 && vs_l4_cksum_write(m, &p) != 0)
		return -EINVAL;	/* not reached: lengths were checked */
	m->ol_flags &= ~VS_CKSUM_REQ;
	return 0;
}

int
vs_offload_cksum_sw(struct rte_mbuf *m)
{
	if (m->ol_flags & RTE_MBUF_F_TX_TUNNEL_MASK) {
		if (!vs_is_vxlan_tunnel(m))
			return -EINVAL;
		return vs_offload_cksum_sw_at(m, vs_tunnel_inner_off(m));
	}
	return vs_offload_cksum_sw_at(m, 0);
}

int
vs_offload_cksum_check(const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip4;
	const struct rte_udp_hdr *udp;
	struct vs_l3l4 p;
	uint16_t sum;

	if (vs_parse_l4(m, 0, &p, NULL) != 0 || p.frag)
		return -EINVAL;
	if (p.ipv4) {
		ip4 = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, p.l3_off);
		if (vs_cksum_raw(ip4, p.l3_len) != 0xffff)
			return 0;
	}
	if (p.proto == IPPROTO_UDP && p.ipv4) {
		udp = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, p.l4_off);
		if (udp->dgram_cksum == 0)
			return 1;
	}
	if (vs_l4_sum(m, &p, &sum) != 0)
		return -EINVAL;
	return sum == 0xffff ? 1 : 0;
}

int
vs_offload_tnl_tso_prepare(struct rte_mbuf *m, uint16_t uplink_mtu, uint64_t tx_capa)
{
	struct vs_l3l4 p;
	uint32_t fixed;
	uint16_t thl;
	uint16_t mss_max;
	int rc;

	if (!(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) || !vs_is_vxlan_tunnel(m))
		return -EINVAL;
	if (!(tx_capa & RTE_ETH_TX_OFFLOAD_VXLAN_TNL_TSO) ||
			!(tx_capa & RTE_ETH_TX_OFFLOAD_OUTER_IPV4_CKSUM))
		return -ENOTSUP;
	rc = vs_parse_l4(m, vs_tunnel_inner_off(m), &p, &thl);
	if (rc != 0)
		return rc;
	if (p.proto != IPPROTO_TCP)
		return -ENOTSUP;
	if (p.frag)
		return -EINVAL;
	if (!vs_data_private(m))
		return -EPERM;

	/* Outer IPv4 + UDP + VXLAN + inner Ethernet + inner L3 + TCP header. */
	fixed = VS_VXLAN_OUTER_L3_LEN + VS_VXLAN_UDP_VXLAN_LEN + p.l2_len + p.l3_len + thl;
	if (uplink_mtu <= fixed)
		return -EINVAL;
	mss_max = (uint16_t)(uplink_mtu - fixed);
	if (m->tso_segsz == 0 || m->tso_segsz > mss_max)
		m->tso_segsz = mss_max;

	m->l2_len = VS_VXLAN_UDP_VXLAN_LEN + p.l2_len;
	m->l3_len = p.l3_len;
	m->l4_len = thl;
	m->ol_flags &= ~(RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_IP_CKSUM |
		RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_UDP_SEG);
	m->ol_flags |= RTE_MBUF_F_TX_OUTER_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM;
	if (p.ipv4)
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	else
		m->ol_flags |= RTE_MBUF_F_TX_IPV6;

	/* Outer and inner IPv4 checksum 0, TCP: pseudo-header without length. */
	if (rte_net_intel_cksum_flags_prepare(m, m->ol_flags) != 0)
		return -EINVAL;	/* not reached: headers were checked to be contiguous */
	return 0;
}

int
vs_offload_gso_ctx_init(struct rte_gso_ctx *ctx, struct rte_mempool *direct,
		struct rte_mempool *indirect, uint16_t uplink_mtu)
{
	if (ctx == NULL || direct == NULL || indirect == NULL ||
			uplink_mtu < VS_GSO_MTU_MIN || uplink_mtu > VS_GSO_MTU_MAX)
		return -EINVAL;
	memset(ctx, 0, sizeof(*ctx));
	ctx->direct_pool = direct;
	ctx->indirect_pool = indirect;
	ctx->gso_types = RTE_ETH_TX_OFFLOAD_VXLAN_TNL_TSO | RTE_ETH_TX_OFFLOAD_TCP_TSO;
	ctx->gso_size = (uint16_t)(uplink_mtu + RTE_ETHER_HDR_LEN);
	ctx->flag = 0;	/* IP IDs increment per segment */
	return 0;
}

/* Finish one librte_gso output segment: outer and inner IPv4 and TCP checksums. */
static int
vs_gso_seg_finish(struct rte_mbuf *s, const struct vs_l3l4 *shape)
{
	const struct rte_ipv4_hdr *ip;
	struct vs_l3l4 p = *shape;

	if (rte_pktmbuf_data_len(s) < p.l4_off + sizeof(struct rte_tcp_hdr))
		return -EINVAL;
	vs_ipv4_cksum_write(s, VS_VXLAN_OUTER_L2_LEN);
	vs_ipv4_cksum_write(s, p.l3_off);
	ip = rte_pktmbuf_mtod_offset(s, const struct rte_ipv4_hdr *, p.l3_off);
	p.l4_len = rte_be_to_cpu_16(ip->total_length) - p.l3_len;
	if (p.l4_off + p.l4_len != rte_pktmbuf_pkt_len(s))
		return -EINVAL;
	if (vs_l4_cksum_write(s, &p) != 0)
		return -EINVAL;
	s->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
	return 0;
}

int
vs_offload_gso(struct rte_mbuf *m, const struct rte_gso_ctx *ctx, struct rte_mbuf **out,
		uint16_t nb_out)
{
	struct rte_gso_ctx c;
	struct vs_l3l4 p;
	uint64_t saved_flags;
	uint32_t hdr_len;
	uint32_t payload;
	uint32_t unit;
	uint32_t nseg;
	uint16_t thl;
	uint16_t i;
	int ret;
	int rc;

	if (m == NULL || ctx == NULL || out == NULL)
		return -EINVAL;
	if (!(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) || !vs_is_vxlan_tunnel(m))
		return -ENOTSUP;
	rc = vs_parse_l4(m, vs_tunnel_inner_off(m), &p, &thl);
	if (rc != 0)
		return rc;
	if (!p.ipv4 || p.proto != IPPROTO_TCP)
		return -ENOTSUP;
	if (p.frag)
		return -EINVAL;
	/* The frame must end where the inner IPv4 packet ends: no padding after it. */
	if (p.l4_off + p.l4_len != rte_pktmbuf_pkt_len(m))
		return -EINVAL;

	hdr_len = p.l4_off + thl;
	if (ctx->gso_size <= hdr_len)
		return -EINVAL;
	unit = ctx->gso_size - hdr_len;
	if (m->tso_segsz != 0 && m->tso_segsz < unit)
		unit = m->tso_segsz;
	payload = rte_pktmbuf_pkt_len(m) - hdr_len;
	if (payload <= unit)
		return 0;
	nseg = (payload + unit - 1) / unit;
	if (nseg > nb_out)
		return -ENOSPC;

	/* librte_gso reads these; make them describe the packet exactly. */
	m->l2_len = p.l3_off - VS_VXLAN_OUTER_L2_LEN - VS_VXLAN_OUTER_L3_LEN;
	m->l3_len = p.l3_len;
	m->l4_len = thl;
	m->ol_flags |= RTE_MBUF_F_TX_IPV4;
	m->ol_flags &= ~RTE_MBUF_F_TX_IPV6;

	c = *ctx;
	c.gso_size = (uint16_t)(hdr_len + unit);
	saved_flags = m->ol_flags;
	ret = rte_gso_segment(m, &c, out, nb_out);
	if (ret < 0) {
		m->ol_flags = saved_flags;
		return ret;
	}
	if (ret < 2 || (uint32_t)ret != nseg) {
		/* librte_gso passed m through (or miscounted): not expected after our checks. */
		if (ret >= 1 && out[0] != m)
			for (i = 0; i < ret; i++)
				rte_pktmbuf_free(out[i]);
		m->ol_flags = saved_flags;
		return -EINVAL;
	}

	for (i = 0; i < ret; i++) {
		if (vs_gso_seg_finish(out[i], &p) != 0) {
			for (i = 0; i < ret; i++)
				rte_pktmbuf_free(out[i]);
			m->ol_flags = saved_flags;
			return -EINVAL;
		}
	}
	/* The segments hold their own references to the payload. */
	rte_pktmbuf_free(m);
	return ret;
}

/* ICMP types and codes (RFC 792, RFC 1191); DPDK 22.11 names only the echo types. */
#define VS_ICMP_DEST_UNREACH	3
#define VS_ICMP_SOURCE_QUENCH	4
#define VS_ICMP_REDIRECT	5
#define VS_ICMP_TIME_EXCEEDED	11
#define VS_ICMP_PARAM_PROBLEM	12
#define VS_ICMP_FRAG_NEEDED	4	/* code of VS_ICMP_DEST_UNREACH */

/* ICMP types that report errors (RFC 1122 3.2.2: never answered with an error). */
static inline bool
vs_icmp_is_error(uint8_t type)
{
	return type == VS_ICMP_DEST_UNREACH || type == VS_ICMP_SOURCE_QUENCH ||
		type == VS_ICMP_REDIRECT || type == VS_ICMP_TIME_EXCEEDED ||
		type == VS_ICMP_PARAM_PROBLEM;
}

/* Not a source an ICMP error may be sent to, or a destination that may cause one. */
static inline bool
vs_ipv4_no_error_for(rte_be32_t src, rte_be32_t dst)
{
	uint32_t s = rte_be_to_cpu_32(src);
	uint32_t d = rte_be_to_cpu_32(dst);

	return s == 0 || (s >> 24) == 127 || (s >> 28) == 0xe || s == UINT32_MAX ||
		(d >> 28) == 0xe || d == UINT32_MAX;
}

struct rte_mbuf *
vs_offload_icmp_frag_needed(const struct rte_mbuf *m, uint16_t mtu, struct rte_mempool *mp)
{
	struct rte_ether_hdr eth_buf;
	struct rte_ipv4_hdr ip_buf;
	uint8_t type_buf;
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip;
	const uint8_t *type;
	const void *src;
	struct rte_ether_hdr *reth;
	struct rte_ipv4_hdr *rip;
	struct rte_icmp_hdr *icmp;
	struct rte_mbuf *r;
	uint32_t ihl;
	uint32_t total;
	uint32_t quote;
	uint32_t len;
	uint8_t *p;

	if (m == NULL || mp == NULL || mtu < RTE_ETHER_MIN_MTU)
		goto einval;
	eth = rte_pktmbuf_read(m, 0, sizeof(*eth), &eth_buf);
	if (eth == NULL || eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
			!rte_is_unicast_ether_addr(&eth->src_addr))
		goto einval;
	ip = rte_pktmbuf_read(m, sizeof(*eth), sizeof(*ip), &ip_buf);
	if (ip == NULL || (ip->version_ihl >> 4) != 4)
		goto einval;
	ihl = rte_ipv4_hdr_len(ip);
	total = rte_be_to_cpu_16(ip->total_length);
	if (ihl < sizeof(*ip) || total < ihl || sizeof(*eth) + total > rte_pktmbuf_pkt_len(m))
		goto einval;
	if (!(ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) ||
			(ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)) ||
			total <= mtu || vs_ipv4_no_error_for(ip->src_addr, ip->dst_addr))
		goto einval;
	if (ip->next_proto_id == IPPROTO_ICMP) {
		type = rte_pktmbuf_read(m, sizeof(*eth) + ihl, 1, &type_buf);
		if (type == NULL || vs_icmp_is_error(*type))
			goto einval;
	}

	/* RFC 792: the original IP header and the first 64 bits of its data. */
	quote = ihl + RTE_MIN(total - ihl, 8u);
	len = sizeof(*reth) + sizeof(*rip) + sizeof(*icmp) + quote;
	r = rte_pktmbuf_alloc(mp);
	if (r == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	p = (uint8_t *)rte_pktmbuf_append(r, (uint16_t)len);
	if (p == NULL) {
		rte_pktmbuf_free(r);
		rte_errno = ENOMEM;
		return NULL;
	}
	reth = (struct rte_ether_hdr *)p;
	rip = (struct rte_ipv4_hdr *)(reth + 1);
	icmp = (struct rte_icmp_hdr *)(rip + 1);
	src = rte_pktmbuf_read(m, sizeof(*eth), quote, icmp + 1);
	if (src == NULL) {
		rte_pktmbuf_free(r);
		goto einval;	/* not reached: the length was checked */
	}
	if (src != (const void *)(icmp + 1))
		memcpy(icmp + 1, src, quote);

	rte_ether_addr_copy(&eth->src_addr, &reth->dst_addr);
	rte_ether_addr_copy(&eth->dst_addr, &reth->src_addr);
	reth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);

	rip->version_ihl = RTE_IPV4_VHL_DEF;
	rip->type_of_service = 0;
	rip->total_length = rte_cpu_to_be_16((uint16_t)(len - sizeof(*reth)));
	rip->packet_id = 0;
	rip->fragment_offset = 0;
	rip->time_to_live = 64;
	rip->next_proto_id = IPPROTO_ICMP;
	rip->src_addr = ip->dst_addr;
	rip->dst_addr = ip->src_addr;
	rip->hdr_checksum = 0;
	rip->hdr_checksum = rte_ipv4_cksum(rip);

	/* RFC 1191: unused (16 bits zero) then the next-hop MTU in the second word. */
	icmp->icmp_type = VS_ICMP_DEST_UNREACH;
	icmp->icmp_code = VS_ICMP_FRAG_NEEDED;
	icmp->icmp_ident = 0;
	icmp->icmp_seq_nb = rte_cpu_to_be_16(mtu);
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, sizeof(*icmp) + quote);

	r->l2_len = sizeof(*reth);
	r->l3_len = sizeof(*rip);
	r->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_ICMP;
	return r;
einval:
	rte_errno = EINVAL;
	return NULL;
}

int
vs_offload_gro_to_tso(struct rte_mbuf *m, uint16_t mss)
{
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *tcp;
	struct vs_l3l4 p;
	uint16_t thl;
	int rc;

	rc = vs_parse_l4(m, 0, &p, &thl);
	if (rc != 0)
		return rc;
	if (!p.ipv4 || p.proto != IPPROTO_TCP || p.frag)
		return -EINVAL;
	if (!vs_data_private(m))
		return -EPERM;

	m->l2_len = p.l2_len;
	m->l3_len = p.l3_len;
	m->l4_len = thl;
	m->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
	m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
	if (mss != 0 && p.l4_len - thl > mss) {
		m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
		m->tso_segsz = mss;
	} else {
		m->tso_segsz = 0;
	}

	vs_ipv4_cksum_write(m, p.l3_off);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, p.l3_off);
	tcp = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, p.l4_off);
	/* Pseudo-header with the TCP length (flags 0), as Linux's CHECKSUM_PARTIAL. */
	tcp->cksum = rte_ipv4_phdr_cksum(ip, 0);
	return 0;
}
