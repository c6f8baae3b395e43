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
 *
 * Threads and the RCU variable (the caller owns it: rte_rcu_qsbr_get_memsize(),
 * rte_rcu_qsbr_init() with max_threads covering every reader's thread id, e.g. lcore ids):
 * - A reader (worker lcore) calls rte_rcu_qsbr_thread_register() and
 *   rte_rcu_qsbr_thread_online() before its first lookup, rte_rcu_qsbr_quiescent() once
 *   per loop iteration at a point where it holds no entry pointer, and
 *   rte_rcu_qsbr_thread_offline() before it blocks, sleeps or stops polling (then
 *   _unregister() when it exits). An online reader that stops reporting stalls every grace
 *   period: replacements then fail with -ENOMEM and deleted keys are not recycled.
 * - Registered threads that are offline, and threads never registered, do not hold up
 *   grace periods; a thread that is not registered must not call vs_table_lookup*().
 * - The writer (control lcore) need not register. It frees entries only inside the writer
 *   functions, so an entry pointer it looked up stays valid until its next writer call.
 *   It calls vs_table_reclaim() periodically (each loop, or every few milliseconds).
 * - Anything else that wants to read the table (CLI, telemetry callbacks on their own
 *   threads) asks the writer, or registers as a reader.
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
};

_Static_assert(sizeof(struct vs_loc_key) == 12, "location key is 12 bytes");

enum vs_loc_origin {
	VS_LOC_LOCAL = 0,    /**< a guest on this host (from the config) */
	VS_LOC_STATIC,       /**< config [location.VNI] or CLI "location add"; never ages */
	VS_LOC_LEARNED,      /**< learned from decapsulated traffic; ages out */
	VS_LOC_DIRECTORY,    /**< from the distributed directory */
};

#define VS_LOC_PORT_NONE UINT16_MAX
#define VS_LOC_VTEP_NONE UINT16_MAX

/** An immutable published entry. */
struct vs_loc_entry {
	struct vs_loc_key key;
	uint8_t origin;          /**< enum vs_loc_origin */
	uint16_t port;           /**< local port index, or VS_LOC_PORT_NONE when remote */
	rte_be32_t vtep_ip;      /**< remote VTEP (network order), 0 when local */
	uint16_t vtep;           /**< caller's index for vtep_ip (see vs_table_set_vtep), or
	                          *   VS_LOC_VTEP_NONE */
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
 * name is at most 24 characters and unique among tables (it names the rte_hash).
 * @return the table, or NULL with rte_errno set (EINVAL, ENOMEM, EEXIST, ...).
 */
struct vs_table *vs_table_create(const char *name, uint32_t capacity, int socket_id,
		struct rte_rcu_qsbr *qsbr);

/**
 * Free the table and all entries. No reader may be using it, and every registered reader
 * must be offline or have reported a quiescent state since the last writer call, or the
 * entries still waiting for their grace period are leaked (logged).
 */
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
 * (Any update with the same origin, port and vtep_ip only refreshes last_seen.)
 * DIRECTORY ranks with LEARNED: it never replaces LOCAL or STATIC (-EPERM).
 * Exactly one of port (!= VS_LOC_PORT_NONE) and vtep_ip (!= 0) is given.
 * now is a TSC value; it becomes created and last_seen of a new entry.
 * @return 0, -EPERM, -ENOSPC (table full; counted), -ENOMEM (no memory, or too many
 *   replaced entries still waiting for a grace period: a reader is not reporting
 *   quiescent states), -EINVAL (bad origin, vni > 0xffffff, non-zero key pad, or not
 *   exactly one of port/vtep_ip).
 */
int vs_table_set(struct vs_table *t, const struct vs_loc_key *key,
		enum vs_loc_origin origin, uint16_t port, rte_be32_t vtep_ip, uint64_t now);

/**
 * As vs_table_set(), and also store vtep, the caller's own index for vtep_ip (the data
 * path uses it to find the VTEP's encapsulation template without a second lookup). An
 * update that differs only in vtep replaces the entry.
 */
int vs_table_set_vtep(struct vs_table *t, const struct vs_loc_key *key,
		enum vs_loc_origin origin, uint16_t port, rte_be32_t vtep_ip, uint16_t vtep,
		uint64_t now);

/** Remove the entry for key. @return 0 or -ENOENT. */
int vs_table_del(struct vs_table *t, const struct vs_loc_key *key);

/**
 * Remove every entry of one VNI (vni <= 0xffffff) or all VNIs (VS_TABLE_ALL_VNI) whose
 * origin bit is set in origin_mask (1u << VS_LOC_xxx). @return how many were removed.
 */
#define VS_TABLE_ALL_VNI UINT32_MAX
unsigned int vs_table_flush(struct vs_table *t, uint32_t vni, uint32_t origin_mask);

/**
 * Remove LEARNED entries whose last_seen is older than now - max_age (both TSC).
 * max_age 0 removes every learned entry not refreshed at now: a caller implementing
 * "aging = 0 (never)" does not call this. @return count.
 */
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

/**
 * Call fn for every entry (stops early when fn returns non-zero). Writer thread only;
 * fn must not change the table. @return 0, or the non-zero value fn returned.
 */
int vs_table_walk(const struct vs_table *t,
		int (*fn)(const struct vs_loc_entry *e, void *arg), void *arg);

#endif /* VS_TABLE_H */
