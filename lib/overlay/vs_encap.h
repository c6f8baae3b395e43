/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * VXLAN encapsulation. The control path builds one template per remote VTEP (the 50 outer
 * header bytes, prebuilt); the data path prepends the template to a guest frame and patches
 * only what changes per packet: IPv4 total length and checksum, UDP length and UDP source
 * port (a hash of the inner flow, RFC 7348 section 5, so underlay ECMP/RSS spreads flows).
 *
 * Outer IPv4 DF: the template sets DF by default. RFC 7348 section 4.3 says VTEPs must not
 * fragment VXLAN packets, and a router in the underlay must not either, so an oversized
 * packet is dropped and counted (VS_DROP_TOO_BIG) rather than silently cut. In a VNI's
 * `fragment = on` mode the lead builds the template with df = false (and must then give each
 * packet its own IPv4 ID before fragmenting: the template's ID is 0).
 */
#ifndef VS_ENCAP_H
#define VS_ENCAP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#if defined(RTE_ARCH_X86) && defined(__SSE4_2__)
#include <nmmintrin.h>
#endif

#include "vs_vxlan.h"

/** First UDP source port used for VXLAN (RFC 7348: dynamic/private range 49152-65535). */
#define VS_ENCAP_SPORT_MIN 49152
/** Number of UDP source ports used (49152..65535): 2^14. */
#define VS_ENCAP_SPORT_RANGE 16384

/** Largest inner frame whose outer IPv4 total length still fits 16 bits: 65535 - 36. */
#define VS_ENCAP_INNER_MAX (UINT16_MAX - VS_VXLAN_OUTER_L3_LEN - VS_VXLAN_UDP_VXLAN_LEN)

/**
 * vs_encap() flag: fill the tunnel offload metadata as doc/guides/prog_guide/mbuf_lib.rst
 * describes for a VXLAN packet: outer_l2_len = 14, outer_l3_len = 20,
 * RTE_MBUF_F_TX_OUTER_IPV4 | RTE_MBUF_F_TX_TUNNEL_VXLAN, l2_len = 8 (UDP) + 8 (VXLAN) + inner
 * l2_len (the mbuf's l2_len if the guest's offload request set it, else 14). l3_len, l4_len
 * and tso_segsz keep describing the inner packet. Use it when the inner frame carries TSO or
 * checksum requests and the uplink offers the matching tunnel offloads.
 */
#define VS_ENCAP_F_OL_TUNNEL		(1u << 0)
/**
 * vs_encap() flag: the uplink computes the outer IPv4 checksum
 * (RTE_ETH_TX_OFFLOAD_OUTER_IPV4_CKSUM). Implies VS_ENCAP_F_OL_TUNNEL; the checksum field is
 * left 0 and RTE_MBUF_F_TX_OUTER_IP_CKSUM is set.
 */
#define VS_ENCAP_F_OL_OUTER_CKSUM	(1u << 1)

/**
 * Prebuilt outer headers for one remote VTEP. Built and replaced on the control path
 * (vs_encap_tmpl_build()); read-only for the workers. The IPv4 checksum in it is computed
 * with total length 0, so the data path adds the real length to it.
 */
struct vs_encap_tmpl {
	struct vs_vxlan_outer hdr;	/**< outer headers, total length 0, source port 0 */
};

/**
 * Build the outer headers for frames to one remote VTEP.
 *
 * @param t
 *   Template to fill.
 * @param src_mac
 *   Our uplink MAC (outer Ethernet source).
 * @param dst_mac
 *   Next hop MAC towards the remote VTEP (the VTEP itself or the gateway).
 * @param src_ip
 *   Our VTEP IPv4 address, network order.
 * @param dst_ip
 *   The remote VTEP's IPv4 address, network order.
 * @param udp_dport
 *   VXLAN UDP port (4789 by default), host order.
 * @param vni
 *   VXLAN network identifier, 0..VS_VXLAN_VNI_MAX (higher bits are ignored).
 * @param df
 *   Set the IPv4 Don't Fragment bit (RFC 7348 default; false only in fragment mode).
 */
void vs_encap_tmpl_build(struct vs_encap_tmpl *t, const struct rte_ether_addr *src_mac,
		const struct rte_ether_addr *dst_mac, rte_be32_t src_ip, rte_be32_t dst_ip,
		uint16_t udp_dport, uint32_t vni, bool df);

/**
 * UDP source port for an inner frame: a CRC32 hash of the inner Ethernet addresses and, for
 * IPv4/IPv6, the IP addresses, protocol and (TCP/UDP, not for fragments) ports, mapped into
 * VS_ENCAP_SPORT_MIN..65535. One flow always gets the same port. Reads the frame with
 * rte_pktmbuf_read(), so any segment layout is fine; the mbuf is not modified.
 *
 * @param m
 *   Inner frame starting at its Ethernet header.
 * @return
 *   Port in host order.
 */
uint16_t vs_encap_src_port(const struct rte_mbuf *m);

/* ---- the data path's inline fast path (vs_encap() and the worker's loop share it) ---- */

/*
 * One CRC32-C step, the value rte_hash_crc_8byte(), _4byte() and _1byte() return. DPDK on
 * x86 is built for SSE 4.2 (Debian: -march=corei7; EAL refuses a CPU without it), so the
 * instruction is used directly rather than through rte_hash_crc's per-step check of the
 * algorithm chosen at run time: the same result, three instructions less per step.
 */
#if defined(RTE_ARCH_X86) && defined(__SSE4_2__)
#define vs_crc_u64(v, h) ((uint32_t)_mm_crc32_u64((h), (v)))
#define vs_crc_u32(v, h) _mm_crc32_u32((h), (v))
#define vs_crc_u8(v, h) _mm_crc32_u8((h), (v))
#else
#define vs_crc_u64(v, h) rte_hash_crc_8byte((v), (h))
#define vs_crc_u32(v, h) rte_hash_crc_4byte((v), (h))
#define vs_crc_u8(v, h) rte_hash_crc_1byte((v), (h))
#endif

/** Seed of the source port hash: any fixed value, the same on every worker. */
#define VS_SPORT_SEED 0x5ea1c0deu

/** Bytes of a plain TCP/UDP over IPv4 frame the flat hash reads: up to the two ports. */
#define VS_SPORT_FLAT_LEN (RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + 4)

/* The 14 bits of the port from the CRC of the fields hashed. */
static inline uint16_t
vs_sport_finish(uint32_t h)
{
	/*
	 * CRC32 is linear over GF(2): flows that differ in structured ways would get structured
	 * ports. A xorshift and a multiply (MurmurHash3's first constant) make the top 14 bits,
	 * which the port keeps, depend on every input bit.
	 */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	return (uint16_t)(VS_ENCAP_SPORT_MIN + (h >> (32 - 14)));
}

/**
 * vs_encap_src_port() of the common frame, flat: IPv4 without options, not a fragment, TCP
 * or UDP, its ports in the first segment. Returns 0 for any other frame (vs_encap_src_port()
 * then takes its general path). The CRC steps are the general path's (rte_hash_crc() of 12
 * bytes is one 8-byte and one 4-byte step, of 8 bytes one 8-byte step), so a flow gets the
 * same port whichever path computes it.
 */
static inline uint16_t
vs_encap_src_port_flat(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p + RTE_ETHER_HDR_LEN);
	rte_be16_t type;
	uint64_t w64;
	uint32_t w32, h;

	if (unlikely(m->data_len < VS_SPORT_FLAT_LEN))
		return 0;
	memcpy(&type, p + 2 * RTE_ETHER_ADDR_LEN, sizeof(type));
	if (unlikely(type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			ip->version_ihl != RTE_IPV4_VHL_DEF ||
			(ip->next_proto_id != IPPROTO_TCP && ip->next_proto_id != IPPROTO_UDP) ||
			(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG |
				RTE_IPV4_HDR_OFFSET_MASK)) != 0))
		return 0;
	memcpy(&w64, p, sizeof(w64));
	h = vs_crc_u64(w64, VS_SPORT_SEED);
	memcpy(&w32, p + 8, sizeof(w32));
	h = vs_crc_u32(w32, h);
	memcpy(&w64, &ip->src_addr, sizeof(w64));
	h = vs_crc_u64(w64, h);
	h = vs_crc_u8(ip->next_proto_id, h);
	memcpy(&w32, ip + 1, sizeof(w32));
	h = vs_crc_u32(w32, h);
	return vs_sport_finish(h);
}

/*
 * One's complement add of a 16-bit value (both in network order, as loaded from the packet)
 * to a header checksum (RFC 1624 style: ~(~C + m)).
 */
static inline rte_be16_t
vs_cksum_add16(rte_be16_t cksum, rte_be16_t add)
{
	uint32_t s = (uint16_t)~cksum;

	s += add;
	/* At most 0x1fffe: one end-around carry gives 16 bits. */
	s = (s & 0xffff) + (s >> 16);
	return (rte_be16_t)~s;
}

/* Write t's headers at h for an inner frame of inner_len bytes, its IPv4 checksum in
 * software. */
static inline void
vs_encap_hdr_write(struct vs_vxlan_outer *h, const struct vs_encap_tmpl *t, uint32_t inner_len,
		uint16_t sport)
{
	const rte_be16_t ip_len = vs_cpu_to_be16((uint16_t)(inner_len + VS_VXLAN_OUTER_L3_LEN +
		VS_VXLAN_UDP_VXLAN_LEN));

	memcpy(h, &t->hdr, sizeof(*h));
	h->ip.total_length = ip_len;
	/* The template's checksum covers total length 0: add the real one. */
	h->ip.hdr_checksum = vs_cksum_add16(t->hdr.ip.hdr_checksum, ip_len);
	h->udp.src_port = vs_cpu_to_be16(sport);
	h->udp.dgram_len = vs_cpu_to_be16((uint16_t)(inner_len + VS_VXLAN_UDP_VXLAN_LEN));
}

/** Offload requests and mbuf kinds vs_encap_fast() leaves to the general path. */
#define VS_ENCAP_FAST_REFUSE (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_L4_MASK | \
	RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL)

/**
 * vs_encap(m, t, 0) and the VNI written, inlined for the worker's loop: the same bytes.
 * Takes the common frame only: no TSO or checksum request, a direct mbuf with reference
 * count 1, 50 bytes of headroom, at most max_inner bytes. For any other frame it returns
 * false with m unchanged, and the caller takes the general path (finish, cut, vs_encap()).
 *
 * @param vni_field
 *   The VXLAN header's VNI word (VNI << 8, network order).
 * @param max_inner
 *   Longest inner frame to take, at most VS_ENCAP_INNER_MAX: what fits the uplink's MTU.
 */
static inline bool
vs_encap_fast(struct rte_mbuf *m, const struct vs_encap_tmpl *t, rte_be32_t vni_field,
		uint32_t max_inner)
{
	const uint32_t inner_len = m->pkt_len;
	struct vs_vxlan_outer *h;
	uint16_t sport;

	if (unlikely((m->ol_flags & VS_ENCAP_FAST_REFUSE) != 0 || inner_len > max_inner ||
			m->data_off < VS_VXLAN_OUTER_LEN || rte_mbuf_refcnt_read(m) != 1))
		return false;
	sport = vs_encap_src_port_flat(m);
	if (unlikely(sport == 0))
		sport = vs_encap_src_port(m);
	h = (struct vs_vxlan_outer *)(rte_pktmbuf_mtod(m, char *) - VS_VXLAN_OUTER_LEN);
	m->data_off = (uint16_t)(m->data_off - VS_VXLAN_OUTER_LEN);
	m->data_len = (uint16_t)(m->data_len + VS_VXLAN_OUTER_LEN);
	m->pkt_len = inner_len + VS_VXLAN_OUTER_LEN;
	vs_encap_hdr_write(h, t, inner_len, sport);
	h->vxlan.vni_rsvd = vni_field;
	return true;
}

/**
 * Encapsulate a guest frame for the uplink: prepend the template's 50 bytes into the first
 * segment's headroom and patch the IPv4 total length and checksum (in software unless
 * VS_ENCAP_F_OL_OUTER_CKSUM), the UDP length and the UDP source port (vs_encap_src_port()
 * of the inner frame). Without flags the mbuf's offload fields are not touched.
 *
 * The caller keeps ownership of m in every case; on error m is unchanged and the caller
 * drops it (or sends it elsewhere).
 *
 * @param m
 *   Inner Ethernet frame. Its first segment's headroom must be private: a direct mbuf with
 *   reference count 1 (or an external buffer nobody else references). A clone
 *   (rte_pktmbuf_clone) shares its headroom with the original and other clones.
 * @param t
 *   Template of the remote VTEP.
 * @param flags
 *   0 or VS_ENCAP_F_* bits.
 * @return
 *   0 on success;
 *   -ENOSPC if the first segment has less than 50 bytes of headroom;
 *   -EMSGSIZE if the frame is longer than VS_ENCAP_INNER_MAX;
 *   -EPERM if the headroom is shared (clone, or reference count above 1).
 */
int vs_encap(struct rte_mbuf *m, const struct vs_encap_tmpl *t, uint32_t flags);

#endif /* VS_ENCAP_H */
