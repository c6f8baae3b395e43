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

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "vs_vxlan.h"

/** First UDP source port used for VXLAN (RFC 7348: dynamic/private range 49152-65535). */
#define VS_ENCAP_SPORT_MIN 49152
/** Number of UDP source ports used (49152..65535). */
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
