/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * VXLAN decapsulation of frames received on the uplink. vs_decap() checks a frame in one
 * fixed order and gives one verdict; a drop carries exactly one reason from vs_drop.h:
 *
 * | # | check                                                  | verdict / drop reason     |
 * |---|--------------------------------------------------------|---------------------------|
 * | 1 | frame holds an Ethernet header                         | VS_DROP_RUNT              |
 * | 2 | outer ethertype ARP                                    | VS_DECAP_EXC_ARP          |
 * | 3 | outer ethertype not IPv4 (also: VLAN-tagged underlay)  | VS_DROP_UNDERLAY_PROTO    |
 * | 4 | version 4, IHL >= 5, IHL*4 <= total length <= frame    | VS_DROP_IP_MALFORMED      |
 * | 5 | IHL > 5                                                | VS_DROP_IP_OPTIONS        |
 * | 6 | header checksum (RX offload flag when the NIC gave one)| VS_DROP_IP_MALFORMED      |
 * | 7 | MF set or fragment offset != 0                         | VS_DROP_IP_FRAGMENT       |
 * | 8 | destination != our VTEP IP                             | VS_DROP_NOT_OUR_IP        |
 * | 9 | protocol ICMP                                          | VS_DECAP_EXC_ICMP         |
 * |10 | protocol not UDP                                       | VS_DROP_NOT_UDP           |
 * |11 | IPv4 payload < 8 (UDP header truncated)                | VS_DROP_VXLAN_TRUNC       |
 * |12 | UDP destination port != our VXLAN port                 | VS_DROP_WRONG_PORT        |
 * |13 | UDP length < 8 + 8, or > IPv4 payload                  | VS_DROP_VXLAN_TRUNC       |
 * |14 | I flag (0x08 of the first byte) clear                  | VS_DROP_VXLAN_NO_I        |
 * |15 | inner frame (UDP length - 16) < 14 bytes               | VS_DROP_INNER_RUNT        |
 * |16 | inner ethertype 0x8100 or 0x88a8                       | VS_DROP_INNER_VLAN        |
 *
 * Reserved VXLAN bits are ignored on receive (RFC 7348 section 5) and the UDP checksum is not
 * verified (RFC 7348 lets a VTEP send 0). Whether the VNI is served here is the caller's
 * check (VS_DROP_UNKNOWN_VNI): vs_decap() only reports the VNI.
 *
 * Fragments (row 7): there is no reassembly yet. The hook for fragment mode (DESIGN.md
 * section 3) is the caller: on VS_DROP_IP_FRAGMENT it may hand the frame to librte_ip_frag
 * instead of dropping it, and call vs_decap() again on the reassembled packet.
 *
 * Segments: the checks read headers with rte_pktmbuf_read(), so any segment layout is safe
 * and nothing is read past a segment's data_len. On accept the inner Ethernet header is
 * contiguous at rte_pktmbuf_mtod(m): if the first segment holds fewer than 64 bytes (50
 * outer + 14 inner), bytes are moved into it from the following segments, which needs its
 * buffer to be private (direct, reference count 1) with room after the data; otherwise the
 * frame is dropped as VS_DROP_VXLAN_TRUNC. Frames from a PMD never hit that: their first
 * segment holds a full mbuf data room.
 */
#ifndef VS_DECAP_H
#define VS_DECAP_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "vs_drop.h"
#include "vs_vxlan.h"

/** What to do with a frame from the uplink. */
enum vs_decap_verdict {
	/** VXLAN for us: m now starts at the inner Ethernet header; vni and outer_src set. */
	VS_DECAP_ACCEPT,
	/** Outer ARP: hand m, unchanged, to the control lcore (exception path). */
	VS_DECAP_EXC_ARP,
	/** ICMP to our VTEP IP: hand m, unchanged, to the control lcore (exception path). */
	VS_DECAP_EXC_ICMP,
	/** Drop and count meta->drop; m is unchanged. */
	VS_DECAP_DROP,
};

/** What vs_decap() found out about a frame. */
struct vs_decap_meta {
	uint32_t vni;			/**< ACCEPT: VXLAN network identifier, host order */
	rte_be32_t outer_src;		/**< ACCEPT: outer IPv4 source (the remote VTEP) */
	enum vs_drop_reason drop;	/**< DROP: why; VS_DROP_MAX for the other verdicts */
};

/**
 * Classify a frame received on the uplink and, if it is VXLAN for us, strip it to the inner
 * frame. The checks and their order are in the table at the top of this file.
 *
 * On VS_DECAP_ACCEPT: the 50 outer header bytes are removed (rte_pktmbuf_adj), bytes beyond
 * the UDP length (Ethernet padding) are trimmed and segments left empty are freed;
 * packet_type and the RX checksum flags, which described the outer headers, are cleared.
 * On every other verdict m's data is untouched. m stays the caller's in all cases: it
 * delivers, hands over or frees it.
 *
 * @param m
 *   Frame from the uplink, starting at the outer Ethernet header.
 * @param vtep_ip
 *   Our VTEP IPv4 address, network order.
 * @param vxlan_port
 *   Our VXLAN UDP port, host order.
 * @param meta
 *   Filled with the VNI and outer source (accept) or the drop reason.
 * @return
 *   The verdict.
 */
enum vs_decap_verdict vs_decap(struct rte_mbuf *m, rte_be32_t vtep_ip, uint16_t vxlan_port,
		struct vs_decap_meta *meta);

#endif /* VS_DECAP_H */
