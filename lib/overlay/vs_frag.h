/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Fragment mode (a VNI's `fragment = on`, DESIGN.md section 3): an encapsulated frame whose
 * outer IPv4 packet exceeds the uplink MTU is sent as outer IPv4 fragments (RFC 7348 section
 * 4.3 lets a VTEP do this by configuration), and the receiving vseal reassembles them before
 * vs_decap(). Linux's vxlan driver reassembles such packets too.
 *
 * Fragmentation uses librte_ip_frag (rte_ipv4_fragment_packet()). Reassembly does not:
 * DPDK 22.11 as packaged (RTE_LIBRTE_IP_FRAG_MAX_FRAG = 8, a build-time constant) reassembles
 * at most 8 fragments per packet, i.e. 8 x 1480 bytes on a 1500-byte underlay, while a 64 KB
 * frame needs 45. vs_reasm is a small bounded table of its own instead: per packet up to
 * max_frags_per_flow fragments, and distinct drop reasons.
 *
 * Reassembly state is per lcore (one vs_reasm per worker, no locking). All fragments of one
 * packet must reach the same worker: true with one uplink queue; with RSS the NIC must hash
 * IPv4 fragments on addresses only (most do: fragments carry no ports).
 */
#ifndef VS_FRAG_H
#define VS_FRAG_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vs_drop.h"

/**
 * Drop reasons vs_reasm_feed() reports for the fragment it was given: malformed,
 * overlapping, duplicate, conflicting end, or too many fragments for one packet.
 */
#define VS_REASM_DROP_INVALID		VS_DROP_FRAG_INVALID
/** Reassembled packet would exceed 65535 bytes (counted apart in vs_reasm_stats()). */
#define VS_REASM_DROP_OVERSIZE		VS_DROP_FRAG_INVALID
/** No free entry for a new packet in its table bucket. */
#define VS_REASM_DROP_TABLE_FULL	VS_DROP_FRAG_TABLE_FULL

/** Largest max_frags_per_flow vs_reasm_create() accepts. */
#define VS_REASM_FRAGS_MAX 256

/**
 * Fragment an encapsulated frame's outer IPv4 packet for the uplink.
 *
 * First the inner frame's checksum requests are finished in software
 * (vs_offload_cksum_sw_at(); RTE_MBUF_F_TX_TCP_SEG is dropped, so the receiver gets one
 * plain frame), then the outer IPv4 ID is set to ip_id, the outer Ethernet header is
 * stripped, the IPv4 packet is cut by rte_ipv4_fragment_packet() (payload of each fragment
 * a multiple of 8 bytes, all of them sharing ip_id) and the Ethernet header is put back on
 * each fragment, whose IPv4 header checksum is computed here. The fragments carry no
 * offload flags. The outer UDP checksum (0) is not touched.
 *
 * @param m
 *   Frame from vs_encap() with a template built with df = false (with or without offload
 *   flags), exactly as long as its outer IPv4 packet plus 14. On success (> 0) the caller's
 *   reference is dropped (the fragments point into its data); otherwise the caller keeps
 *   m, its data unchanged except that inner checksum requests may have been finished.
 * @param mtu
 *   Uplink IP MTU (>= 576): every fragment's IPv4 packet is at most this long.
 * @param ip_id
 *   Outer IPv4 ID for this packet, host order; must differ between packets to one VTEP
 *   within the reassembly timeout (a per-lcore counter, e.g. lcore id in the top bits).
 * @param direct
 *   Pool for each fragment's header mbuf (needs RTE_PKTMBUF_HEADROOM >= 14 and room for
 *   the 20-byte IPv4 header).
 * @param indirect
 *   Pool for the mbufs that point into m's data (data room 0 is enough).
 * @param out
 *   Array for the fragments; the caller owns them after success.
 * @param nb_out
 *   Size of out (VS_OFFLOAD_OUT_MAX is enough for MTU >= 1280).
 * @return
 *   Number of fragments (>= 2);
 *   0 if the outer packet already fits: m untouched;
 *   -ENOTSUP if it does not fit and the outer IPv4 DF bit is set;
 *   -EINVAL if m is not outer IPv4/UDP as vs_encap() builds it, is already a fragment, its
 *   inner checksum request cannot be finished, or mtu < 576;
 *   -ENOSPC if nb_out is too small; -ENOMEM if a pool ran dry; -EPERM if m's first segment
 *   is shared.
 */
int vs_frag_outer(struct rte_mbuf *m, uint16_t mtu, uint16_t ip_id,
		struct rte_mempool *direct, struct rte_mempool *indirect,
		struct rte_mbuf **out, uint16_t nb_out);

/** A reassembly table (opaque). */
struct vs_reasm;

/** Counters of one reassembly table. */
struct vs_reasm_stats {
	uint64_t reassembled;	/**< packets completed and returned */
	uint64_t timeout_flows;	/**< incomplete packets given up after the timeout */
	uint64_t timeout_frags;	/**< fragments freed with them (VS_DROP_FRAG_TIMEOUT: no
				  *  vs_reasm_feed() call reports these, add the delta) */
	uint64_t invalid;	/**< fragments dropped: malformed, overlapping, duplicate,
				  *  conflicting end, too many for one packet */
	uint64_t oversize;	/**< fragments dropped: packet would exceed 65535 bytes */
	uint64_t table_full;	/**< fragments dropped: no free entry for a new packet */
	uint32_t flows;		/**< packets in progress now */
	uint32_t frags;		/**< fragments held now */
};

/**
 * Create a reassembly table.
 *
 * Memory is bounded: the table has room for max_flows packets in progress (rounded up to a
 * multiple of 8, the entries of one hash bucket), each holding at most max_frags_per_flow
 * fragments, so at most (max_flows + 7) / 8 * 8 * max_frags_per_flow received mbuf chains
 * are held; size the RX mempool for that (e.g. 128 flows x 48 fragments = 6144 mbufs). A
 * fragment of a new packet whose bucket is full is dropped (table-full); nothing already
 * held is evicted before its timeout.
 *
 * @param name
 *   Name for the memory allocation (debugging).
 * @param max_flows
 *   Packets in progress at once, 1..1048576.
 * @param max_frags_per_flow
 *   Fragments per packet, 2..VS_REASM_FRAGS_MAX: 45 covers 64 KB on a 1500-byte underlay,
 *   8 on 9000.
 * @param timeout_ms
 *   A packet not complete this long after its first fragment arrived is dropped (1..60000;
 *   Linux uses 30 s, a few hundred ms is plenty between two VTEPs).
 * @param socket
 *   NUMA socket for the memory, or SOCKET_ID_ANY.
 * @return
 *   The table, or NULL with rte_errno EINVAL or ENOMEM.
 */
struct vs_reasm *vs_reasm_create(const char *name, uint32_t max_flows,
		uint32_t max_frags_per_flow, uint64_t timeout_ms, int socket);

/**
 * Free a table and every fragment it holds. NULL is ignored.
 */
void vs_reasm_free(struct vs_reasm *r);

/**
 * Give a received outer IPv4 fragment to the table.
 *
 * The fragment is checked (IPv4, IHL >= 5, headers in the first segment, lengths; every
 * fragment but the last carries a multiple of 8 bytes; no overlap with what is held; end
 * consistent with the last fragment; packet <= 65535 bytes), Ethernet padding is trimmed,
 * and it is stored under (source, destination, ID, protocol). When a packet is complete its
 * fragments are chained in order behind the first one's Ethernet and IPv4 headers, the IPv4
 * total length, flags/offset (DF kept) and checksum are rewritten, packet_type and the RX
 * checksum flags are cleared, and the packet is returned: a multi-segment frame starting at
 * the outer Ethernet header, ready for vs_decap().
 *
 * An exact duplicate of a held fragment is dropped alone; any other inconsistency drops the
 * whole packet (all its held fragments, counted in the stats, and m). A packet whose
 * timeout has passed is dropped when its bucket is next searched or by vs_reasm_flush().
 *
 * The caller should feed only fragments addressed to our VTEP IP (vs_decap() reports
 * fragments before it checks the destination), and call vs_decap() on what comes back.
 *
 * @param r
 *   Table.
 * @param m
 *   Fragment from the uplink, starting at its outer Ethernet header. Taken over by the
 *   table in every case except when it is returned.
 * @param now_tsc
 *   Current TSC (rte_rdtsc()).
 * @param why
 *   Set to VS_DROP_MAX unless m was dropped; then to the reason (VS_REASM_DROP_*), which
 *   the caller counts once for m (earlier fragments dropped with it are in the stats only).
 * @return
 *   The reassembled packet (the caller owns it); m itself if it is not a fragment at all;
 *   or NULL: m is kept waiting for the rest (*why == VS_DROP_MAX) or was dropped and freed.
 */
struct rte_mbuf *vs_reasm_feed(struct vs_reasm *r, struct rte_mbuf *m, uint64_t now_tsc,
		enum vs_drop_reason *why);

/**
 * Drop packets whose timeout has passed: examines up to 32 table entries per call, round
 * robin, so calling it once per poll loop (even with no packets) frees an idle table within
 * the timeout plus (entries / 32) loops. Does nothing when no packet is in progress.
 *
 * @param r
 *   Table.
 * @param now_tsc
 *   Current TSC.
 */
void vs_reasm_flush(struct vs_reasm *r, uint64_t now_tsc);

/**
 * Read a table's counters.
 *
 * @param r
 *   Table.
 * @param st
 *   Filled with the counters and current occupancy.
 */
void vs_reasm_stats(const struct vs_reasm *r, struct vs_reasm_stats *st);

#endif /* VS_FRAG_H */
