/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "vs_encap.h"

_Static_assert((VS_ENCAP_SPORT_RANGE & (VS_ENCAP_SPORT_RANGE - 1)) == 0,
	"source port range is a power of two");
_Static_assert(VS_ENCAP_SPORT_MIN + VS_ENCAP_SPORT_RANGE - 1 == UINT16_MAX,
	"source ports end at 65535");

void
vs_encap_tmpl_build(struct vs_encap_tmpl *t, const struct rte_ether_addr *src_mac,
		const struct rte_ether_addr *dst_mac, rte_be32_t src_ip, rte_be32_t dst_ip,
		uint16_t udp_dport, uint32_t vni, bool df)
{
	struct vs_vxlan_outer *h = &t->hdr;

	memset(t, 0, sizeof(*t));

	rte_ether_addr_copy(dst_mac, &h->eth.dst_addr);
	rte_ether_addr_copy(src_mac, &h->eth.src_addr);
	h->eth.ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);

	h->ip.version_ihl = RTE_IPV4_VHL_DEF;
	h->ip.type_of_service = 0;
	h->ip.total_length = 0;		/* patched per packet */
	h->ip.packet_id = 0;
	h->ip.fragment_offset = df ? rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG) : 0;
	h->ip.time_to_live = 64;
	h->ip.next_proto_id = IPPROTO_UDP;
	h->ip.src_addr = src_ip;
	h->ip.dst_addr = dst_ip;
	h->ip.hdr_checksum = 0;
	h->ip.hdr_checksum = rte_ipv4_cksum(&h->ip);

	h->udp.src_port = 0;		/* patched per packet */
	h->udp.dst_port = rte_cpu_to_be_16(udp_dport);
	h->udp.dgram_len = 0;		/* patched per packet */
	h->udp.dgram_cksum = 0;		/* RFC 7348: zero */

	h->vxlan.flags = VS_VXLAN_FLAG_I;
	h->vxlan.vni_rsvd = rte_cpu_to_be_32((vni & VS_VXLAN_VNI_MAX) << 8);
}

uint16_t
vs_encap_src_port(const struct rte_mbuf *m)
{
	struct rte_ether_hdr eth_buf;
	struct rte_ipv4_hdr ip4_buf;
	struct rte_ipv6_hdr ip6_buf;
	uint32_t ports_buf;
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip4;
	const struct rte_ipv6_hdr *ip6;
	const void *ports;
	uint32_t l4_off = 0;
	uint32_t ports_val;
	uint32_t h = VS_SPORT_SEED;
	uint16_t flat = vs_encap_src_port_flat(m);
	uint8_t proto;

	if (likely(flat != 0))
		return flat;
	eth = rte_pktmbuf_read(m, 0, sizeof(*eth), &eth_buf);
	if (eth == NULL)
		return VS_ENCAP_SPORT_MIN;
	/* Destination and source MAC: the first 12 bytes. */
	h = rte_hash_crc(eth, 2 * RTE_ETHER_ADDR_LEN, h);

	if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
		ip4 = rte_pktmbuf_read(m, sizeof(*eth), sizeof(*ip4), &ip4_buf);
		if (ip4 == NULL)
			goto out;
		/* src_addr and dst_addr are adjacent. */
		h = rte_hash_crc((const uint8_t *)ip4 + offsetof(struct rte_ipv4_hdr, src_addr),
			2 * sizeof(rte_be32_t), h);
		proto = ip4->next_proto_id;
		h = rte_hash_crc_1byte(proto, h);
		/* Only the first fragment has ports: hash none, so fragments stay together. */
		if ((ip4->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
				RTE_IPV4_HDR_OFFSET_MASK)) == 0 &&
				(proto == IPPROTO_TCP || proto == IPPROTO_UDP) &&
				rte_ipv4_hdr_len(ip4) >= sizeof(*ip4))
			l4_off = sizeof(*eth) + rte_ipv4_hdr_len(ip4);
	} else if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6)) {
		ip6 = rte_pktmbuf_read(m, sizeof(*eth), sizeof(*ip6), &ip6_buf);
		if (ip6 == NULL)
			goto out;
		/* src_addr and dst_addr are adjacent: 32 bytes. */
		h = rte_hash_crc((const uint8_t *)ip6 + offsetof(struct rte_ipv6_hdr, src_addr),
			32, h);
		proto = ip6->proto;
		h = rte_hash_crc_1byte(proto, h);
		/* Extension headers are not walked: such flows hash on addresses only. */
		if (proto == IPPROTO_TCP || proto == IPPROTO_UDP)
			l4_off = sizeof(*eth) + sizeof(*ip6);
	}

	if (l4_off != 0) {
		/* Source and destination port: the first 4 bytes of TCP and UDP. */
		ports = rte_pktmbuf_read(m, l4_off, sizeof(ports_buf), &ports_buf);
		if (ports != NULL) {
			memcpy(&ports_val, ports, sizeof(ports_val));
			h = rte_hash_crc_4byte(ports_val, h);
		}
	}
out:
	return vs_sport_finish(h);
}

/* True if writing into m's headroom cannot change what another mbuf sees. */
static inline bool
vs_headroom_private(const struct rte_mbuf *m)
{
	if (rte_mbuf_refcnt_read(m) != 1 || RTE_MBUF_CLONED(m))
		return false;
	if (RTE_MBUF_HAS_EXTBUF(m))
		return rte_mbuf_ext_refcnt_read(m->shinfo) == 1;
	return true;
}

int
vs_encap(struct rte_mbuf *m, const struct vs_encap_tmpl *t, uint32_t flags)
{
	struct vs_vxlan_outer *h;
	uint32_t inner_len = rte_pktmbuf_pkt_len(m);
	uint16_t inner_l2;
	uint16_t sport;

	if (unlikely(inner_len > VS_ENCAP_INNER_MAX))
		return -EMSGSIZE;
	if (unlikely(!vs_headroom_private(m)))
		return -EPERM;
	if (unlikely(rte_pktmbuf_headroom(m) < VS_VXLAN_OUTER_LEN))
		return -ENOSPC;

	/* Over the inner frame, before anything is prepended. */
	sport = vs_encap_src_port(m);
	inner_l2 = m->l2_len != 0 ? m->l2_len : RTE_ETHER_HDR_LEN;

	h = (struct vs_vxlan_outer *)rte_pktmbuf_prepend(m, VS_VXLAN_OUTER_LEN);
	if (unlikely(h == NULL))
		return -ENOSPC;
	vs_encap_hdr_write(h, t, inner_len, sport);
	if (flags & VS_ENCAP_F_OL_OUTER_CKSUM)
		h->ip.hdr_checksum = 0;

	if (flags & (VS_ENCAP_F_OL_TUNNEL | VS_ENCAP_F_OL_OUTER_CKSUM)) {
		m->outer_l2_len = VS_VXLAN_OUTER_L2_LEN;
		m->outer_l3_len = VS_VXLAN_OUTER_L3_LEN;
		m->l2_len = VS_VXLAN_UDP_VXLAN_LEN + inner_l2;
		m->ol_flags &= ~RTE_MBUF_F_TX_TUNNEL_MASK;
		m->ol_flags |= RTE_MBUF_F_TX_OUTER_IPV4 | RTE_MBUF_F_TX_TUNNEL_VXLAN;
		if (flags & VS_ENCAP_F_OL_OUTER_CKSUM)
			m->ol_flags |= RTE_MBUF_F_TX_OUTER_IP_CKSUM;
	}
	return 0;
}
