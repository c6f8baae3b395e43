/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * VXLAN (RFC 7348) wire format as vseal sends and receives it: outer Ethernet, IPv4 without
 * options, UDP and the 8-byte VXLAN header. Plain structs of rte_be* fields, no bit-fields;
 * the sizes are pinned below so a padding or packing mistake fails the build.
 */
#ifndef VS_VXLAN_H
#define VS_VXLAN_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

/** I flag ("VNI is valid") in the first byte of the VXLAN header; the other 7 are reserved. */
#define VS_VXLAN_FLAG_I 0x08

/** Largest VNI: 24 bits. */
#define VS_VXLAN_VNI_MAX 0xffffffu

/** VXLAN header (RFC 7348 section 5): flags, 24 reserved bits, VNI, 8 reserved bits. */
struct vs_vxlan_hdr {
	uint8_t flags;		/**< RRRRIRRR: only VS_VXLAN_FLAG_I is defined */
	uint8_t rsvd0[3];	/**< reserved, sent as zero, ignored on receive */
	rte_be32_t vni_rsvd;	/**< VNI in the upper 24 bits, reserved (zero) low 8 bits */
} __rte_packed;

/**
 * Everything vseal puts in front of an inner Ethernet frame. Not packed: rte_ether_hdr is
 * 2-byte aligned and the parts add up to 50 bytes without padding (asserted below).
 */
struct vs_vxlan_outer {
	struct rte_ether_hdr eth;	/**< outer Ethernet, type IPv4, no VLAN tag */
	struct rte_ipv4_hdr ip;		/**< outer IPv4, IHL 5 (no options) */
	struct rte_udp_hdr udp;		/**< outer UDP, checksum 0 */
	struct vs_vxlan_hdr vxlan;	/**< VXLAN header */
};

/** Bytes of the outer Ethernet header. */
#define VS_VXLAN_OUTER_L2_LEN 14
/** Bytes of the outer IPv4 header (no options). */
#define VS_VXLAN_OUTER_L3_LEN 20
/** Bytes of the outer UDP plus the VXLAN header. */
#define VS_VXLAN_UDP_VXLAN_LEN 16
/** All outer headers: 14 + 20 + 8 + 8. */
#define VS_VXLAN_OUTER_LEN 50

_Static_assert(sizeof(struct vs_vxlan_hdr) == 8, "VXLAN header is 8 bytes");
_Static_assert(sizeof(struct rte_ether_hdr) == VS_VXLAN_OUTER_L2_LEN, "Ethernet header size");
_Static_assert(sizeof(struct rte_ipv4_hdr) == VS_VXLAN_OUTER_L3_LEN, "IPv4 header size");
_Static_assert(sizeof(struct rte_udp_hdr) + sizeof(struct vs_vxlan_hdr) ==
	VS_VXLAN_UDP_VXLAN_LEN, "UDP + VXLAN header size");
_Static_assert(sizeof(struct vs_vxlan_outer) == VS_VXLAN_OUTER_LEN,
	"outer headers are 14 + 20 + 8 + 8 = 50 bytes");
_Static_assert(VS_VXLAN_OUTER_L2_LEN + VS_VXLAN_OUTER_L3_LEN + VS_VXLAN_UDP_VXLAN_LEN ==
	VS_VXLAN_OUTER_LEN, "outer header parts add up");

/*
 * rte_cpu_to_be_16() and rte_be_to_cpu_16() of a variable for the per-packet paths: DPDK's
 * x86 versions are an asm statement the compiler can neither schedule nor merge with the
 * load; the builtin becomes one rol, or a movbe load.
 */
static inline rte_be16_t
vs_cpu_to_be16(uint16_t x)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	return (rte_be16_t)__builtin_bswap16(x);
#else
	return (rte_be16_t)x;
#endif
}

static inline uint16_t
vs_be16_to_cpu(rte_be16_t x)
{
	return (uint16_t)vs_cpu_to_be16((uint16_t)x);
}

#endif /* VS_VXLAN_H */
