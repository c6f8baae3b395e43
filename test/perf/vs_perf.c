/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs-perf: the microbenchmark of vseal's per-packet work, in one process, over prepared
 * bursts, without any port: VXLAN encapsulation, decapsulation and location table lookups.
 * It is what regressions are caught with (docs/performance.md): the numbers do not depend
 * on a traffic generator, and the median of many bursts shrugs off a busy machine.
 *
 *   vs-perf [EAL options] -- [--iters N] [--burst N] [--sizes LIST] [--tables LIST]
 *           [--flows N] [--ws N] [--csv FILE] [--quick] [--only LIST]
 *           [--max BENCH=CYCLES]... [--max-growth BENCH=PERCENT]...
 *
 * Every measurement times bursts with the TSC (rte_rdtsc_precise around the burst, the
 * cost of an empty timed region subtracted) and reports, in TSC cycles per packet, the
 * median, minimum, 99th percentile and mean over the bursts. Before each timed burst the
 * frames are put back into their starting state outside the timed region, and every
 * result is checked (encap returns 0, decap accepts with the right VNI, lookups hit the
 * right entry): a benchmark of a failing function stops with exit status 1.
 *
 * Benchmarks (BENCH names for --max):
 *   encap          vs_encap() on a hot burst (the same burst frames, in cache)
 *   encap-ws       vs_encap() walking a working set of --ws frames (cache misses)
 *   encap-fast     vs_encap_fast(), what the worker inlines for a plain frame to a remote
 *                  VTEP (guest -> encap -> uplink): the same bytes as vs_encap()
 *   encap-ol       vs_encap() with VS_ENCAP_F_OL_OUTER_CKSUM (NIC does the outer checksum)
 *   encap-sport    vs_encap_src_port() alone (the inner flow hash inside vs_encap())
 *   decap          vs_decap() on a hot burst of VXLAN frames for our VTEP
 *   decap-ws       vs_decap() walking a working set of --ws frames
 *   lookup-bulk    vs_table_lookup_bulk() of bursts of random keys of a table of N entries
 *   lookup-hot     the same, keys drawn from 1024 entries only (few busy destinations)
 *   lookup-one     vs_table_lookup(), one key at a time, random keys
 * A gate --max encap=60 makes the exit status 1 when encap's median (64 B) is above 60.
 * A gate --max-growth lookup-hot=25 makes it 1 when the lookup's median with the last (largest)
 * table of --tables is more than 25 % above its median with the first (smallest) one.
 *
 * The targets (docs/performance.md) are printed as "# target:" lines: encap under
 * 60 cycles per packet; a 1M-entry table at most 25 % dearer than a 1k-entry one.
 *
 * Exit status: 0, 1 (a check or a --max gate failed), 2 (usage).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_udp.h>

#include "vs_decap.h"
#include "vs_eal_files.h"
#include "vs_encap.h"
#include "vs_table.h"
#include "vs_vxlan.h"

#define PERF_BURST_MAX 64
#define PERF_SIZES_MAX 16
#define PERF_TABLES_MAX 8
#define PERF_GATES_MAX 16
#define PERF_HOT_KEYS 1024
#define PERF_ROUNDS 10		/* lookup blocks per table, tables taking turns */
#define PERF_WARM 8		/* untimed bursts at the start of a block */
#define PERF_VNI 100
#define PERF_NB_VTEPS 64
#define PERF_VXLAN_PORT 4789

struct perf_gate {
	char bench[32];
	double max;
	bool growth;	/* max is a percentage: last table against the first */
	bool checked;
};

struct perf_opts {
	unsigned int iters;
	unsigned int burst;
	unsigned int flows;
	unsigned int ws;
	unsigned int nb_sizes;
	uint32_t sizes[PERF_SIZES_MAX];
	unsigned int nb_tables;
	uint32_t tables[PERF_TABLES_MAX];
	const char *csv;
	const char *only;	/* comma-separated benchmark names, NULL: all */
	unsigned int nb_gates;
	struct perf_gate gates[PERF_GATES_MAX];
};

/* One measurement's summary, TSC cycles per packet. */
struct perf_result {
	double median;
	double min;
	double p99;
	double mean;
	uint64_t pkts;
};

static struct perf_opts opts;
static struct vs_eal_files eal_files;	/* removed at exit: no runtime directory left */
static FILE *csv;
static double encap_median = -1;	/* encap at the first frame size, for the target line */
static uint64_t timer_overhead;
static int failed;

static const struct rte_ether_addr guest_mac = {{ 0x02, 0x00, 0x00, 0x00, 0x01, 0x01 }};
static const struct rte_ether_addr remote_mac = {{ 0x02, 0x00, 0x00, 0x00, 0x02, 0x01 }};
static const struct rte_ether_addr uplink_mac = {{ 0x02, 0x00, 0x00, 0x00, 0xfe, 0x01 }};
static const struct rte_ether_addr nexthop_mac = {{ 0x02, 0x00, 0x00, 0x00, 0xfe, 0x02 }};

/* xorshift64*: reproducible pseudo-random numbers, no libc state. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Summarise per-burst cycle counts (each for n packets); sorts samples. */
static void
summarise(uint64_t *samples, unsigned int nb, unsigned int n, struct perf_result *r)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < nb; i++) {
		samples[i] = samples[i] > timer_overhead ? samples[i] - timer_overhead : 0;
		sum += samples[i];
	}
	qsort(samples, nb, sizeof(samples[0]), cmp_u64);
	r->median = (double)samples[nb / 2] / n;
	r->min = (double)samples[0] / n;
	r->p99 = (double)samples[(uint64_t)nb * 99 / 100] / n;
	r->mean = (double)sum / nb / n;
	r->pkts = (uint64_t)nb * n;
}

static void
report(const char *bench, uint32_t size, uint32_t table, const struct perf_result *r)
{
	double ns = 1e9 / (double)rte_get_tsc_hz();
	unsigned int i;

	printf("%-12s size=%-5u table=%-8u median=%7.1f min=%7.1f p99=%7.1f mean=%7.1f "
		"cycles/pkt (%.1f ns/pkt, %" PRIu64 " pkts)\n", bench, size, table, r->median,
		r->min, r->p99, r->mean, r->median * ns, r->pkts);
	if (csv != NULL)
		fprintf(csv, "%s,%u,%u,%u,%u,%" PRIu64 ",%.2f,%.2f,%.2f,%.2f,%.2f\n", bench, size,
			table, opts.flows, opts.burst, r->pkts, r->median, r->min, r->p99, r->mean,
			r->median * ns);
	fflush(stdout);
	if (strcmp(bench, "encap") == 0 && size == opts.sizes[0])
		encap_median = r->median;
	for (i = 0; i < opts.nb_gates; i++) {
		struct perf_gate *g = &opts.gates[i];

		if (g->growth || strcmp(g->bench, bench) != 0)
			continue;
		/* A gate applies to the first frame size and the first table size. */
		if ((size != 0 && size != opts.sizes[0]) || (table != 0 && table != opts.tables[0]))
			continue;
		g->checked = true;
		if (r->median > g->max) {
			printf("GATE FAILED: %s median %.1f > %.1f cycles/pkt\n", bench, r->median,
				g->max);
			failed = 1;
		} else {
			printf("gate ok: %s median %.1f <= %.1f cycles/pkt\n", bench, r->median,
				g->max);
		}
	}
}

/* Was benchmark name asked for (--only)? */
static bool
selected(const char *name)
{
	size_t len = strlen(name);
	const char *p = opts.only;

	if (p == NULL)
		return true;
	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t n = end == NULL ? strlen(p) : (size_t)(end - p);

		if (n == len && strncmp(p, name, n) == 0)
			return true;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return false;
}

static void
check_failed(const char *what, int err)
{
	fprintf(stderr, "vs-perf: %s failed: %s\n", what, strerror(err));
	failed = 1;
}

/*
 * Fill m with an inner frame of len bytes from the guest to remote_mac: Ethernet, IPv4,
 * UDP, zero payload; flow picks the source address and ports.
 */
static void
build_inner(struct rte_mbuf *m, uint32_t len, uint32_t flow)
{
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	char *p;

	rte_pktmbuf_reset(m);
	p = rte_pktmbuf_append(m, (uint16_t)len);
	memset(p, 0, len);
	eth = (struct rte_ether_hdr *)p;
	rte_ether_addr_copy(&remote_mac, &eth->dst_addr);
	rte_ether_addr_copy(&guest_mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eth)));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 0) + (flow >> 16) + 1);
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 1, 1));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16((uint16_t)(1024 + (flow & 0xffff)));
	udp->dst_port = rte_cpu_to_be_16(5001);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eth) - sizeof(*ip)));
}

static uint64_t
measure_timer_overhead(void)
{
	uint64_t s[4096];
	unsigned int i;

	for (i = 0; i < RTE_DIM(s); i++) {
		uint64_t t0 = rte_rdtsc_precise();

		s[i] = rte_rdtsc_precise() - t0;
	}
	qsort(s, RTE_DIM(s), sizeof(s[0]), cmp_u64);
	return s[RTE_DIM(s) / 2];
}

/* Frames of one size in bursts; nb_frames is a multiple of the burst size. */
struct perf_frames {
	struct rte_mbuf **m;
	unsigned int nb;
};

static int
frames_alloc(struct rte_mempool *mp, struct perf_frames *f, unsigned int nb, uint32_t size)
{
	unsigned int i;

	f->nb = nb;
	f->m = calloc(nb, sizeof(*f->m));
	if (f->m == NULL)
		return -ENOMEM;
	if (rte_pktmbuf_alloc_bulk(mp, f->m, nb) != 0) {
		free(f->m);
		f->m = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < nb; i++)
		build_inner(f->m[i], size, i % opts.flows);
	return 0;
}

static void
frames_free(struct perf_frames *f)
{
	if (f->m != NULL)
		rte_pktmbuf_free_bulk(f->m, f->nb);
	free(f->m);
	f->m = NULL;
}

/*
 * The functions measured, called through these: one call per frame (per burst for the
 * lookups) whatever the build inlines (with -Db_lto=true the library functions would be
 * inlined into the loops below), and a symbol test/perf/callgrind.sh can switch
 * collection on for.
 */
static __rte_noinline uint16_t
perf_src_port(const struct rte_mbuf *m)
{
	return vs_encap_src_port(m);
}

static __rte_noinline int
perf_encap(struct rte_mbuf *m, const struct vs_encap_tmpl *t, uint32_t flags)
{
	return vs_encap(m, t, flags);
}

static __rte_noinline int
perf_encap_fast(struct rte_mbuf *m, const struct vs_encap_tmpl *t)
{
	return vs_encap_fast(m, t, RTE_BE32(PERF_VNI << 8), VS_ENCAP_INNER_MAX) ? 0 : -EPERM;
}

static __rte_noinline enum vs_decap_verdict
perf_decap(struct rte_mbuf *m, rte_be32_t vtep_ip, uint16_t port, struct vs_decap_meta *meta)
{
	return vs_decap(m, vtep_ip, port, meta);
}

static __rte_noinline const struct vs_loc_entry *
perf_lookup(const struct vs_table *t, const struct vs_loc_key *key)
{
	return vs_table_lookup(t, key);
}

static __rte_noinline void
perf_lookup_bulk(const struct vs_table *t, const struct vs_loc_key **keys, unsigned int n,
		const struct vs_loc_entry **out)
{
	vs_table_lookup_bulk(t, keys, n, out);
}

enum encap_kind { ENCAP, ENCAP_FAST, ENCAP_OL, ENCAP_SPORT };

/* Time vs_encap() (or the source port hash) over f's frames, burst after burst. */
static int
bench_encap(const char *name, struct perf_frames *f, const struct vs_encap_tmpl *t,
		enum encap_kind kind, uint32_t size)
{
	const uint32_t flags = kind == ENCAP_OL ? VS_ENCAP_F_OL_OUTER_CKSUM : 0;
	const unsigned int n = opts.burst;
	uint64_t *samples;
	struct perf_result r;
	volatile uint32_t sink = 0;
	unsigned int it, i, base = 0;
	int rc[PERF_BURST_MAX];

	samples = calloc(opts.iters, sizeof(*samples));
	if (samples == NULL)
		return -ENOMEM;
	for (it = 0; it < opts.iters; it++) {
		struct rte_mbuf **b = &f->m[base];
		uint32_t acc = 0;
		uint64_t t0, t1;

		t0 = rte_rdtsc_precise();
		if (kind == ENCAP_SPORT) {
			for (i = 0; i < n; i++)
				acc += perf_src_port(b[i]);
		} else if (kind == ENCAP_FAST) {
			for (i = 0; i < n; i++)
				rc[i] = perf_encap_fast(b[i], t);
		} else {
			for (i = 0; i < n; i++)
				rc[i] = perf_encap(b[i], t, flags);
		}
		t1 = rte_rdtsc_precise();
		samples[it] = t1 - t0;
		sink += acc;

		if (kind != ENCAP_SPORT) {
			for (i = 0; i < n; i++) {
				if (rc[i] != 0 || rte_pktmbuf_pkt_len(b[i]) !=
						size + VS_VXLAN_OUTER_LEN) {
					check_failed(name, rc[i] != 0 ? -rc[i] : EINVAL);
					free(samples);
					return -EINVAL;
				}
				/* Back to the inner frame; the headers stay in the headroom. */
				rte_pktmbuf_adj(b[i], VS_VXLAN_OUTER_LEN);
				b[i]->ol_flags = 0;
				b[i]->tx_offload = 0;
			}
		} else if (acc < n * VS_ENCAP_SPORT_MIN) {
			check_failed(name, ERANGE);
			free(samples);
			return -ERANGE;
		}
		base += n;
		if (base + n > f->nb)
			base = 0;
	}
	summarise(samples, opts.iters, n, &r);
	report(name, size, 0, &r);
	free(samples);
	return 0;
}

/* Time vs_decap() over f's frames, which must be VXLAN frames for vtep_ip. */
static int
bench_decap(const char *name, struct perf_frames *f, rte_be32_t vtep_ip, uint32_t size)
{
	const unsigned int n = opts.burst;
	struct vs_decap_meta meta[PERF_BURST_MAX];
	enum vs_decap_verdict v[PERF_BURST_MAX];
	uint64_t *samples;
	struct perf_result r;
	unsigned int it, i, base = 0;

	samples = calloc(opts.iters, sizeof(*samples));
	if (samples == NULL)
		return -ENOMEM;
	for (it = 0; it < opts.iters; it++) {
		struct rte_mbuf **b = &f->m[base];
		uint64_t t0, t1;

		t0 = rte_rdtsc_precise();
		for (i = 0; i < n; i++)
			v[i] = perf_decap(b[i], vtep_ip, PERF_VXLAN_PORT, &meta[i]);
		t1 = rte_rdtsc_precise();
		samples[it] = t1 - t0;

		for (i = 0; i < n; i++) {
			if (v[i] != VS_DECAP_ACCEPT || meta[i].vni != PERF_VNI ||
					rte_pktmbuf_pkt_len(b[i]) != size) {
				fprintf(stderr, "vs-perf: %s: verdict %d vni %u drop %d\n", name,
					v[i], meta[i].vni, meta[i].drop);
				check_failed(name, EINVAL);
				free(samples);
				return -EINVAL;
			}
			/* The outer headers are still in front: take them back. */
			rte_pktmbuf_prepend(b[i], VS_VXLAN_OUTER_LEN);
			b[i]->packet_type = 0;
		}
		base += n;
		if (base + n > f->nb)
			base = 0;
	}
	summarise(samples, opts.iters, n, &r);
	report(name, size, 0, &r);
	free(samples);
	return 0;
}

static void
make_key(struct vs_loc_key *k, uint32_t i)
{
	struct rte_ether_addr mac = {{ 0x02, 0x10, (uint8_t)(i >> 24), (uint8_t)(i >> 16),
		(uint8_t)(i >> 8), (uint8_t)i }};

	vs_loc_key_make(k, PERF_VNI, &mac);
}

static inline rte_be32_t
vtep_of(uint32_t i)
{
	return rte_cpu_to_be_32(RTE_IPV4(192, 0, 2, 10) + i % PERF_NB_VTEPS);
}

enum lookup_kind { LOOKUP_BULK, LOOKUP_HOT, LOOKUP_ONE };

/*
 * Time n_samples bursts of lookups in t (after PERF_WARM untimed ones) into samples.
 * Returns 0, or -ENOENT when a lookup gave a wrong answer.
 */
static int
lookup_block(const struct vs_table *t, struct rte_rcu_qsbr *qsbr, uint32_t entries,
		enum lookup_kind kind, uint64_t *samples, unsigned int n_samples)
{
	const unsigned int n = opts.burst;
	const uint32_t range = kind == LOOKUP_HOT ? RTE_MIN(entries, (uint32_t)PERF_HOT_KEYS) :
		entries;
	struct vs_loc_key keys[PERF_BURST_MAX];
	const struct vs_loc_key *kp[PERF_BURST_MAX];
	const struct vs_loc_entry *out[PERF_BURST_MAX];
	uint32_t idx[PERF_BURST_MAX];
	volatile uint32_t sink = 0;
	unsigned int it, i;

	for (i = 0; i < n; i++)
		kp[i] = &keys[i];
	for (it = 0; it < PERF_WARM + n_samples; it++) {
		uint32_t acc = 0;
		uint64_t t0, t1;

		/* As in a worker: the keys are built from headers that are in cache. */
		for (i = 0; i < n; i++) {
			idx[i] = (uint32_t)(rng() % range);
			make_key(&keys[i], idx[i]);
		}
		t0 = rte_rdtsc_precise();
		if (kind == LOOKUP_ONE) {
			for (i = 0; i < n; i++)
				out[i] = perf_lookup(t, kp[i]);
		} else {
			perf_lookup_bulk(t, kp, n, out);
		}
		/* A worker reads where the frame goes: the entry's cache line counts. */
		for (i = 0; i < n; i++)
			acc += out[i] != NULL ? out[i]->vtep : 0;
		t1 = rte_rdtsc_precise();
		if (it >= PERF_WARM)
			samples[it - PERF_WARM] = t1 - t0;
		sink += acc;
		for (i = 0; i < n; i++) {
			if (out[i] == NULL || out[i]->vtep_ip != vtep_of(idx[i]) ||
					memcmp(&out[i]->key, &keys[i], sizeof(keys[i])) != 0)
				return -ENOENT;
		}
		rte_rcu_qsbr_quiescent(qsbr, rte_lcore_id());
	}
	return 0;
}

/*
 * One lookup benchmark over every table. The tables take turns in PERF_ROUNDS blocks of
 * bursts, so a load that comes and goes on a shared machine weighs on all sizes alike and
 * the growth between them stays meaningful; within a block the caches warm up as they
 * would for a worker (PERF_WARM bursts untimed).
 */
static int
bench_lookups(const char *name, struct vs_table *const *tabs, struct rte_rcu_qsbr *qsbr,
		enum lookup_kind kind, double *median)
{
	const unsigned int per = RTE_MAX(opts.iters / PERF_ROUNDS, 1u);
	uint64_t *samples[PERF_TABLES_MAX] = { NULL };
	unsigned int r, ti;
	int ret = 0;

	for (ti = 0; ti < opts.nb_tables && ret == 0; ti++) {
		samples[ti] = calloc((size_t)per * PERF_ROUNDS, sizeof(uint64_t));
		if (samples[ti] == NULL)
			ret = -ENOMEM;
	}
	for (r = 0; r < PERF_ROUNDS && ret == 0; r++)
		for (ti = 0; ti < opts.nb_tables && ret == 0; ti++)
			ret = lookup_block(tabs[ti], qsbr, opts.tables[ti], kind,
				samples[ti] + (size_t)r * per, per);
	if (ret != 0)
		check_failed(name, -ret);
	/* For instruction counts (callgrind.sh): every lookup made, warm-up included. */
	if (ret == 0)
		printf("# calls: %s %u packets\n", name,
			(per + PERF_WARM) * PERF_ROUNDS * opts.nb_tables * opts.burst);
	for (ti = 0; ti < opts.nb_tables && ret == 0; ti++) {
		struct perf_result res;

		summarise(samples[ti], per * PERF_ROUNDS, opts.burst, &res);
		report(name, 0, opts.tables[ti], &res);
		median[ti] = res.median;
	}
	for (ti = 0; ti < opts.nb_tables; ti++)
		free(samples[ti]);
	return ret;
}

static int
run_tables(void)
{
	static const char *const names[] = { "lookup-bulk", "lookup-hot", "lookup-one" };
	static const enum lookup_kind kinds[] = { LOOKUP_BULK, LOOKUP_HOT, LOOKUP_ONE };
	double med[RTE_DIM(names)][PERF_TABLES_MAX];
	bool done[RTE_DIM(names)] = { false };
	struct vs_table *tabs[PERF_TABLES_MAX] = { NULL };
	struct rte_rcu_qsbr *qsbr;
	unsigned int ti, b, i;
	size_t sz;
	int ret = 0;

	sz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	qsbr = rte_zmalloc("perf_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (qsbr == NULL || rte_rcu_qsbr_init(qsbr, RTE_MAX_LCORE) != 0) {
		check_failed("rcu init", ENOMEM);
		rte_free(qsbr);
		return -ENOMEM;
	}
	rte_rcu_qsbr_thread_register(qsbr, rte_lcore_id());
	rte_rcu_qsbr_thread_online(qsbr, rte_lcore_id());

	/* All tables at once: the benchmarks take turns between them. */
	for (ti = 0; ti < opts.nb_tables && ret == 0; ti++) {
		uint32_t entries = opts.tables[ti];
		char name[24];
		uint64_t t0, now = rte_rdtsc();
		uint32_t k;

		snprintf(name, sizeof(name), "perf%u", ti);
		tabs[ti] = vs_table_create(name, entries, rte_socket_id(), qsbr);
		if (tabs[ti] == NULL) {
			fprintf(stderr, "vs-perf: cannot create a table of %u entries: %s "
				"(more memory: -m)\n", entries, rte_strerror(rte_errno));
			failed = 1;
			ret = -rte_errno;
			break;
		}
		t0 = rte_rdtsc();
		for (k = 0; k < entries; k++) {
			struct vs_loc_key key;

			make_key(&key, k);
			ret = vs_table_set_vtep(tabs[ti], &key, VS_LOC_STATIC, VS_LOC_PORT_NONE,
				vtep_of(k), (uint16_t)(k % PERF_NB_VTEPS), now);
			if (ret != 0) {
				fprintf(stderr, "vs-perf: table fill failed at entry %u of %u: %s\n",
					k, entries, strerror(-ret));
				failed = 1;
				break;
			}
		}
		if (ret == 0)
			printf("# table of %u entries filled in %.2f s (%.0f cycles/insert)\n",
				entries, (double)(rte_rdtsc() - t0) / rte_get_tsc_hz(),
				(double)(rte_rdtsc() - t0) / entries);
	}
	for (b = 0; b < RTE_DIM(names) && ret == 0; b++) {
		if (!selected(names[b]))
			continue;
		ret = bench_lookups(names[b], tabs, qsbr, kinds[b], med[b]);
		done[b] = ret == 0;
	}

	/* What a bigger table costs, relative to the first (smallest) one. */
	for (ti = 1; ti < opts.nb_tables && ret == 0; ti++) {
		for (b = 0; b < RTE_DIM(names); b++) {
			double growth;

			if (!done[b])
				continue;
			growth = 100.0 * (med[b][ti] / med[b][0] - 1);
			printf("# table %u vs %u entries: %s %+.0f%%\n", opts.tables[ti],
				opts.tables[0], names[b], growth);
			if (ti + 1 < opts.nb_tables)
				continue;
			for (i = 0; i < opts.nb_gates; i++) {
				struct perf_gate *g = &opts.gates[i];

				if (!g->growth || strcmp(g->bench, names[b]) != 0)
					continue;
				g->checked = true;
				printf("%s: %s with %u entries %+.0f%% against %u (limit +%.0f%%)\n",
					growth > g->max ? "GATE FAILED" : "gate ok", names[b],
					opts.tables[ti], growth, opts.tables[0], g->max);
				if (growth > g->max)
					failed = 1;
			}
		}
	}
	if (ret == 0 && opts.nb_tables > 1 && done[0] && done[1]) {
		unsigned int last = opts.nb_tables - 1;
		double gh = 100.0 * (med[1][last] / med[1][0] - 1);
		double gb = 100.0 * (med[0][last] / med[0][0] - 1);

		printf("# target: a %u-entry table at most 25%% dearer than a %u-entry one: "
			"traffic to 1024 destinations (lookup-hot) %+.0f%% (%s); keys spread over "
			"the whole table (lookup-bulk) %+.0f%% (%s)\n", opts.tables[last],
			opts.tables[0], gh, gh <= 25 ? "met" : "missed", gb,
			gb <= 25 ? "met" : "missed");
	}
	rte_rcu_qsbr_quiescent(qsbr, rte_lcore_id());
	for (ti = 0; ti < opts.nb_tables; ti++)
		vs_table_free(tabs[ti]);
	rte_rcu_qsbr_thread_offline(qsbr, rte_lcore_id());
	rte_rcu_qsbr_thread_unregister(qsbr, rte_lcore_id());
	rte_free(qsbr);
	return ret;
}
static int
run_overlay(void)
{
	const rte_be32_t our_ip = rte_cpu_to_be_32(RTE_IPV4(192, 0, 2, 1));
	const rte_be32_t remote_ip = rte_cpu_to_be_32(RTE_IPV4(192, 0, 2, 2));
	struct vs_encap_tmpl to_remote, to_us;
	struct rte_mempool *mp;
	uint32_t max_size = 0;
	unsigned int si, i;
	int ret = 0;

	for (si = 0; si < opts.nb_sizes; si++)
		max_size = RTE_MAX(max_size, opts.sizes[si]);
	mp = rte_pktmbuf_pool_create("perf_pool", opts.ws + 2 * PERF_BURST_MAX + 1023, 256, 0,
		(uint16_t)RTE_MAX((uint32_t)RTE_MBUF_DEFAULT_BUF_SIZE,
			RTE_PKTMBUF_HEADROOM + max_size + 64), rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "vs-perf: no mbuf pool: %s\n", rte_strerror(rte_errno));
		failed = 1;
		return -ENOMEM;
	}
	vs_encap_tmpl_build(&to_remote, &uplink_mac, &nexthop_mac, our_ip, remote_ip,
		PERF_VXLAN_PORT, PERF_VNI, true);
	/* Frames for decap are what a remote VTEP sends us: its encap, towards our_ip. */
	vs_encap_tmpl_build(&to_us, &nexthop_mac, &uplink_mac, remote_ip, our_ip,
		PERF_VXLAN_PORT, PERF_VNI, true);

	for (si = 0; si < opts.nb_sizes && ret == 0; si++) {
		uint32_t size = opts.sizes[si];
		struct perf_frames hot = { 0 }, ws = { 0 };

		ret = frames_alloc(mp, &hot, opts.burst, size);
		if (ret == 0 && si == 0 && (selected("encap-ws") || selected("decap-ws")))
			ret = frames_alloc(mp, &ws, opts.ws, size);
		if (ret != 0) {
			check_failed("mbuf allocation", -ret);
			frames_free(&hot);
			break;
		}
		if (selected("encap"))
			ret = bench_encap("encap", &hot, &to_remote, ENCAP, size);
		if (ret == 0 && ws.m != NULL && selected("encap-ws"))
			ret = bench_encap("encap-ws", &ws, &to_remote, ENCAP, size);
		if (ret == 0 && selected("encap-fast"))
			ret = bench_encap("encap-fast", &hot, &to_remote, ENCAP_FAST, size);
		if (ret == 0 && selected("encap-ol"))
			ret = bench_encap("encap-ol", &hot, &to_remote, ENCAP_OL, size);
		if (ret == 0 && selected("encap-sport"))
			ret = bench_encap("encap-sport", &hot, &to_remote, ENCAP_SPORT, size);

		/* Turn the frames into VXLAN frames for us, then time decap. */
		if (selected("decap") || selected("decap-ws")) {
			for (i = 0; i < hot.nb && ret == 0; i++)
				ret = vs_encap(hot.m[i], &to_us, 0);
			for (i = 0; i < ws.nb && ret == 0; i++)
				ret = vs_encap(ws.m[i], &to_us, 0);
			if (ret != 0)
				check_failed("encap for decap", -ret);
		}
		if (ret == 0 && selected("decap"))
			ret = bench_decap("decap", &hot, our_ip, size);
		if (ret == 0 && ws.m != NULL && selected("decap-ws"))
			ret = bench_decap("decap-ws", &ws, our_ip, size);
		frames_free(&hot);
		frames_free(&ws);
	}
	rte_mempool_free(mp);
	return ret;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: vs-perf [EAL options] -- [options]\n"
		"  --iters N        timed bursts per measurement (default 20000)\n"
		"  --burst N        packets per burst, 1..%d (default 32)\n"
		"  --sizes LIST     inner frame sizes in bytes, 60..9000 (default 64,1518)\n"
		"  --tables LIST    location table sizes (default 1000,100000,1000000)\n"
		"  --flows N        distinct inner flows in the frames (default 1024)\n"
		"  --ws N           frames in the working-set benchmarks (default 8192)\n"
		"  --csv FILE       also write the results as CSV\n"
		"  --quick          iters 2000, tables 1000,100000\n"
		"  --only LIST      run only these benchmarks (names: see the source's header)\n"
		"  --max B=C        exit 1 if benchmark B's median is above C cycles/pkt\n"
		"                   (at the first size / the first table size); repeatable\n"
		"  --max-growth B=P exit 1 if lookup benchmark B's median with the last table\n"
		"                   is more than P %% above the first table's; repeatable\n",
		PERF_BURST_MAX);
}

static int
parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *v < lo || *v > hi || s[0] == '-')
		return -EINVAL;
	return 0;
}

static int
parse_list(const char *s, unsigned long lo, unsigned long hi, uint32_t *out,
		unsigned int max, unsigned int *nb)
{
	char buf[256];
	char *tok, *save = NULL;
	size_t len = strlen(s);
	unsigned long v;

	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len + 1);
	*nb = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (*nb == max || parse_uint(tok, lo, hi, &v) != 0)
			return -EINVAL;
		out[(*nb)++] = (uint32_t)v;
	}
	return *nb == 0 ? -EINVAL : 0;
}

static int
parse_args(int argc, char **argv)
{
	enum { O_ITERS = 256, O_BURST, O_SIZES, O_TABLES, O_FLOWS, O_WS, O_CSV, O_QUICK,
		O_MAX, O_MAX_GROWTH, O_ONLY, O_HELP };
	static const struct option lo[] = {
		{ "iters", required_argument, NULL, O_ITERS },
		{ "burst", required_argument, NULL, O_BURST },
		{ "sizes", required_argument, NULL, O_SIZES },
		{ "tables", required_argument, NULL, O_TABLES },
		{ "flows", required_argument, NULL, O_FLOWS },
		{ "ws", required_argument, NULL, O_WS },
		{ "csv", required_argument, NULL, O_CSV },
		{ "quick", no_argument, NULL, O_QUICK },
		{ "max", required_argument, NULL, O_MAX },
		{ "max-growth", required_argument, NULL, O_MAX_GROWTH },
		{ "only", required_argument, NULL, O_ONLY },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	char *eq;
	int o;

	opts.iters = 20000;
	opts.burst = 32;
	opts.flows = 1024;
	opts.ws = 8192;
	opts.nb_sizes = 2;
	opts.sizes[0] = 64;
	opts.sizes[1] = 1518;
	opts.nb_tables = 3;
	opts.tables[0] = 1000;
	opts.tables[1] = 100000;
	opts.tables[2] = 1000000;
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case O_ITERS:
			if (parse_uint(optarg, 10, 100000000, &v) != 0)
				goto bad;
			opts.iters = (unsigned int)v;
			break;
		case O_BURST:
			if (parse_uint(optarg, 1, PERF_BURST_MAX, &v) != 0)
				goto bad;
			opts.burst = (unsigned int)v;
			break;
		case O_SIZES:
			if (parse_list(optarg, 60, 9000, opts.sizes, PERF_SIZES_MAX,
					&opts.nb_sizes) != 0)
				goto bad;
			break;
		case O_TABLES:
			if (parse_list(optarg, 1, 4000000, opts.tables,
					PERF_TABLES_MAX, &opts.nb_tables) != 0)
				goto bad;
			break;
		case O_FLOWS:
			if (parse_uint(optarg, 1, 1u << 24, &v) != 0)
				goto bad;
			opts.flows = (unsigned int)v;
			break;
		case O_WS:
			if (parse_uint(optarg, 64, 1u << 20, &v) != 0)
				goto bad;
			opts.ws = (unsigned int)v;
			break;
		case O_CSV:
			opts.csv = optarg;
			break;
		case O_QUICK:
			opts.iters = 2000;
			opts.nb_tables = 2;
			break;
		case O_MAX:
		case O_MAX_GROWTH:
			eq = strchr(optarg, '=');
			if (eq == NULL || opts.nb_gates == PERF_GATES_MAX ||
					(size_t)(eq - optarg) >= sizeof(opts.gates[0].bench) ||
					parse_uint(eq + 1, 1, 1000000, &v) != 0)
				goto bad;
			memcpy(opts.gates[opts.nb_gates].bench, optarg, (size_t)(eq - optarg));
			opts.gates[opts.nb_gates].bench[eq - optarg] = '\0';
			opts.gates[opts.nb_gates].growth = o == O_MAX_GROWTH;
			opts.gates[opts.nb_gates++].max = (double)v;
			break;
		case O_ONLY:
			opts.only = optarg;
			break;
		case O_HELP:
			usage(stdout);
			return 1;
		default:
			goto bad;
		}
	}
	if (optind < argc)
		goto bad;
	opts.ws -= opts.ws % opts.burst;
	if (opts.ws < opts.burst)
		opts.ws = opts.burst;
	return 0;
bad:
	fprintf(stderr, "vs-perf: bad option or value: %s\n", argv[optind - 1]);
	usage(stderr);
	return -EINVAL;
}

int
main(int argc, char **argv)
{
	unsigned int i;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "vs-perf: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return 2;
	}
	vs_eal_files_save(&eal_files);
	argc -= ret;
	argv += ret;
	ret = parse_args(argc, argv);
	if (ret != 0) {
		rte_eal_cleanup();
		vs_eal_files_remove(&eal_files);
		return ret == 1 ? 0 : 2;	/* --help, or a bad option */
	}
	if (opts.csv != NULL) {
		csv = fopen(opts.csv, "w");
		if (csv == NULL) {
			fprintf(stderr, "vs-perf: cannot write %s: %s\n", opts.csv, strerror(errno));
			rte_eal_cleanup();
			vs_eal_files_remove(&eal_files);
			return 2;
		}
		fprintf(csv, "bench,size,table,flows,burst,packets,median,min,p99,mean,"
			"median_ns\n");
	}
	timer_overhead = measure_timer_overhead();
	printf("# vs-perf: TSC %.3f GHz, burst %u, %u bursts per figure, %u flows, "
		"timer overhead %" PRIu64 " cycles per burst (subtracted); cycles are TSC cycles\n",
		(double)rte_get_tsc_hz() / 1e9, opts.burst, opts.iters, opts.flows,
		timer_overhead);

	ret = run_overlay();
	if (encap_median >= 0)
		printf("# target: encap under 60 cycles per packet: %.1f at %u B (%s)\n",
			encap_median, opts.sizes[0], encap_median < 60 ? "met" : "missed");
	if (ret == 0 && (selected("lookup-bulk") || selected("lookup-hot") ||
			selected("lookup-one")))
		ret = run_tables();

	for (i = 0; i < opts.nb_gates; i++) {
		if (!opts.gates[i].checked) {
			printf("GATE FAILED: %s was not measured\n", opts.gates[i].bench);
			failed = 1;
		}
	}
	if (csv != NULL)
		fclose(csv);
	rte_eal_cleanup();
	vs_eal_files_remove(&eal_files);
	return failed || ret != 0 ? 1 : 0;
}
