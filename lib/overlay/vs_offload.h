/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Large guest frames meeting a real wire: software checksums, tunnel TSO preparation for the
 * NIC, software segmentation (librte_gso) as the fallback, ICMP "fragmentation needed" back
 * to a guest, and the TSO metadata that lets a guest take a GRO-merged frame as one segment.
 *
 * Frames from guests arrive as net_vhost (legacy-ol-flags=1) leaves them: l2_len/l3_len
 * parsed, RTE_MBUF_F_TX_IPV4 or _IPV6, RTE_MBUF_F_TX_TCP_CKSUM/_UDP_CKSUM when the guest
 * asked for checksum offload (the L4 checksum field then holds only a pseudo-header sum), and
 * RTE_MBUF_F_TX_TCP_SEG with tso_segsz (the guest's MSS) and l4_len for TSO frames. vhost
 * never sets RTE_MBUF_F_TX_IP_CKSUM: a guest always fills its IPv4 header checksum.
 *
 * Common rules:
 * - Every function here reads the headers it needs from the first segment: Ethernet, IP and
 *   the L4 header must lie in it (true of anything vhost or a PMD delivers: the first mbuf
 *   holds a full data room). A frame whose headers are split is refused with -EINVAL.
 * - Functions that write checksums need the first segment's data to be private (a direct
 *   mbuf with reference count 1, or an external buffer nobody else references); a clone is
 *   refused with -EPERM, since writing would change every other copy.
 * - The payload may be spread over any number of segments.
 */
#ifndef VS_OFFLOAD_H
#define VS_OFFLOAD_H

#include <stdint.h>

#include <rte_gso.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

/**
 * Output array size that vs_offload_gso() and vs_frag_outer() never exceed for any frame of
 * up to 65535 bytes when the uplink MTU is at least 1280 (a 64 KB TSO frame on a 1500-byte
 * uplink gives 47 segments; on 1280, 56).
 */
#define VS_OFFLOAD_OUT_MAX 64

/**
 * Finish in software the checksum requests of a frame: the IPv4 header checksum if
 * RTE_MBUF_F_TX_IP_CKSUM, and the TCP or UDP checksum over the whole L4 (all segments) if
 * RTE_MBUF_F_TX_TCP_CKSUM, RTE_MBUF_F_TX_UDP_CKSUM or RTE_MBUF_F_TX_TCP_SEG is set (the old
 * field content, e.g. a pseudo-header sum, is ignored). Then RTE_MBUF_F_TX_IP_CKSUM,
 * RTE_MBUF_F_TX_L4_MASK, RTE_MBUF_F_TX_TCP_SEG and RTE_MBUF_F_TX_UDP_SEG are cleared: the
 * frame leaves as the one packet it is, whatever its size (the caller has checked that it
 * fits). Other flags and the length fields are kept.
 *
 * The headers are parsed from the frame (one VLAN tag allowed; IPv6 without extension
 * headers), not taken from l2_len/l3_len. A frame without requests is left alone.
 *
 * @param m
 *   An inner Ethernet frame from a guest; or a frame vs_encap() encapsulated with
 *   VS_ENCAP_F_OL_TUNNEL (recognised by RTE_MBUF_F_TX_TUNNEL_VXLAN): then the inner frame at
 *   outer_l2_len + outer_l3_len + 16 is processed and the outer headers and tunnel flags are
 *   left as they are. The caller keeps m in every case.
 * @return
 *   0 on success (or nothing to do);
 *   -EINVAL if the headers are malformed, truncated, not in the first segment, or do not
 *   match the request (TCP checksum on UDP, L4 checksum of an IP fragment, IP checksum on
 *   IPv6); m is then unchanged;
 *   -ENOTSUP for an SCTP checksum request;
 *   -EPERM if the first segment's data is shared.
 */
int vs_offload_cksum_sw(struct rte_mbuf *m);

/**
 * As vs_offload_cksum_sw(), with the inner Ethernet frame at a given offset (used by
 * vs_frag_outer() on frames encapsulated without offload metadata: off = 50).
 *
 * @param m
 *   Frame; the caller keeps it.
 * @param off
 *   Offset of the Ethernet header whose packet carries the requests.
 * @return
 *   As vs_offload_cksum_sw().
 */
int vs_offload_cksum_sw_at(struct rte_mbuf *m, uint32_t off);

/**
 * Check the TCP or UDP checksum of an inner IPv4/IPv6 frame in software (and the IPv4 header
 * checksum). For the receive side: librte_gro never verifies checksums, so only frames that
 * pass this (or that the NIC marked RTE_MBUF_F_RX_L4_CKSUM_GOOD for the inner packet) should
 * be merged. A UDP checksum of 0 (none, IPv4 only) counts as valid.
 *
 * @param m
 *   Inner Ethernet frame; not modified.
 * @return
 *   1 if valid, 0 if a checksum is wrong, -EINVAL if the frame is not TCP/UDP over IPv4/IPv6
 *   or is malformed.
 */
int vs_offload_cksum_check(const struct rte_mbuf *m);

/**
 * Prepare an encapsulated guest TSO frame for a NIC that segments VXLAN itself
 * (RTE_ETH_TX_OFFLOAD_VXLAN_TNL_TSO), following doc/guides/prog_guide/mbuf_lib.rst:
 *
 * - tso_segsz is clamped so that every outer IPv4 packet (20 outer IPv4 + 8 UDP + 8 VXLAN +
 *   inner Ethernet + inner L3 + inner TCP header + MSS) is at most uplink_mtu; a guest MSS
 *   already below that is kept (the guest's peer asked for it); 0 becomes the maximum;
 * - l2_len (16 + inner Ethernet), l3_len, l4_len are set from the packet;
 * - flags: RTE_MBUF_F_TX_OUTER_IPV4 | RTE_MBUF_F_TX_OUTER_IP_CKSUM |
 *   RTE_MBUF_F_TX_TUNNEL_VXLAN | RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM, and
 *   RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM for inner IPv4 (RTE_MBUF_F_TX_IPV6 for IPv6);
 * - outer IPv4 checksum and inner IPv4 checksum set to 0, inner TCP checksum set to the
 *   pseudo-header sum without the length (rte_net_intel_cksum_flags_prepare()).
 *
 * Left to the NIC, per segment: outer IPv4 total length, ID and checksum; outer UDP length
 * (the UDP checksum stays 0: RTE_MBUF_F_TX_OUTER_UDP_CKSUM is not requested); inner IPv4
 * total length, ID and checksum (or IPv6 payload length); TCP sequence number, FIN/PSH on
 * the last segment only, and the TCP checksum. The NIC's minimum MSS and maximum TSO frame
 * are not checked here (rte_eth_tx_prepare() does for the drivers that implement it).
 *
 * @param m
 *   Frame encapsulated by vs_encap() with VS_ENCAP_F_OL_TUNNEL (with or without
 *   VS_ENCAP_F_OL_OUTER_CKSUM), carrying RTE_MBUF_F_TX_TCP_SEG. The caller keeps it.
 * @param uplink_mtu
 *   The uplink's IP MTU.
 * @param tx_capa
 *   The uplink's enabled TX offloads (RTE_ETH_TX_OFFLOAD_*).
 * @return
 *   0 on success;
 *   -ENOTSUP if tx_capa lacks RTE_ETH_TX_OFFLOAD_VXLAN_TNL_TSO or
 *   RTE_ETH_TX_OFFLOAD_OUTER_IPV4_CKSUM (the outer checksum changes per segment), or the
 *   inner packet is not TCP;
 *   -EINVAL if m is not a VXLAN-encapsulated TSO frame, its headers are malformed or split,
 *   or the MTU leaves no room for payload;
 *   -EPERM if the first segment's data is shared.
 */
int vs_offload_tnl_tso_prepare(struct rte_mbuf *m, uint16_t uplink_mtu, uint64_t tx_capa);

/**
 * Fill a librte_gso context for vs_offload_gso(): VXLAN and plain TCP/IPv4 segmentation
 * (RTE_ETH_TX_OFFLOAD_VXLAN_TNL_TSO | RTE_ETH_TX_OFFLOAD_TCP_TSO), incrementing IP IDs,
 * gso_size = uplink_mtu + 14 so that each outer frame fits the uplink.
 *
 * @param ctx
 *   Context to fill; read-only afterwards, may be shared by lcores.
 * @param direct
 *   Pool for each segment's header mbuf (data room >= 256 bytes is plenty).
 * @param indirect
 *   Pool for the mbufs that point into the original payload (data room 0 is enough).
 * @param uplink_mtu
 *   The uplink's IP MTU, 576..9600 (or more, up to 65521).
 * @return
 *   0, or -EINVAL for a NULL pool or an MTU out of range.
 */
int vs_offload_gso_ctx_init(struct rte_gso_ctx *ctx, struct rte_mempool *direct,
		struct rte_mempool *indirect, uint16_t uplink_mtu);

/**
 * Segment an encapsulated guest TSO frame in software (librte_gso) and finish every
 * segment's checksums, for an uplink without tunnel TSO.
 *
 * Each segment carries at most min(tso_segsz, ctx->gso_size - headers) payload bytes, so it
 * fits the uplink and respects the guest's MSS. librte_gso copies the headers, updates outer
 * IPv4 length and ID (+1 per segment), UDP length, inner IPv4 length and ID (+1), TCP
 * sequence numbers and clears FIN/PSH on all but the last segment; it computes no checksum,
 * so this function then writes, per segment: the outer IPv4 header checksum, the inner IPv4
 * header checksum and the TCP checksum (over the chain: a header mbuf plus indirect mbufs
 * into the original payload). The outer UDP checksum stays 0 (RFC 7348). All TX offload
 * flags of the segments are cleared: they are complete packets.
 *
 * Inner IPv6 is not supported: DPDK 22.11's librte_gso segments only IPv4 inside VXLAN.
 *
 * @param m
 *   Frame encapsulated by vs_encap() with VS_ENCAP_F_OL_TUNNEL, carrying
 *   RTE_MBUF_F_TX_TCP_SEG and RTE_MBUF_F_TX_IPV4. On success (> 0) the caller's reference
 *   is dropped (the segments keep the payload alive); otherwise the caller keeps m.
 * @param ctx
 *   Context from vs_offload_gso_ctx_init().
 * @param out
 *   Array for the segments; the caller owns them after success.
 * @param nb_out
 *   Size of out (VS_OFFLOAD_OUT_MAX is always enough for uplink MTU >= 1280).
 * @return
 *   Number of segments (>= 2) on success;
 *   0 if the payload already fits in one segment: m untouched, still the caller's (finish
 *   its checksums with vs_offload_cksum_sw() and send it);
 *   -ENOTSUP if m is not a VXLAN TCP TSO frame over inner IPv4 (e.g. inner IPv6): drop it;
 *   -EINVAL if its headers are malformed or not in the first segment;
 *   -ENOSPC if nb_out is too small; -ENOMEM if a pool ran dry.
 */
int vs_offload_gso(struct rte_mbuf *m, const struct rte_gso_ctx *ctx, struct rte_mbuf **out,
		uint16_t nb_out);

/**
 * Build an ICMP destination unreachable / fragmentation needed (type 3, code 4, RFC 1191)
 * for a guest whose IPv4 packet has DF set and does not fit the path, to be delivered back
 * to that guest: Ethernet source = m's destination and destination = m's source; IPv4 from
 * m's destination (so the guest's stack takes it as coming from the path) to m's source,
 * TTL 64; ICMP next-hop MTU = mtu; payload = m's IPv4 header (with options) and the first 8
 * bytes after it. Both checksums are computed.
 *
 * Nothing is built (NULL, rte_errno = EINVAL) when m is not IPv4, DF is clear, it is a
 * non-first fragment, it fits (total length <= mtu), it is itself an ICMP error (types 3, 4,
 * 5, 11, 12), or its source is not a unicast host (0.0.0.0, 127/8, multicast, broadcast) or
 * its destination is multicast or 255.255.255.255 (RFC 1122 section 3.2.2).
 *
 * @param m
 *   Inner frame from a guest; not modified, still the caller's (who drops it).
 * @param mtu
 *   The largest inner IPv4 packet that fits: uplink MTU - 50 (outer IPv4, UDP, VXLAN and
 *   inner Ethernet). At least 68.
 * @param mp
 *   Pool for the reply.
 * @return
 *   The reply (the caller owns it), or NULL with rte_errno EINVAL (no reply due) or ENOMEM.
 */
struct rte_mbuf *vs_offload_icmp_frag_needed(const struct rte_mbuf *m, uint16_t mtu,
		struct rte_mempool *mp);

/**
 * Mark an inner TCP/IPv4 frame that librte_gro (RTE_GRO_TCP_IPV4) merged from several wire
 * segments so that vhost's enqueue hands it to the guest as one large segment: l2_len,
 * l3_len, l4_len from the packet, the IPv4 header checksum recomputed (GRO updates the total
 * length only), other TX offload flags cleared, then RTE_MBUF_F_TX_IPV4 |
 * RTE_MBUF_F_TX_TCP_CKSUM with the TCP checksum field set to the pseudo-header sum including
 * the TCP length (what Linux expects of CHECKSUM_PARTIAL, so a guest that forwards the frame
 * segments it right), and, if the payload is larger than mss, RTE_MBUF_F_TX_TCP_SEG with
 * tso_segsz = mss (vhost writes a VIRTIO_NET_HDR_GSO_TCPV4 header).
 *
 * librte_gro does not verify checksums: merge only segments already verified (see
 * vs_offload_cksum_check()), since the guest will not check the merged frame.
 *
 * @param m
 *   Merged inner frame; the caller keeps it.
 * @param mss
 *   Payload size of the wire segments (GRO does not record it), e.g. the largest payload
 *   among the merged segments. 0: no TCP_SEG.
 * @return
 *   0, -EINVAL if m is not TCP/IPv4 (or a fragment, or headers split), -EPERM if shared.
 */
int vs_offload_gro_to_tso(struct rte_mbuf *m, uint16_t mss);

#endif /* VS_OFFLOAD_H */
