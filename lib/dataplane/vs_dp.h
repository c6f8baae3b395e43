/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The data plane: the state shared by the worker lcores and the control lcore, and their
 * loops.
 *
 * Ownership:
 * - struct vs_dp is built by the app before any lcore is launched and is read-only
 *   afterwards, except the fields marked "control" (written by the control lcore only) and
 *   the quit flag.
 * - struct vs_worker (one per worker lcore, cache aligned) is written only by its own lcore;
 *   others read its counters (64-bit, so torn reads cannot happen on x86-64/arm64).
 * - The location table is written only by the control lcore (see vs_table.h).
 *
 * Transmit queues: tx queue q of a port is owned by the worker that polls rx queue q of that
 * port. A worker sends on a port directly when it owns one of its tx queues, otherwise it
 * hands the mbufs to the owner through an rte_ring (multi-producer, single-consumer) that
 * the owner drains every loop. No locks on the data path.
 */
#ifndef VS_DP_H
#define VS_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_rcu_qsbr.h>

#include <rte_gso.h>
#include <rte_hash.h>

#include "vs_config.h"
#include "vs_drop.h"
#include "vs_encap.h"
#include "vs_frag.h"
#include "vs_port.h"
#include "vs_table.h"

#define VS_BURST 32
#define VS_HANDOFF_RING_MIN 512u    /**< handoff ring entries, whatever guest-bdp-kb says */
#define VS_HANDOFF_RING_MAX 16384u
#define VS_IDLE_POLLS 64      /**< empty loops before a worker sleeps idle-sleep µs */
#define VS_LEARN_RING_SIZE 1024
#define VS_EXC_RING_SIZE 256
#define VS_EXC_RATE 2000      /**< exception frames per second and worker, burst 64 */
#define VS_MAX_VTEPS 4096     /**< remote VTEPs known at once (slots are never reused) */

/**
 * A remote VTEP as the workers see it. The control lcore publishes a new template (release)
 * whenever the next hop's MAC changes and frees the old one after an RCU grace period;
 * NULL while the next hop is unresolved.
 */
struct vs_vtep {
	rte_be32_t ip;
	const struct vs_encap_tmpl *tmpl;
};

/** A VNI's flood list: indexes into vs_dp.vteps. Immutable; replaced as a whole. */
struct vs_flood {
	uint16_t n;
	uint16_t vtep[VS_MAX_FLOOD];
};

/** Learn or refresh request from a worker to the control lcore (16 bytes). */
struct vs_learn_req {
	uint32_t vni;
	struct rte_ether_addr mac;
	uint16_t pad;
	rte_be32_t vtep_ip;
};

/** Per-port state shared by all lcores (read-only after start except `up`). */
struct vs_dp_port {
	struct vs_port port;
	uint16_t vni_idx;                      /**< guests: index in vs_dp.vnis */
	uint16_t txq_owner[VS_MAX_QUEUES];     /**< worker index owning each tx queue */
	struct rte_ring *handoff[VS_MAX_QUEUES]; /**< to the owner of each tx queue */
	bool up;                               /**< control: link state (atomic access) */
	bool guest_tso;                        /**< control: guest takes 64 KB TCP frames */
	uint64_t features;                     /**< control: the guest's virtio features, last read */
};

/** A virtual network: its local guests (fixed at start) and its flood list. */
struct vs_dp_vni {
	uint32_t vni;
	rte_be32_t vni_field;                  /**< VNI as the VXLAN header carries it */
	bool fragment;
	uint16_t nb_local;
	uint16_t local[VS_MAX_GUESTS];         /**< port indexes of its guests */
	const struct vs_flood *flood;          /**< control: replaced, RCU (atomic access) */
};

/** Counters of one worker lcore, summed on demand. */
/**
 * The large-frame counters of struct vs_worker_stats: field, then the name under which
 * the SIGUSR1 dump ("offload NAME=N ...") and show port info uplink print them
 * (telemetry: the field name).
 */
#define VS_OFFLOAD_STATS(X) \
	X(gso_frames, "gso-frames") \
	X(gso_segments, "gso-segments") \
	X(tso_frames, "tso-frames") \
	X(frag_frames, "frag-frames") \
	X(frag_fragments, "frag-fragments") \
	X(reassembled, "reassembled") \
	X(gro_in, "gro-in") \
	X(gro_out, "gro-out") \
	X(icmp_frag_needed, "icmp-frag-needed")

struct vs_worker_stats {
	uint64_t rx[VS_MAX_PORTS];
	uint64_t tx[VS_MAX_PORTS];
	uint64_t drops[VS_MAX_PORTS][VS_DROP_MAX];
	uint64_t gso_frames;                   /**< large TCP frames cut in software */
	uint64_t gso_segments;                 /**< ... into this many wire packets */
	uint64_t tso_frames;                   /**< large TCP frames the NIC cuts */
	uint64_t frag_frames;                  /**< frames sent as outer IPv4 fragments */
	uint64_t frag_fragments;
	uint64_t reassembled;                  /**< outer IPv4 packets reassembled */
	uint64_t gro_in;                       /**< wire TCP segments given to GRO ... */
	uint64_t gro_out;                      /**< ... and the frames guests got from it */
	uint64_t icmp_frag_needed;             /**< "fragmentation needed" sent to guests */
	uint64_t busy_cycles;                  /**< TSC cycles of loops that moved packets */
	uint64_t idle_cycles;                  /**< TSC cycles of loops that did not */
	uint64_t loops;
};

/** Per-destination-port transmit buffer of one worker. */
struct vs_txbuf {
	uint16_t len;
	bool listed;                           /**< in vs_worker.dirty until the loop's flush */
	struct rte_mbuf *pkts[VS_BURST * 2];
};

struct vs_dp;

struct vs_worker {
	struct vs_dp *dp;
	unsigned int lcore;
	unsigned int index;                    /**< in vs_dp.workers */
	unsigned int qsbr_id;
	unsigned int nb_pq;
	struct vs_cfg_pq pq[VS_MAX_PQ];
	int16_t own_txq[VS_MAX_PORTS];         /**< tx queue this worker owns per port, or -1 */
	uint16_t handoff_txq[VS_MAX_PORTS];    /**< else: which owner's ring it uses */
	struct rte_ring *learn;                /**< to control: struct vs_learn_req, SP/SC */
	struct rte_ring *exc;                  /**< to control: ARP/ICMP mbufs, SP/SC */
	uint64_t exc_tokens;                   /**< exception rate limit (token bucket) */
	uint64_t exc_last;
	uint64_t learn_overflow;               /**< learn requests lost to a full ring */
	struct rte_gso_ctx gso_ctx;            /**< software segmentation towards the uplink */
	struct vs_reasm *reasm;                /**< outer IPv4 reassembly (fragment mode) */
	uint16_t ip_id;                        /**< outer IPv4 ID for fragmented packets */
	uint16_t nb_dirty;                     /**< ports queued to since the last flush,
	                                        *   each once (txbuf.listed) */
	uint16_t dirty[VS_MAX_PORTS];
	struct vs_txbuf txbuf[VS_MAX_PORTS];
	struct vs_worker_stats stats;
} __rte_cache_aligned;

struct vs_dp {
	const struct vs_config *cfg;
	struct rte_mempool *pool;
	struct vs_table *table;
	struct rte_rcu_qsbr *qsbr;
	unsigned int nb_ports;
	struct vs_dp_port ports[VS_MAX_PORTS];
	unsigned int nb_vnis;
	struct vs_dp_vni vnis[VS_MAX_VNIS];
	unsigned int nb_workers;
	struct vs_worker *workers;             /**< rte_zmalloc'd array */
	uint32_t idle_sleep_us;
	uint32_t quit;                         /**< set to 1 to stop all loops (atomic) */
	/* overlay */
	rte_be32_t vtep_ip;
	uint16_t vxlan_port;
	uint16_t uplink_mtu;
	enum vs_seg_path seg_path;             /**< NIC tunnel TSO or software (librte_gso) */
	uint32_t encap_ol;                     /**< VS_ENCAP_F_* for TSO frames */
	bool gro;                              /**< coalesce TCP from the uplink for guests */
	bool fragment_any;                     /**< some VNI has fragment = on: reassemble */
	bool learning;                         /**< control (atomic access) */
	uint32_t aging;                        /**< seconds, 0 = never; control (atomic) */
	uint64_t refresh_tsc;                  /**< re-confirm a learned entry this often;
	                                        *   control (atomic), see vs_dp_refresh_tsc() */
	struct rte_hash *vni_hash;             /**< VNI -> index in vnis; fixed at start */
	uint32_t nb_vteps;                     /**< control: grows only (atomic access) */
	struct vs_vtep vteps[VS_MAX_VTEPS];
	struct vs_ctrl *ctrl;                  /**< control lcore's private state */
};

/**
 * Build the runtime from a validated config: mempool, ports (opened, not started), VNIs,
 * location table with the local guests, workers' queue ownership and handoff rings.
 * @return 0 or -errno with err set.
 */
int vs_dp_init(struct vs_dp *dp, const struct vs_config *cfg, char *err, size_t errlen);

/** Start all ports. @return 0 or -errno with err set. */
int vs_dp_start(struct vs_dp *dp, char *err, size_t errlen);

/** Stop and close ports, free rings, table and pool. Lcores must have returned. */
void vs_dp_fini(struct vs_dp *dp);

/** How often a learned entry is re-confirmed for aging of `aging` seconds. */
static inline uint64_t
vs_dp_refresh_tsc(uint32_t aging)
{
	return rte_get_tsc_hz() * RTE_MAX(1u, RTE_MIN(aging / 4, 30u));
}

/** Index of vni in dp->vnis, or a negative errno. Any lcore. */
static inline int
vs_dp_vni_index(const struct vs_dp *dp, uint32_t vni)
{
	void *data;

	if (rte_hash_lookup_data(dp->vni_hash, &vni, &data) < 0)
		return -ENOENT;
	return (int)(uintptr_t)data;
}

/** Worker lcore entry point (arg: struct vs_worker *). */
int vs_worker_main(void *arg);

/** Control lcore entry point (arg: struct vs_dp *); returns when quit is set. */
int vs_ctrl_main(void *arg);

/** One iteration of the control work (link state, table upkeep); for a main-lcore loop. */
void vs_ctrl_poll(struct vs_dp *dp);

static inline bool
vs_dp_quitting(const struct vs_dp *dp)
{
	return __atomic_load_n(&dp->quit, __ATOMIC_ACQUIRE) != 0;
}

static inline void
vs_dp_stop(struct vs_dp *dp)
{
	__atomic_store_n(&dp->quit, 1, __ATOMIC_RELEASE);
}

/** Sum of all workers' counters. */
void vs_dp_stats_sum(const struct vs_dp *dp, struct vs_worker_stats *sum);

/** Print per-port counters and every non-zero drop reason (see docs/architecture.md). */
void vs_dp_stats_print(const struct vs_dp *dp, FILE *f);

/**
 * Mempool size (mbufs) vseal creates for a configuration: full rings, per-lcore caches,
 * and [host] guest-bdp-kb of data in flight per guest queue. Logged at start.
 */
unsigned int vs_dp_pool_size(const struct vs_config *cfg);

/** Entries of each handoff ring, from [host] guest-bdp-kb (512..16384, a power of 2). */
unsigned int vs_dp_handoff_size(const struct vs_config *cfg);

#endif /* VS_DP_H */
