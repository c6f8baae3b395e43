/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The location table: (VNI, MAC) -> where that guest is (a local port, or a remote VTEP).
 *
 * An rte_hash with lock-free reader/writer concurrency. Exactly one writer thread (the
 * control lcore) calls the writer functions; any number of readers (workers) call
 * vs_table_lookup*() concurrently. Entries are immutable once published: an update
 * publishes a new entry and the old one is freed only after an RCU (QSBR) grace period,
 * so a reader may use an entry pointer until it next reports a quiescent state.
 */
#ifndef VS_TABLE_H
#define VS_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_rcu_qsbr.h>

/** Hash key. Build it with vs_loc_key_make() so the padding is zero. */
struct vs_loc_key {
	uint32_t vni;
	struct rte_ether_addr mac;
	uint16_t pad;
} __rte_packed;

_Static_assert(sizeof(struct vs_loc_key) == 12, "location key is 12 bytes");

enum vs_loc_origin {
	VS_LOC_LOCAL = 0,    /**< a guest on this host (from the config) */
	VS_LOC_STATIC,       /**< config [location.VNI] or CLI "location add"; never ages */
	VS_LOC_LEARNED,      /**< learned from decapsulated traffic; ages out */
	VS_LOC_DIRECTORY,    /**< from the distributed directory */
};

#define VS_LOC_PORT_NONE UINT16_MAX

/** An immutable published entry. */
struct vs_loc_entry {
	struct vs_loc_key key;
	uint8_t origin;          /**< enum vs_loc_origin */
	uint16_t port;           /**< local port index, or VS_LOC_PORT_NONE when remote */
	rte_be32_t vtep_ip;      /**< remote VTEP (network order), 0 when local */
	uint64_t created;        /**< TSC when this entry was published */
	uint64_t last_seen;      /**< TSC of the last refresh; written only by the writer, read
	                          *   with __atomic loads (relaxed) */
};

struct vs_table;

static inline void
vs_loc_key_make(struct vs_loc_key *k, uint32_t vni, const struct rte_ether_addr *mac)
{
	k->vni = vni;
	k->mac = *mac;
	k->pad = 0;
}

/**
 * Create a table for up to capacity entries. qsbr is the RCU variable the readers report
 * quiescent states on (the caller creates it and registers the reader threads).
 * @return the table, or NULL with rte_errno set.
 */
struct vs_table *vs_table_create(const char *name, uint32_t capacity, int socket_id,
		struct rte_rcu_qsbr *qsbr);

/** Free the table and all entries. No reader may be using it. */
void vs_table_free(struct vs_table *t);

/* ---- readers (any lcore) ---- */

/** The entry for key, or NULL. Valid until the caller's next quiescent state. */
const struct vs_loc_entry *vs_table_lookup(const struct vs_table *t,
		const struct vs_loc_key *key);

/** Burst lookup (rte_hash_lookup_bulk_data): out[i] = entry or NULL. n <= 64. */
void vs_table_lookup_bulk(const struct vs_table *t, const struct vs_loc_key **keys,
		unsigned int n, const struct vs_loc_entry **out);

/* ---- the single writer (control lcore) ---- */

/**
 * Publish (replace) the entry for key. Precedence: a LEARNED update never replaces a LOCAL
 * or STATIC entry (returns -EPERM); LOCAL and STATIC replace anything.
 * A learned update that matches the current entry only refreshes last_seen.
 * @return 0, -EPERM, -ENOSPC (table full; counted), -ENOMEM.
 */
int vs_table_set(struct vs_table *t, const struct vs_loc_key *key,
		enum vs_loc_origin origin, uint16_t port, rte_be32_t vtep_ip, uint64_t now);

/** Remove the entry for key. @return 0 or -ENOENT. */
int vs_table_del(struct vs_table *t, const struct vs_loc_key *key);

/**
 * Remove every entry of one VNI (vni <= 0xffffff) or all VNIs (VS_TABLE_ALL_VNI) whose
 * origin bit is set in origin_mask (1u << VS_LOC_xxx). @return how many were removed.
 */
#define VS_TABLE_ALL_VNI UINT32_MAX
unsigned int vs_table_flush(struct vs_table *t, uint32_t vni, uint32_t origin_mask);

/** Remove LEARNED entries whose last_seen is older than now - max_age. @return count. */
unsigned int vs_table_age(struct vs_table *t, uint64_t now, uint64_t max_age);

/** Reclaim entries whose grace period has ended. Call from the writer's loop. */
void vs_table_reclaim(struct vs_table *t);

/* ---- statistics and iteration (writer's thread, e.g. for the CLI) ---- */

struct vs_table_stats {
	uint32_t entries;
	uint32_t capacity;
	uint64_t full;       /**< inserts refused because the table was full */
	uint64_t replaced;   /**< entries replaced by a different value */
	uint64_t aged;       /**< learned entries removed by aging */
	uint64_t reclaimed;  /**< old entries freed after their grace period */
};

void vs_table_stats(const struct vs_table *t, struct vs_table_stats *st);

/** Call fn for every entry (stops early when fn returns non-zero). Writer thread only. */
int vs_table_walk(const struct vs_table *t,
		int (*fn)(const struct vs_loc_entry *e, void *arg), void *arg);

#endif /* VS_TABLE_H */
