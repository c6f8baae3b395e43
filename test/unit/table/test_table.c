/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the location table (lib/table): what the CLI, the control lcore and the
 * workers rely on, including a reader racing the writer's replacements and reclaims.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include "vs_eal_files.h"
#include "vs_table.h"

#define QSBR_THREADS 4
#define BULK 64               /* the most vs_table_lookup_bulk() takes */
#define RACE_READER_ID 0
#define STALL_READER_ID 3

static struct vs_eal_files eal_files;

static struct rte_rcu_qsbr *qsbr;
static cpu_set_t all_cpus;      /* before EAL pins this thread to lcore 0 */

static struct vs_loc_key
key_of(uint32_t vni, unsigned int idx)
{
	struct rte_ether_addr mac = {
		.addr_bytes = { 0x02, 0x00, 0x00, 0x00, (idx >> 8) & 0xff, idx & 0xff } };
	struct vs_loc_key k;

	vs_loc_key_make(&k, vni, &mac);
	return k;
}

static rte_be32_t
ip_of(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return rte_cpu_to_be_32(RTE_IPV4(a, b, c, d));
}

static struct vs_table_stats
stats_of(const struct vs_table *t)
{
	struct vs_table_stats st;

	vs_table_stats(t, &st);
	return st;
}

static void
test_create_args(void)
{
	struct vs_table *t, *t2;

	rte_errno = 0;
	CU_ASSERT_PTR_NULL(vs_table_create("t_args", 0, SOCKET_ID_ANY, qsbr));
	CU_ASSERT_EQUAL(rte_errno, EINVAL);
	rte_errno = 0;
	CU_ASSERT_PTR_NULL(vs_table_create("t_args", 16, SOCKET_ID_ANY, NULL));
	CU_ASSERT_EQUAL(rte_errno, EINVAL);
	rte_errno = 0;
	CU_ASSERT_PTR_NULL(vs_table_create("a_name_that_is_far_too_long_for_rte", 16,
		SOCKET_ID_ANY, qsbr));
	CU_ASSERT_EQUAL(rte_errno, EINVAL);

	t = vs_table_create("t_args", 16, SOCKET_ID_ANY, qsbr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(stats_of(t).capacity, 16);
	CU_ASSERT_EQUAL(stats_of(t).entries, 0);
	/* A second table of the same name is refused, and the first one still works. */
	rte_errno = 0;
	t2 = vs_table_create("t_args", 16, SOCKET_ID_ANY, qsbr);
	CU_ASSERT_PTR_NULL(t2);
	CU_ASSERT_EQUAL(rte_errno, EEXIST);
	vs_table_free(t2);
	vs_table_free(t);
	/* The name is free again. */
	t = vs_table_create("t_args", 16, SOCKET_ID_ANY, qsbr);
	CU_ASSERT_PTR_NOT_NULL(t);
	vs_table_free(t);
}

static void
test_add_lookup_replace_delete(void)
{
	struct vs_loc_key k = key_of(100, 1), k_other_vni = key_of(101, 1);
	struct vs_loc_key k_local = key_of(100, 2), bad;
	const struct vs_loc_entry *e, *e2;
	struct vs_table *t;

	t = vs_table_create("t_basic", 64, SOCKET_ID_ANY, qsbr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);

	CU_ASSERT_PTR_NULL(vs_table_lookup(t, &k));
	CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_STATIC, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 2), 1000), 0);
	e = vs_table_lookup(t, &k);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(memcmp(&e->key, &k, sizeof(k)), 0);
	CU_ASSERT_EQUAL(e->origin, VS_LOC_STATIC);
	CU_ASSERT_EQUAL(e->port, VS_LOC_PORT_NONE);
	CU_ASSERT_EQUAL(e->vtep_ip, ip_of(192, 0, 2, 2));
	CU_ASSERT_EQUAL(e->created, 1000);
	CU_ASSERT_EQUAL(e->last_seen, 1000);
	/* Same MAC, other VNI: a different key. */
	CU_ASSERT_PTR_NULL(vs_table_lookup(t, &k_other_vni));

	CU_ASSERT_EQUAL(vs_table_set(t, &k_local, VS_LOC_LOCAL, 3, 0, 5), 0);
	e2 = vs_table_lookup(t, &k_local);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e2);
	CU_ASSERT_EQUAL(e2->port, 3);
	CU_ASSERT_EQUAL(e2->vtep_ip, 0);
	CU_ASSERT_EQUAL(stats_of(t).entries, 2);

	/* Replace: a new entry is published, the old one is untouched until reclaimed. */
	CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_STATIC, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 3), 2000), 0);
	e2 = vs_table_lookup(t, &k);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e2);
	CU_ASSERT_PTR_NOT_EQUAL(e2, e);
	CU_ASSERT_EQUAL(e2->vtep_ip, ip_of(192, 0, 2, 3));
	CU_ASSERT_EQUAL(e2->created, 2000);
	CU_ASSERT_EQUAL(e->vtep_ip, ip_of(192, 0, 2, 2));
	CU_ASSERT_EQUAL(stats_of(t).replaced, 1);
	CU_ASSERT_EQUAL(stats_of(t).entries, 2);
	CU_ASSERT_EQUAL(stats_of(t).reclaimed, 0);
	/* No reader is online: the grace period is over at once. */
	vs_table_reclaim(t);
	CU_ASSERT_EQUAL(stats_of(t).reclaimed, 1);

	CU_ASSERT_EQUAL(vs_table_del(t, &k), 0);
	CU_ASSERT_PTR_NULL(vs_table_lookup(t, &k));
	CU_ASSERT_EQUAL(vs_table_del(t, &k), -ENOENT);
	CU_ASSERT_EQUAL(vs_table_del(t, &k_other_vni), -ENOENT);
	CU_ASSERT_EQUAL(stats_of(t).entries, 1);
	CU_ASSERT_PTR_NOT_NULL(vs_table_lookup(t, &k_local));
	vs_table_reclaim(t);
	CU_ASSERT_EQUAL(stats_of(t).reclaimed, 2);
	/* Re-adding a deleted key works. */
	CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_LEARNED, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 4), 3000), 0);
	CU_ASSERT_EQUAL(vs_table_lookup(t, &k)->vtep_ip, ip_of(192, 0, 2, 4));

	/* Refused arguments. */
	bad = key_of(0x1000000, 1);
	CU_ASSERT_EQUAL(vs_table_set(t, &bad, VS_LOC_STATIC, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 2), 1), -EINVAL);
	bad = key_of(100, 9);
	bad.pad = 1;
	CU_ASSERT_EQUAL(vs_table_set(t, &bad, VS_LOC_STATIC, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 2), 1), -EINVAL);
	bad = key_of(100, 9);
	CU_ASSERT_EQUAL(vs_table_set(t, &bad, VS_LOC_STATIC, 1, ip_of(192, 0, 2, 2), 1),
		-EINVAL);
	CU_ASSERT_EQUAL(vs_table_set(t, &bad, VS_LOC_STATIC, VS_LOC_PORT_NONE, 0, 1), -EINVAL);
	CU_ASSERT_EQUAL(vs_table_set(t, &bad, (enum vs_loc_origin)7, 1, 0, 1), -EINVAL);
	CU_ASSERT_PTR_NULL(vs_table_lookup(t, &bad));
	CU_ASSERT_EQUAL(stats_of(t).entries, 2);
	vs_table_free(t);
}

/* An online reader that has not reported a quiescent state holds back every reclaim. */
/* The VTEP index rides along with a remote entry; a change of index alone replaces it. */
static void
test_vtep_index(void)
{
	struct vs_loc_key k = key_of(300, 9);
	const struct vs_loc_entry *e, *e2;
	struct vs_table *t;

	t = vs_table_create("t_vtep", 16, SOCKET_ID_ANY, qsbr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(vs_table_set_vtep(t, &k, VS_LOC_LEARNED, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 7), 5, 10), 0);
	e = vs_table_lookup(t, &k);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->vtep, 5);
	/* Same value: refresh only, same entry. */
	CU_ASSERT_EQUAL(vs_table_set_vtep(t, &k, VS_LOC_LEARNED, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 7), 5, 20), 0);
	CU_ASSERT_PTR_EQUAL(vs_table_lookup(t, &k), e);
	CU_ASSERT_EQUAL(e->last_seen, 20);
	/* Other index: replaced. */
	CU_ASSERT_EQUAL(vs_table_set_vtep(t, &k, VS_LOC_LEARNED, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 7), 6, 30), 0);
	e2 = vs_table_lookup(t, &k);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e2);
	CU_ASSERT_PTR_NOT_EQUAL(e2, e);
	CU_ASSERT_EQUAL(e2->vtep, 6);
	/* vs_table_set() stores no index. */
	CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_STATIC, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 8), 40), 0);
	CU_ASSERT_EQUAL(vs_table_lookup(t, &k)->vtep, VS_LOC_VTEP_NONE);
	vs_table_reclaim(t);
	vs_table_free(t);
}

static void
test_grace_period(void)
{
	struct vs_loc_key k = key_of(100, 1);
	const struct vs_loc_entry *e;
	struct vs_table *t;

	t = vs_table_create("t_grace", 64, SOCKET_ID_ANY, qsbr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(rte_rcu_qsbr_thread_register(qsbr, STALL_READER_ID), 0);
	rte_rcu_qsbr_thread_online(qsbr, STALL_READER_ID);

	CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_STATIC, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 2), 1), 0);
	e = vs_table_lookup(t, &k);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_STATIC, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 3), 2), 0);
	vs_table_reclaim(t);
	/* The reader still holds e: it must be intact. */
	CU_ASSERT_EQUAL(stats_of(t).reclaimed, 0);
	CU_ASSERT_EQUAL(memcmp(&e->key, &k, sizeof(k)), 0);
	CU_ASSERT_EQUAL(e->vtep_ip, ip_of(192, 0, 2, 2));

	rte_rcu_qsbr_quiescent(qsbr, STALL_READER_ID);
	vs_table_reclaim(t);
	CU_ASSERT_EQUAL(stats_of(t).reclaimed, 1);

	/* Same for a delete. */
	e = vs_table_lookup(t, &k);
	CU_ASSERT_EQUAL(vs_table_del(t, &k), 0);
	vs_table_reclaim(t);
	CU_ASSERT_EQUAL(stats_of(t).reclaimed, 1);
	CU_ASSERT_EQUAL(e->vtep_ip, ip_of(192, 0, 2, 3));
	/* Offline readers do not hold grace periods back. */
	rte_rcu_qsbr_thread_offline(qsbr, STALL_READER_ID);
	vs_table_reclaim(t);
	CU_ASSERT_EQUAL(stats_of(t).reclaimed, 2);

	CU_ASSERT_EQUAL(rte_rcu_qsbr_thread_unregister(qsbr, STALL_READER_ID), 0);
	vs_table_free(t);
}

static void
test_bulk_lookup(void)
{
	const struct vs_loc_key *kp[BULK];
	struct vs_loc_key keys[BULK];
	const struct vs_loc_entry *out[BULK];
	const struct vs_loc_entry *junk = (const struct vs_loc_entry *)(uintptr_t)0x1;
	unsigned int i, hits = 0;
	struct vs_table *t;

	t = vs_table_create("t_bulk", 128, SOCKET_ID_ANY, qsbr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (i = 0; i < RTE_DIM(keys); i++) {
		keys[i] = key_of(200, i);
		kp[i] = &keys[i];
		out[i] = junk;
		if (i % 3 != 0) {
			CU_ASSERT_EQUAL(vs_table_set(t, &keys[i], VS_LOC_LEARNED,
				VS_LOC_PORT_NONE, ip_of(10, 0, 0, i), 1), 0);
		}
	}
	vs_table_lookup_bulk(t, kp, RTE_DIM(keys), out);
	for (i = 0; i < RTE_DIM(keys); i++) {
		if (i % 3 == 0) {
			CU_ASSERT_PTR_NULL(out[i]);
			continue;
		}
		CU_ASSERT_PTR_NOT_NULL_FATAL(out[i]);
		CU_ASSERT_NOT_EQUAL_FATAL(out[i], junk);
		CU_ASSERT_EQUAL(memcmp(&out[i]->key, &keys[i], sizeof(keys[i])), 0);
		CU_ASSERT_EQUAL(out[i]->vtep_ip, ip_of(10, 0, 0, i));
		hits++;
	}
	CU_ASSERT_EQUAL(hits, 42);

	/* A short burst starting with a miss; the rest of out is left alone. */
	for (i = 0; i < RTE_DIM(out); i++)
		out[i] = junk;
	vs_table_lookup_bulk(t, kp + 3, 5, out);
	CU_ASSERT_PTR_NULL(out[0]);
	CU_ASSERT_PTR_NOT_NULL(out[1]);
	CU_ASSERT_PTR_NOT_NULL(out[2]);
	CU_ASSERT_PTR_NULL(out[3]);
	CU_ASSERT_EQUAL(out[4]->vtep_ip, ip_of(10, 0, 0, 7));
	CU_ASSERT_EQUAL(out[5], junk);
	vs_table_free(t);
}

static const struct {
	enum vs_loc_origin cur;
	enum vs_loc_origin upd;
	int ret;
} precedence[] = {
	{ VS_LOC_LOCAL, VS_LOC_LOCAL, 0 },
	{ VS_LOC_LOCAL, VS_LOC_STATIC, 0 },
	{ VS_LOC_LOCAL, VS_LOC_LEARNED, -EPERM },
	{ VS_LOC_LOCAL, VS_LOC_DIRECTORY, -EPERM },
	{ VS_LOC_STATIC, VS_LOC_LOCAL, 0 },
	{ VS_LOC_STATIC, VS_LOC_STATIC, 0 },
	{ VS_LOC_STATIC, VS_LOC_LEARNED, -EPERM },
	{ VS_LOC_STATIC, VS_LOC_DIRECTORY, -EPERM },
	{ VS_LOC_LEARNED, VS_LOC_LOCAL, 0 },
	{ VS_LOC_LEARNED, VS_LOC_STATIC, 0 },
	{ VS_LOC_LEARNED, VS_LOC_LEARNED, 0 },
	{ VS_LOC_LEARNED, VS_LOC_DIRECTORY, 0 },
	{ VS_LOC_DIRECTORY, VS_LOC_LOCAL, 0 },
	{ VS_LOC_DIRECTORY, VS_LOC_STATIC, 0 },
	{ VS_LOC_DIRECTORY, VS_LOC_LEARNED, 0 },
	{ VS_LOC_DIRECTORY, VS_LOC_DIRECTORY, 0 },
};

static void
test_precedence(void)
{
	const struct vs_loc_entry *e, *e2;
	struct vs_table_stats st;
	struct vs_loc_key k;
	struct vs_table *t;
	unsigned int i;

	t = vs_table_create("t_prec", 64, SOCKET_ID_ANY, qsbr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (i = 0; i < RTE_DIM(precedence); i++) {
		k = key_of(300, i);
		CU_ASSERT_EQUAL(vs_table_set(t, &k, precedence[i].cur, VS_LOC_PORT_NONE,
			ip_of(192, 0, 2, 10), 10), 0);
		e = vs_table_lookup(t, &k);
		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		CU_ASSERT_EQUAL(vs_table_set(t, &k, precedence[i].upd, VS_LOC_PORT_NONE,
			ip_of(192, 0, 2, 20), 20), precedence[i].ret);
		e2 = vs_table_lookup(t, &k);
		CU_ASSERT_PTR_NOT_NULL_FATAL(e2);
		if (precedence[i].ret == 0) {
			CU_ASSERT_EQUAL(e2->origin, precedence[i].upd);
			CU_ASSERT_EQUAL(e2->vtep_ip, ip_of(192, 0, 2, 20));
		} else {
			CU_ASSERT_PTR_EQUAL(e2, e);
			CU_ASSERT_EQUAL(e2->origin, precedence[i].cur);
			CU_ASSERT_EQUAL(e2->vtep_ip, ip_of(192, 0, 2, 10));
		}
	}
	CU_ASSERT_EQUAL(stats_of(t).replaced, 12);

	/* A learned update with the same value only refreshes last_seen. */
	k = key_of(301, 1);
	CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_LEARNED, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 30), 100), 0);
	e = vs_table_lookup(t, &k);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	st = stats_of(t);
	CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_LEARNED, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 30), 250), 0);
	CU_ASSERT_PTR_EQUAL(vs_table_lookup(t, &k), e);
	CU_ASSERT_EQUAL(__atomic_load_n(&e->last_seen, __ATOMIC_RELAXED), 250);
	CU_ASSERT_EQUAL(e->created, 100);
	CU_ASSERT_EQUAL(stats_of(t).replaced, st.replaced);
	/* A different one replaces it (a guest that moved). */
	CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_LEARNED, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 31), 300), 0);
	e2 = vs_table_lookup(t, &k);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e2);
	CU_ASSERT_PTR_NOT_EQUAL(e2, e);
	CU_ASSERT_EQUAL(e2->vtep_ip, ip_of(192, 0, 2, 31));
	CU_ASSERT_EQUAL(e2->created, 300);
	CU_ASSERT_EQUAL(stats_of(t).replaced, st.replaced + 1);
	/* Learned moving to a local port of ours. */
	CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_LEARNED, 2, 0, 400), 0);
	CU_ASSERT_EQUAL(vs_table_lookup(t, &k)->port, 2);
	vs_table_free(t);
}

#define VNI_ORIGINS 4

struct census {
	unsigned int n[2][VNI_ORIGINS];    /* [vni 100, vni 200][origin] */
	unsigned int other;
};

static int
count_entry(const struct vs_loc_entry *e, void *arg)
{
	struct census *c = arg;

	if (e->key.vni == 100 && e->origin < VNI_ORIGINS)
		c->n[0][e->origin]++;
	else if (e->key.vni == 200 && e->origin < VNI_ORIGINS)
		c->n[1][e->origin]++;
	else
		c->other++;
	return 0;
}

static struct census
census_of(const struct vs_table *t)
{
	struct census c;

	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(vs_table_walk(t, count_entry, &c), 0);
	return c;
}

static int
stop_after_three(const struct vs_loc_entry *e, void *arg)
{
	unsigned int *n = arg;

	RTE_SET_USED(e);
	return ++*n == 3 ? 42 : 0;
}

static void
add_n(struct vs_table *t, uint32_t vni, enum vs_loc_origin origin, unsigned int first,
		unsigned int n)
{
	struct vs_loc_key k;
	unsigned int i;

	for (i = first; i < first + n; i++) {
		k = key_of(vni, i);
		if (origin == VS_LOC_LOCAL) {
			CU_ASSERT_EQUAL(vs_table_set(t, &k, origin, i, 0, 1), 0);
		} else {
			CU_ASSERT_EQUAL(vs_table_set(t, &k, origin, VS_LOC_PORT_NONE,
				ip_of(192, 0, 2, i), 1), 0);
		}
	}
}

static void
test_flush_and_walk(void)
{
	struct vs_table *t;
	struct census c;
	unsigned int n = 0;

	t = vs_table_create("t_flush", 64, SOCKET_ID_ANY, qsbr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	add_n(t, 100, VS_LOC_LEARNED, 0, 4);
	add_n(t, 100, VS_LOC_STATIC, 10, 3);
	add_n(t, 100, VS_LOC_LOCAL, 20, 1);
	add_n(t, 200, VS_LOC_LEARNED, 0, 2);
	add_n(t, 200, VS_LOC_STATIC, 10, 2);
	add_n(t, 200, VS_LOC_DIRECTORY, 30, 1);
	c = census_of(t);
	CU_ASSERT_EQUAL(c.n[0][VS_LOC_LEARNED], 4);
	CU_ASSERT_EQUAL(c.n[0][VS_LOC_STATIC], 3);
	CU_ASSERT_EQUAL(c.n[0][VS_LOC_LOCAL], 1);
	CU_ASSERT_EQUAL(c.n[1][VS_LOC_LEARNED], 2);
	CU_ASSERT_EQUAL(c.n[1][VS_LOC_STATIC], 2);
	CU_ASSERT_EQUAL(c.n[1][VS_LOC_DIRECTORY], 1);
	CU_ASSERT_EQUAL(c.other, 0);
	CU_ASSERT_EQUAL(vs_table_walk(t, stop_after_three, &n), 42);
	CU_ASSERT_EQUAL(n, 3);

	/* "location flush vni 100" of learned entries only. */
	CU_ASSERT_EQUAL(vs_table_flush(t, 100, 1u << VS_LOC_LEARNED), 4);
	c = census_of(t);
	CU_ASSERT_EQUAL(c.n[0][VS_LOC_LEARNED], 0);
	CU_ASSERT_EQUAL(c.n[0][VS_LOC_STATIC], 3);
	CU_ASSERT_EQUAL(c.n[0][VS_LOC_LOCAL], 1);
	CU_ASSERT_EQUAL(c.n[1][VS_LOC_LEARNED], 2);
	CU_ASSERT_EQUAL(stats_of(t).entries, 9);

	CU_ASSERT_EQUAL(vs_table_flush(t, 300, UINT32_MAX), 0);
	CU_ASSERT_EQUAL(vs_table_flush(t, 100, 1u << VS_LOC_DIRECTORY), 0);
	CU_ASSERT_EQUAL(vs_table_flush(t, VS_TABLE_ALL_VNI, 1u << VS_LOC_STATIC), 5);
	c = census_of(t);
	CU_ASSERT_EQUAL(c.n[0][VS_LOC_STATIC], 0);
	CU_ASSERT_EQUAL(c.n[1][VS_LOC_STATIC], 0);
	CU_ASSERT_EQUAL(c.n[0][VS_LOC_LOCAL], 1);
	CU_ASSERT_EQUAL(c.n[1][VS_LOC_LEARNED], 2);
	CU_ASSERT_EQUAL(c.n[1][VS_LOC_DIRECTORY], 1);
	CU_ASSERT_EQUAL(stats_of(t).entries, 4);

	CU_ASSERT_EQUAL(vs_table_flush(t, VS_TABLE_ALL_VNI, UINT32_MAX), 4);
	CU_ASSERT_EQUAL(stats_of(t).entries, 0);
	n = 0;
	CU_ASSERT_EQUAL(vs_table_walk(t, stop_after_three, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	vs_table_reclaim(t);
	CU_ASSERT_EQUAL(stats_of(t).reclaimed, 13);
	/* Everything can be added again. */
	add_n(t, 100, VS_LOC_LEARNED, 0, 13);
	CU_ASSERT_EQUAL(stats_of(t).entries, 13);
	vs_table_free(t);
}

static void
test_aging(void)
{
	static const uint64_t seen[] = { 100, 500, 700, 900 };
	struct vs_loc_key k;
	struct vs_table *t;
	unsigned int i;

	t = vs_table_create("t_age", 64, SOCKET_ID_ANY, qsbr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (i = 0; i < RTE_DIM(seen); i++) {
		k = key_of(100, i);
		CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_LEARNED, VS_LOC_PORT_NONE,
			ip_of(192, 0, 2, i + 1), seen[i]), 0);
	}
	k = key_of(100, 10);
	CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_STATIC, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 10), 0), 0);
	k = key_of(100, 11);
	CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_LOCAL, 1, 0, 0), 0);
	k = key_of(100, 12);
	CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_DIRECTORY, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 12), 0), 0);

	/* now 1000, max age 300: 100 and 500 are older than 700; 700 itself is not. */
	CU_ASSERT_EQUAL(vs_table_age(t, 1000, 300), 2);
	k = key_of(100, 0);
	CU_ASSERT_PTR_NULL(vs_table_lookup(t, &k));
	k = key_of(100, 1);
	CU_ASSERT_PTR_NULL(vs_table_lookup(t, &k));
	k = key_of(100, 2);
	CU_ASSERT_PTR_NOT_NULL(vs_table_lookup(t, &k));
	k = key_of(100, 3);
	CU_ASSERT_PTR_NOT_NULL(vs_table_lookup(t, &k));
	for (i = 10; i <= 12; i++) {
		k = key_of(100, i);
		CU_ASSERT_PTR_NOT_NULL(vs_table_lookup(t, &k));
	}
	CU_ASSERT_EQUAL(stats_of(t).aged, 2);

	/* A refresh keeps a learned entry alive. */
	k = key_of(100, 2);
	CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_LEARNED, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 3), 1100), 0);
	CU_ASSERT_EQUAL(vs_table_age(t, 1300, 300), 1);
	CU_ASSERT_PTR_NOT_NULL(vs_table_lookup(t, &k));
	k = key_of(100, 3);
	CU_ASSERT_PTR_NULL(vs_table_lookup(t, &k));
	/* Static, local and directory entries never age. */
	CU_ASSERT_EQUAL(vs_table_age(t, UINT64_MAX, 0), 1);
	CU_ASSERT_EQUAL(stats_of(t).entries, 3);
	CU_ASSERT_EQUAL(stats_of(t).aged, 4);
	vs_table_free(t);
}

static void
test_full(void)
{
	struct vs_loc_key k, present;
	struct vs_table *t;
	unsigned int i, enospc = 0;
	int ret;

	t = vs_table_create("t_full", 16, SOCKET_ID_ANY, qsbr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	add_n(t, 100, VS_LOC_LEARNED, 0, 16);
	k = key_of(100, 16);
	CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_LEARNED, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 99), 1), -ENOSPC);
	CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_STATIC, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 99), 1), -ENOSPC);
	CU_ASSERT_PTR_NULL(vs_table_lookup(t, &k));
	CU_ASSERT_EQUAL(stats_of(t).full, 2);
	CU_ASSERT_EQUAL(stats_of(t).entries, 16);
	/* Replacing a present key still works when full. */
	k = key_of(100, 0);
	CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_LEARNED, VS_LOC_PORT_NONE,
		ip_of(192, 0, 2, 98), 2), 0);

	/*
	 * Delete and re-add many more times than there are key slots, never calling
	 * vs_table_reclaim(): the table must recycle key slots by itself.
	 */
	for (i = 0; i < 2000; i++) {
		k = key_of(100, i % 16);
		CU_ASSERT_EQUAL(vs_table_del(t, &k), 0);
		CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_LEARNED, VS_LOC_PORT_NONE,
			ip_of(192, 0, 2, i & 0xff ? i & 0xff : 1), 3), 0);
	}
	CU_ASSERT_EQUAL(stats_of(t).entries, 16);
	CU_ASSERT_EQUAL(stats_of(t).full, 2);

	/* With a stalled reader, slots of deleted keys are not reused: full, counted. */
	CU_ASSERT_EQUAL(rte_rcu_qsbr_thread_register(qsbr, STALL_READER_ID), 0);
	rte_rcu_qsbr_thread_online(qsbr, STALL_READER_ID);
	for (i = 0; i < 500 && enospc == 0; i++) {
		k = key_of(100, i % 16);
		CU_ASSERT_EQUAL(vs_table_del(t, &k), 0);
		ret = vs_table_set(t, &k, VS_LOC_LEARNED, VS_LOC_PORT_NONE, ip_of(10, 0, 0, 1), 4);
		if (ret == -ENOSPC) {
			enospc++;
		} else {
			CU_ASSERT_EQUAL(ret, 0);
		}
	}
	/* It took more deletes than the table's capacity: there is slack for them. */
	CU_ASSERT_EQUAL(enospc, 1);
	CU_ASSERT(i > 16);
	CU_ASSERT_EQUAL(stats_of(t).full, 3);
	CU_ASSERT_EQUAL(stats_of(t).entries, 15);
	CU_ASSERT_PTR_NULL(vs_table_lookup(t, &k));
	/* Replacements are refused too, once their budget is spent. */
	present = key_of(100, (i + 1) % 16);
	CU_ASSERT_PTR_NOT_NULL(vs_table_lookup(t, &present));
	ret = 0;
	for (i = 0; i < 1000 && ret == 0; i++)
		ret = vs_table_set(t, &present, VS_LOC_STATIC, VS_LOC_PORT_NONE,
			ip_of(10, 0, 1 + (i & 1), 1), 5);
	CU_ASSERT_EQUAL(ret, -ENOMEM);
	CU_ASSERT(i > 16 && i < 1000);
	CU_ASSERT_PTR_NOT_NULL(vs_table_lookup(t, &present));

	/* The reader moves on: everything recovers. */
	rte_rcu_qsbr_quiescent(qsbr, STALL_READER_ID);
	CU_ASSERT_EQUAL(vs_table_set(t, &k, VS_LOC_LEARNED, VS_LOC_PORT_NONE,
		ip_of(10, 0, 0, 1), 6), 0);
	CU_ASSERT_EQUAL(stats_of(t).entries, 16);
	rte_rcu_qsbr_thread_offline(qsbr, STALL_READER_ID);
	CU_ASSERT_EQUAL(rte_rcu_qsbr_thread_unregister(qsbr, STALL_READER_ID), 0);
	vs_table_free(t);
}

/* ---- a reader racing the writer ---- */

#define RACE_KEYS 16
#define RACE_VNI 4242
#define RACE_CAPACITY 256
#define RACE_SECONDS_MAX 1.0

struct race {
	struct vs_table *t;
	struct vs_loc_key keys[RACE_KEYS];
	int started;
	int stop;
	uint64_t passes;
	uint64_t hits;
	uint64_t bad;
};

/*
 * The writer publishes key i with vtep 10.i.x.y where x.y are the low 16 bits of created;
 * an entry that does not fit that, or that changes while the reader holds it, is bad.
 */
static rte_be32_t
race_vtep(unsigned int i, uint64_t seq)
{
	return rte_cpu_to_be_32((10u << 24) | (i << 16) | (uint32_t)(seq & 0xffff));
}

static void
race_check(struct race *r, unsigned int i, const struct vs_loc_entry *e)
{
	struct vs_loc_entry snap;
	unsigned int spin;

	if (e == NULL)
		return;
	r->hits++;
	memcpy(&snap, e, sizeof(snap));
	if (memcmp(&snap.key, &r->keys[i], sizeof(snap.key)) != 0 ||
			snap.origin != VS_LOC_STATIC || snap.port != VS_LOC_PORT_NONE ||
			snap.vtep_ip != race_vtep(i, snap.created)) {
		r->bad++;
		return;
	}
	/* Hold the entry a little, as a worker does while it builds a packet. */
	for (spin = 0; spin < 32; spin++)
		rte_pause();
	if (memcmp(&snap.key, &e->key, sizeof(snap.key)) != 0 || snap.origin != e->origin ||
			snap.port != e->port || snap.vtep_ip != e->vtep_ip ||
			snap.created != e->created)
		r->bad++;
}

static void *
race_reader(void *arg)
{
	const struct vs_loc_entry *out[RACE_KEYS];
	const struct vs_loc_key *kp[RACE_KEYS];
	struct race *r = arg;
	unsigned int i;

	for (i = 0; i < RACE_KEYS; i++)
		kp[i] = &r->keys[i];
	rte_rcu_qsbr_thread_online(qsbr, RACE_READER_ID);
	__atomic_store_n(&r->started, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		for (i = 0; i < RACE_KEYS; i++)
			race_check(r, i, vs_table_lookup(r->t, &r->keys[i]));
		vs_table_lookup_bulk(r->t, kp, RACE_KEYS, out);
		for (i = 0; i < RACE_KEYS; i++)
			race_check(r, i, out[i]);
		/* No entry pointer is held past this point. */
		rte_rcu_qsbr_quiescent(qsbr, RACE_READER_ID);
		r->passes++;
	}
	rte_rcu_qsbr_thread_offline(qsbr, RACE_READER_ID);
	return NULL;
}

static void
test_concurrent_reader(void)
{
	uint64_t seq = 0, sets = 0, dels = 0, enomem = 0, reclaimed_live;
	uint64_t deadline;
	struct vs_table_stats st;
	pthread_attr_t attr;
	struct race r;
	pthread_t tid;
	unsigned int round, i;
	int ret;

	memset(&r, 0, sizeof(r));
	r.t = vs_table_create("t_race", RACE_CAPACITY, SOCKET_ID_ANY, qsbr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.t);
	for (i = 0; i < RACE_KEYS; i++) {
		r.keys[i] = key_of(RACE_VNI, i);
		seq++;
		CU_ASSERT_EQUAL(vs_table_set(r.t, &r.keys[i], VS_LOC_STATIC, VS_LOC_PORT_NONE,
			race_vtep(i, seq), seq), 0);
	}
	CU_ASSERT_EQUAL_FATAL(rte_rcu_qsbr_thread_register(qsbr, RACE_READER_ID), 0);
	/* Let the reader run on another CPU than the writer when there is one. */
	CU_ASSERT_EQUAL_FATAL(pthread_attr_init(&attr), 0);
	CU_ASSERT_EQUAL(pthread_attr_setaffinity_np(&attr, sizeof(all_cpus), &all_cpus), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&tid, &attr, race_reader, &r), 0);
	pthread_attr_destroy(&attr);
	while (!__atomic_load_n(&r.started, __ATOMIC_ACQUIRE))
		sched_yield();

	deadline = rte_get_timer_cycles() + (uint64_t)(RACE_SECONDS_MAX * rte_get_timer_hz());
	for (round = 0; round < 20000 && rte_get_timer_cycles() < deadline; round++) {
		for (i = 0; i < RACE_KEYS; i++) {
			seq++;
			ret = vs_table_set(r.t, &r.keys[i], VS_LOC_STATIC, VS_LOC_PORT_NONE,
				race_vtep(i, seq), seq);
			if (ret == -ENOMEM) {
				/* The reader is descheduled: let it run. */
				enomem++;
				sched_yield();
				continue;
			}
			CU_ASSERT_EQUAL_FATAL(ret, 0);
			sets++;
		}
		/* Now and then a key goes away and comes back (a new key slot). */
		if (round % 8 == 0) {
			i = round / 8 % RACE_KEYS;
			CU_ASSERT_EQUAL_FATAL(vs_table_del(r.t, &r.keys[i]), 0);
			dels++;
			seq++;
			CU_ASSERT_EQUAL_FATAL(vs_table_set(r.t, &r.keys[i], VS_LOC_STATIC,
				VS_LOC_PORT_NONE, race_vtep(i, seq), seq), 0);
		}
		vs_table_reclaim(r.t);
	}
	reclaimed_live = stats_of(r.t).reclaimed;
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	CU_ASSERT_EQUAL(pthread_join(tid, NULL), 0);
	CU_ASSERT_EQUAL(rte_rcu_qsbr_thread_unregister(qsbr, RACE_READER_ID), 0);

	vs_table_reclaim(r.t);
	st = stats_of(r.t);
	printf("\n    race: %d CPUs, %u rounds, %" PRIu64 " replacements, %" PRIu64 " deletes, "
		"%" PRIu64 " reader passes, %" PRIu64 " hits, %" PRIu64 " bad, "
		"%" PRIu64 " reclaimed while the reader ran, %" PRIu64 " -ENOMEM\n",
		CPU_COUNT(&all_cpus), round, sets, dels, r.passes, r.hits, r.bad, reclaimed_live, enomem);
	CU_ASSERT_EQUAL(r.bad, 0);
	CU_ASSERT(r.passes > 10);
	CU_ASSERT(r.hits > 100);
	CU_ASSERT(sets > 1000);
	CU_ASSERT_EQUAL(st.replaced, sets);
	CU_ASSERT(reclaimed_live > 0);
	/* Reader offline: every replaced or deleted entry has been freed. */
	CU_ASSERT_EQUAL(st.reclaimed, sets + dels);
	CU_ASSERT_EQUAL(st.entries, RACE_KEYS);
	vs_table_free(r.t);
}

int
main(int argc, char **argv)
{
	/* --in-memory is refused with --no-huge (which implies legacy memory); --no-shconf
	 * keeps the run from leaving files behind just the same. */
	char *eal_args[] = { argv[0], "--no-huge", "--no-pci", "--no-shconf",
		"--file-prefix=vstable", "-l", "0", "--log-level=lib.eal:error" };
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "create arguments", test_create_args },
		{ "add, lookup, replace, delete", test_add_lookup_replace_delete },
		{ "vtep index", test_vtep_index },
		{ "grace period", test_grace_period },
		{ "bulk lookup", test_bulk_lookup },
		{ "precedence and refresh", test_precedence },
		{ "flush and walk", test_flush_and_walk },
		{ "aging", test_aging },
		{ "full table", test_full },
		{ "concurrent reader", test_concurrent_reader },
	};
	CU_pSuite suite;
	unsigned int i, failed;
	size_t sz;

	RTE_SET_USED(argc);
	if (sched_getaffinity(0, sizeof(all_cpus), &all_cpus) != 0)
		return 1;
	if (rte_eal_init(RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	vs_eal_files_save(&eal_files);
	sz = rte_rcu_qsbr_get_memsize(QSBR_THREADS);
	qsbr = rte_zmalloc("test_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (qsbr == NULL || rte_rcu_qsbr_init(qsbr, QSBR_THREADS) != 0) {
		fprintf(stderr, "cannot create the RCU variable\n");
		return 1;
	}

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("table", NULL, NULL);
	if (suite == NULL)
		return 1;
	for (i = 0; i < RTE_DIM(tests); i++)
		if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL)
			return 1;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	rte_free(qsbr);
	rte_eal_cleanup();
	/* EAL leaves its runtime directory (and hugepage files) behind. */
	vs_eal_files_remove(&eal_files);
	return failed == 0 ? 0 : 1;
}
