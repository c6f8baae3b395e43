/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The location table: an rte_hash with lock-free readers and one writer, and an RCU
 * (QSBR) defer queue for what the writer takes out of it.
 *
 * What DPDK does and what is written here:
 * - rte_hash (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF, no MULTI_WRITER_ADD) does the lookup,
 *   the bulk lookup, the atomic publication of a new key and the atomic swap of the data
 *   pointer of an existing key (rte_hash_add_key_data on a key that is present).
 * - rte_rcu_qsbr_dq does the grace periods: the writer enqueues what it unpublished and
 *   the queue calls vs_table_free_deferred() once every registered reader has reported a
 *   quiescent state since then.
 * - Hand-written, and kept thin: argument checks, the precedence rule, the "same value
 *   only refreshes last_seen" rule, the capacity count (rte_hash_count() is not usable:
 *   with the LF flag a deleted key slot stays taken until its grace period ends), and
 *   the flush/age filters over rte_hash_iterate().
 *
 * Why one defer queue of our own rather than rte_hash_rcu_qsbr_add(): DPDK 22.11 has no
 * call to drive the hash's internal defer queue (it reclaims only inside a later delete or
 * a failed add), so vs_table_reclaim() could not keep its promise and the reclaimed count
 * would be split. Here a deleted key goes on the same queue as a replaced entry, with
 * its key position; the free function returns the position to the hash
 * (rte_hash_free_key_with_position) and frees the entry.
 *
 * Lookups (the workers' per-burst cost, docs/performance.md): the key is 12 bytes, which
 * rte_hash would hash with the generic rte_hash_crc() through a function pointer and compare
 * with memcmp(). Here the hash is two CRC32-C steps (8 + 4 bytes) computed inline for the
 * whole burst and passed to rte_hash_lookup_with_hash_bulk_data(); the table is created
 * with the same function so inserts agree; keys are compared with two loads. The entries
 * found are prefetched, as the caller reads each of them next.
 *
 * Sizing: the hash gets capacity + capacity / 4 + 64 key slots. The quarter keeps the
 * cuckoo table below 80% full at capacity (it fails around 95%); the slots beyond capacity
 * also hold deleted keys whose grace period has not ended. The capacity itself is our own
 * count of live keys, so "full" means exactly capacity entries. The defer queue holds
 * every key slot (a pending delete holds one, so deletes can never overflow it) plus a
 * budget of replaced entries (capacity, clamped to 64..4096); when that budget is used up
 * and a reclaim frees nothing, a replacement is refused with -ENOMEM rather than blocking
 * the writer on a reader.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>

#include "vs_log.h"
#include "vs_table.h"

#define VS_TABLE_NAME_MAX 24       /* rte_hash and ring names carry prefixes; 32 in all */
#define VS_TABLE_SLACK_MIN 64
#define VS_TABLE_REPLACE_MIN 64
#define VS_TABLE_REPLACE_MAX 4096
#define VS_TABLE_DQ_TRIGGER 32     /* enqueue reclaims once this many are pending */
#define VS_TABLE_DQ_RECLAIM 64     /* ... and then at most this many */
#define VS_TABLE_POISON 0x5b       /* freed entries are filled with this */
#define VS_TABLE_KEY_POS_NONE (-1) /* deferred item is a replaced entry, not a deleted key */

struct vs_table {
	struct rte_hash *h;
	struct rte_rcu_qsbr_dq *dq;
	int socket_id;
	uint32_t capacity;
	uint32_t entries;       /* live keys */
	uint32_t pending_rep;   /* replaced entries waiting for their grace period */
	uint32_t rep_budget;
	uint64_t full;
	uint64_t replaced;
	uint64_t aged;
	uint64_t reclaimed;
};

/* One item on the defer queue (its size must be a multiple of 4). */
struct vs_table_deferred {
	struct vs_loc_entry *e;
	int32_t key_pos;        /* hash key position to give back, or VS_TABLE_KEY_POS_NONE */
	uint32_t pad;
};

_Static_assert(sizeof(struct vs_loc_key) == sizeof(uint64_t) + sizeof(uint32_t),
	"the key hash and compare read 8 + 4 bytes");

/* CRC32-C of the 12-byte key: the hash of every insert and lookup. */
static inline uint32_t
vs_table_key_hash(const struct vs_loc_key *k)
{
	uint64_t a;
	uint32_t b;

	memcpy(&a, k, sizeof(a));
	memcpy(&b, (const uint8_t *)k + sizeof(a), sizeof(b));
	return rte_hash_crc_4byte(b, rte_hash_crc_8byte(a, 0));
}

/* rte_hash's hash_func: the same hash for the inserts rte_hash computes itself. */
static uint32_t
vs_table_hash_fn(const void *key, uint32_t key_len, uint32_t init_val)
{
	RTE_SET_USED(key_len);
	RTE_SET_USED(init_val);
	return vs_table_key_hash(key);
}

/* rte_hash's key compare (0 when equal), in place of memcmp() of 12 bytes. */
static int
vs_table_key_cmp(const void *key1, const void *key2, size_t key_len)
{
	uint64_t a1, a2;
	uint32_t b1, b2;

	RTE_SET_USED(key_len);
	memcpy(&a1, key1, sizeof(a1));
	memcpy(&a2, key2, sizeof(a2));
	memcpy(&b1, (const uint8_t *)key1 + sizeof(a1), sizeof(b1));
	memcpy(&b2, (const uint8_t *)key2 + sizeof(a2), sizeof(b2));
	return ((a1 ^ a2) | (uint64_t)(b1 ^ b2)) != 0;
}

static void
vs_table_free_deferred(void *p, void *data, unsigned int n)
{
	struct vs_table *t = p;
	struct vs_table_deferred d;

	/* DPDK 22.11 calls this once per item (n == 1). */
	RTE_SET_USED(n);
	memcpy(&d, data, sizeof(d));
	if (d.key_pos != VS_TABLE_KEY_POS_NONE) {
		if (rte_hash_free_key_with_position(t->h, d.key_pos) != 0)
			VS_LOG(ERR, table, "cannot give key slot %d back", d.key_pos);
	} else {
		t->pending_rep--;
	}
	/* A reader that broke the rules now sees garbage, not a plausible stale entry. */
	memset(d.e, VS_TABLE_POISON, sizeof(*d.e));
	rte_free(d.e);
	t->reclaimed++;
}

/* Put an unpublished entry (and, for a delete, its key slot) on the defer queue. */
static void
vs_table_defer(struct vs_table *t, struct vs_loc_entry *e, int32_t key_pos)
{
	struct vs_table_deferred d = { .e = e, .key_pos = key_pos };

	if (key_pos == VS_TABLE_KEY_POS_NONE)
		t->pending_rep++;
	if (rte_rcu_qsbr_dq_enqueue(t->dq, &d) != 0) {
		/* Cannot happen with the sizing above; leaking is the only safe way out. */
		if (key_pos == VS_TABLE_KEY_POS_NONE)
			t->pending_rep--;
		VS_LOG_RL(ERR, table, "defer queue full (%s): entry leaked",
			rte_strerror(rte_errno));
	}
}

struct vs_table *
vs_table_create(const char *name, uint32_t capacity, int socket_id, struct rte_rcu_qsbr *qsbr)
{
	char dq_name[RTE_RCU_QSBR_DQ_NAMESIZE];
	struct rte_rcu_qsbr_dq_parameters dqp = { 0 };
	struct rte_hash_parameters hp = { 0 };
	struct vs_table *t;
	uint32_t slots;
	int err;

	if (name == NULL || qsbr == NULL || capacity == 0 ||
			strnlen(name, VS_TABLE_NAME_MAX + 1) > VS_TABLE_NAME_MAX ||
			capacity > RTE_HASH_ENTRIES_MAX / 2) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc_socket("vs_table", sizeof(*t), RTE_CACHE_LINE_SIZE, socket_id);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->socket_id = socket_id;
	t->capacity = capacity;
	t->rep_budget = RTE_MAX(RTE_MIN(capacity, (uint32_t)VS_TABLE_REPLACE_MAX),
		(uint32_t)VS_TABLE_REPLACE_MIN);
	slots = capacity + RTE_MAX(capacity / 4, (uint32_t)VS_TABLE_SLACK_MIN);

	hp.name = name;
	hp.entries = slots;
	hp.key_len = sizeof(struct vs_loc_key);
	hp.hash_func = vs_table_hash_fn;
	hp.hash_func_init_val = 0;
	hp.socket_id = socket_id;
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
	t->h = rte_hash_create(&hp);
	if (t->h == NULL)
		goto fail;
	rte_hash_set_cmp_func(t->h, vs_table_key_cmp);

	snprintf(dq_name, sizeof(dq_name), "D_%s", name);
	dqp.name = dq_name;
	dqp.flags = RTE_RCU_QSBR_DQ_MT_UNSAFE;
	dqp.size = slots + t->rep_budget;
	dqp.esize = sizeof(struct vs_table_deferred);
	dqp.trigger_reclaim_limit = VS_TABLE_DQ_TRIGGER;
	dqp.max_reclaim_size = VS_TABLE_DQ_RECLAIM;
	dqp.free_fn = vs_table_free_deferred;
	dqp.p = t;
	dqp.v = qsbr;
	t->dq = rte_rcu_qsbr_dq_create(&dqp);
	if (t->dq == NULL)
		goto fail;
	return t;

fail:
	err = rte_errno;
	rte_hash_free(t->h);
	rte_free(t);
	rte_errno = err;
	return NULL;
}

void
vs_table_free(struct vs_table *t)
{
	const void *key;
	void *data;
	uint32_t next = 0;

	if (t == NULL)
		return;
	while (rte_hash_iterate(t->h, &key, &data, &next) >= 0)
		rte_free(data);
	/* Deferred items need their grace period even now; see vs_table.h. */
	if (rte_rcu_qsbr_dq_delete(t->dq) != 0)
		VS_LOG(WARNING, table, "a reader has not reported a quiescent state: "
			"deferred entries leaked");
	rte_hash_free(t->h);
	rte_free(t);
}

const struct vs_loc_entry *
vs_table_lookup(const struct vs_table *t, const struct vs_loc_key *key)
{
	void *data;

	if (rte_hash_lookup_with_hash_data(t->h, key, vs_table_key_hash(key), &data) < 0)
		return NULL;
	return data;
}

void
vs_table_lookup_bulk(const struct vs_table *t, const struct vs_loc_key **keys,
		unsigned int n, const struct vs_loc_entry **out)
{
	hash_sig_t sig[RTE_HASH_LOOKUP_BULK_MAX];
	unsigned int done, i, m;
	uint64_t hits;

	/* A burst to one destination (one key; two on the uplink path, its source and
	 * destination): rte_hash's single lookups cost less than a bulk one's set-up. */
	if (n <= 3) {
		for (i = 0; i < n; i++)
			out[i] = vs_table_lookup(t, keys[i]);
		return;
	}
	for (done = 0; done < n; done += m) {
		m = RTE_MIN(n - done, (unsigned int)RTE_HASH_LOOKUP_BULK_MAX);
		for (i = 0; i < m; i++)
			sig[i] = vs_table_key_hash(keys[done + i]);
		hits = 0;
		if (rte_hash_lookup_with_hash_bulk_data(t->h, (const void **)(keys + done), sig,
				m, &hits, (void **)(out + done)) < 0)
			hits = 0;
		/* Misses are not written by rte_hash; hits are read next by the caller. */
		for (i = 0; i < m; i++) {
			if ((hits & (UINT64_C(1) << i)) == 0)
				out[done + i] = NULL;
			else
				rte_prefetch0(out[done + i]);
		}
	}
}

static bool
vs_table_same(const struct vs_loc_entry *e, enum vs_loc_origin origin, uint16_t port,
		rte_be32_t vtep_ip, uint16_t vtep)
{
	return e->origin == origin && e->port == port && e->vtep_ip == vtep_ip &&
		e->vtep == vtep;
}

/* May an update of origin replace an entry of origin cur? */
static bool
vs_table_may_replace(enum vs_loc_origin origin, uint8_t cur)
{
	if (origin == VS_LOC_LOCAL || origin == VS_LOC_STATIC)
		return true;
	return cur != VS_LOC_LOCAL && cur != VS_LOC_STATIC;
}

int
vs_table_set(struct vs_table *t, const struct vs_loc_key *key, enum vs_loc_origin origin,
		uint16_t port, rte_be32_t vtep_ip, uint64_t now)
{
	return vs_table_set_vtep(t, key, origin, port, vtep_ip, VS_LOC_VTEP_NONE, now);
}

int
vs_table_set_vtep(struct vs_table *t, const struct vs_loc_key *key, enum vs_loc_origin origin,
		uint16_t port, rte_be32_t vtep_ip, uint16_t vtep, uint64_t now)
{
	struct vs_loc_entry *e, *old = NULL;
	void *data;
	int ret;

	if (t == NULL || key == NULL || key->vni > 0xffffff || key->pad != 0 ||
			origin > VS_LOC_DIRECTORY ||
			(port == VS_LOC_PORT_NONE) == (vtep_ip == 0))
		return -EINVAL;

	if (rte_hash_lookup_data(t->h, key, &data) >= 0) {
		old = data;
		if (vs_table_same(old, origin, port, vtep_ip, vtep)) {
			__atomic_store_n(&old->last_seen, now, __ATOMIC_RELAXED);
			return 0;
		}
		if (!vs_table_may_replace(origin, old->origin))
			return -EPERM;
		if (t->pending_rep >= t->rep_budget) {
			vs_table_reclaim(t);
			if (t->pending_rep >= t->rep_budget) {
				VS_LOG_RL(WARNING, table, "readers are not reporting quiescent "
					"states: %u replaced entries wait", t->pending_rep);
				return -ENOMEM;
			}
		}
	} else if (t->entries >= t->capacity) {
		t->full++;
		return -ENOSPC;
	}

	e = rte_malloc_socket("vs_loc_entry", sizeof(*e), 0, t->socket_id);
	if (e == NULL)
		return -ENOMEM;
	e->key = *key;
	e->origin = origin;
	e->port = port;
	e->vtep_ip = vtep_ip;
	e->vtep = vtep;
	e->created = now;
	e->last_seen = now;

	/* Publishes a new key, or swaps the data pointer of the existing one. */
	ret = rte_hash_add_key_data(t->h, key, e);
	if (ret == -ENOSPC) {
		/* Key slots held by deletes in their grace period, or a cuckoo path. */
		vs_table_reclaim(t);
		ret = rte_hash_add_key_data(t->h, key, e);
	}
	if (ret != 0) {
		rte_free(e);
		if (ret == -ENOSPC)
			t->full++;
		return ret;
	}
	if (old != NULL) {
		t->replaced++;
		vs_table_defer(t, old, VS_TABLE_KEY_POS_NONE);
	} else {
		t->entries++;
	}
	return 0;
}

/* Unpublish key (whose entry is e); both go back after the grace period. */
static void
vs_table_remove(struct vs_table *t, const struct vs_loc_key *key, struct vs_loc_entry *e)
{
	int32_t pos;

	pos = rte_hash_del_key(t->h, key);
	if (pos < 0) {
		VS_LOG(ERR, table, "cannot delete a key just found: %s", rte_strerror(-pos));
		return;
	}
	t->entries--;
	vs_table_defer(t, e, pos);
}

int
vs_table_del(struct vs_table *t, const struct vs_loc_key *key)
{
	void *data;

	if (t == NULL || key == NULL)
		return -EINVAL;
	if (rte_hash_lookup_data(t->h, key, &data) < 0)
		return -ENOENT;
	vs_table_remove(t, key, data);
	return 0;
}

/*
 * Deleting the entry rte_hash_iterate() just returned is safe: the iterator walks bucket
 * slots in order, a delete moves no other key, and with the LF flag the key slot (and so
 * the key the iterator points to) stays untouched until the grace period ends.
 */
unsigned int
vs_table_flush(struct vs_table *t, uint32_t vni, uint32_t origin_mask)
{
	struct vs_loc_entry *e;
	unsigned int n = 0;
	uint32_t next = 0;
	const void *key;
	void *data;

	if (t == NULL)
		return 0;
	while (rte_hash_iterate(t->h, &key, &data, &next) >= 0) {
		e = data;
		if (vni != VS_TABLE_ALL_VNI && e->key.vni != vni)
			continue;
		if ((origin_mask & (UINT32_C(1) << e->origin)) == 0)
			continue;
		vs_table_remove(t, &e->key, e);
		n++;
	}
	return n;
}

unsigned int
vs_table_age(struct vs_table *t, uint64_t now, uint64_t max_age)
{
	struct vs_loc_entry *e;
	unsigned int n = 0;
	uint32_t next = 0;
	uint64_t seen;
	const void *key;
	void *data;

	if (t == NULL)
		return 0;
	while (rte_hash_iterate(t->h, &key, &data, &next) >= 0) {
		e = data;
		if (e->origin != VS_LOC_LEARNED)
			continue;
		seen = __atomic_load_n(&e->last_seen, __ATOMIC_RELAXED);
		if (now <= seen || now - seen <= max_age)
			continue;
		vs_table_remove(t, &e->key, e);
		n++;
	}
	t->aged += n;
	return n;
}

void
vs_table_reclaim(struct vs_table *t)
{
	if (t == NULL)
		return;
	rte_rcu_qsbr_dq_reclaim(t->dq, UINT32_MAX, NULL, NULL, NULL);
}

void
vs_table_stats(const struct vs_table *t, struct vs_table_stats *st)
{
	st->entries = t->entries;
	st->capacity = t->capacity;
	st->full = t->full;
	st->replaced = t->replaced;
	st->aged = t->aged;
	st->reclaimed = t->reclaimed;
}

int
vs_table_walk(const struct vs_table *t, int (*fn)(const struct vs_loc_entry *e, void *arg),
		void *arg)
{
	uint32_t next = 0;
	const void *key;
	void *data;
	int ret;

	while (rte_hash_iterate(t->h, &key, &data, &next) >= 0) {
		ret = fn(data, arg);
		if (ret != 0)
			return ret;
	}
	return 0;
}
