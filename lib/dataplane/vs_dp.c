/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building and tearing down the data plane's runtime state: mempool, ports, VNIs, location
 * table, workers' queue ownership and handoff rings. Runs on the main lcore before any
 * worker is launched and after all have returned.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>

#include "vs_ctrl.h"
#include "vs_dp.h"
#include "vs_log.h"
#include "vs_offload.h"

#define VS_MBUF_CACHE 256
#define VS_REASM_TIMEOUT_MS 1000

#define VS_REASM_FLOWS 128       /* packets in reassembly at once, per worker */
#define VS_REASM_FRAGS 48        /* fragments of one packet (64 KB over a 1500 MTU: 45) */

/*
 * [host] guest-bdp-kb is one guest's bandwidth x delay: the data that may be on its way
 * through vseal at once. In mbufs of 2 KB data room (a 64 KB frame takes 32 of them) it
 * sizes the rings frames wait in and the mempool; what does not fit is dropped and counted
 * (handoff-full, tx-full, no-mbuf), never waited for.
 */
static unsigned int
bdp_mbufs(const struct vs_config *cfg)
{
	return cfg->host.guest_bdp_kb * 1024u / (RTE_MBUF_DEFAULT_DATAROOM);
}

/* Entries of each handoff ring (frames for a tx queue another worker owns). */
unsigned int
vs_dp_handoff_size(const struct vs_config *cfg)
{
	return RTE_MIN(RTE_MAX(rte_align32pow2(bdp_mbufs(cfg)), VS_HANDOFF_RING_MIN),
		VS_HANDOFF_RING_MAX);
}

unsigned int
vs_dp_pool_size(const struct vs_config *cfg)
{
	unsigned int queues = cfg->uplink.queues, guest_queues = 0, i, n;

	for (i = 0; i < cfg->nb_guests; i++)
		guest_queues += cfg->guests[i].queues;
	queues += guest_queues;
	/* rx rings full, tx rings full, handoff rings full, per-lcore caches and bursts */
	n = queues * (VS_RX_DESC + VS_TX_DESC + vs_dp_handoff_size(cfg)) +
		(cfg->lcores.nb_workers + 2) * (VS_MBUF_CACHE + VS_MAX_PORTS * VS_BURST * 2) +
		4096;
	/* each guest queue's bandwidth x delay in flight (GRO, segmentation, rings) */
	n += guest_queues * bdp_mbufs(cfg);
	/* A 64 KB guest frame takes 32 mbufs, and the software segmentation of a burst of
	 * them two per wire packet; reassembly holds up to VS_REASM_FRAGS per packet. */
	n += cfg->nb_guests * VS_BURST * 32 + cfg->lcores.nb_workers * VS_BURST * 96;
	for (i = 0; i < cfg->nb_vnis; i++)
		if (cfg->vnis[i].fragment) {
			n += cfg->lcores.nb_workers * VS_REASM_FLOWS * VS_REASM_FRAGS;
			break;
		}
	return rte_align32pow2(n) - 1;
}

static int
vni_index(const struct vs_dp *dp, uint32_t vni)
{
	unsigned int i;

	for (i = 0; i < dp->nb_vnis; i++)
		if (dp->vnis[i].vni == vni)
			return (int)i;
	return -ENOENT;
}

/* Single-producer (one worker), single-consumer (control) ring; esize 0 = pointers. */
static struct rte_ring *
rings_create(unsigned int i, const char *fmt, unsigned int size, unsigned int esize)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), fmt, i);
	if (esize == 0)
		return rte_ring_create(name, size, rte_socket_id(),
			RING_F_SP_ENQ | RING_F_SC_DEQ);
	return rte_ring_create_elem(name, esize, size, rte_socket_id(),
		RING_F_SP_ENQ | RING_F_SC_DEQ);
}

static int
setup_vnis(struct vs_dp *dp, char *err, size_t errlen)
{
	const struct vs_config *cfg = dp->cfg;
	struct rte_hash_parameters hp = {
		.name = "vs_vni",
		.entries = VS_MAX_VNIS * 2,
		.key_len = sizeof(uint32_t),
		.hash_func = rte_hash_crc,
		.socket_id = (int)rte_socket_id(),
	};
	unsigned int i;

	dp->vni_hash = rte_hash_create(&hp);
	if (dp->vni_hash == NULL) {
		snprintf(err, errlen, "cannot create the VNI hash: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (i = 0; i < cfg->nb_vnis; i++) {
		struct vs_dp_vni *v = &dp->vnis[i];

		v->vni = cfg->vnis[i].vni;
		v->vni_field = rte_cpu_to_be_32(v->vni << 8);
		v->fragment = cfg->vnis[i].fragment;
		dp->fragment_any |= v->fragment;
		if (rte_hash_add_key_data(dp->vni_hash, &v->vni, (void *)(uintptr_t)i) != 0) {
			snprintf(err, errlen, "cannot add VNI %u", v->vni);
			return -ENOMEM;
		}
	}
	dp->nb_vnis = cfg->nb_vnis;
	return 0;
}

static int
setup_workers(struct vs_dp *dp, char *err, size_t errlen)
{
	const struct vs_cfg_lcores *lc = &dp->cfg->lcores;
	unsigned int i, j, p;

	dp->nb_workers = lc->nb_workers;
	dp->workers = rte_zmalloc("vs_workers", sizeof(*dp->workers) * lc->nb_workers,
		RTE_CACHE_LINE_SIZE);
	if (dp->workers == NULL) {
		snprintf(err, errlen, "out of memory for %u workers", lc->nb_workers);
		return -ENOMEM;
	}
	for (i = 0; i < lc->nb_workers; i++) {
		struct vs_worker *w = &dp->workers[i];

		w->dp = dp;
		w->index = i;
		w->qsbr_id = i;
		w->lcore = lc->workers[i].lcore;
		w->nb_pq = lc->workers[i].nb_pq;
		w->exc_tokens = VS_EXC_RATE;
		w->learn = rings_create(i, "vs_learn_%u", VS_LEARN_RING_SIZE,
			sizeof(struct vs_learn_req));
		w->exc = rings_create(i, "vs_exc_%u", VS_EXC_RING_SIZE, 0);
		if (w->learn == NULL || w->exc == NULL) {
			snprintf(err, errlen, "cannot create worker %u's rings: %s", i,
				rte_strerror(rte_errno));
			return -ENOMEM;
		}
		if (vs_offload_gso_ctx_init(&w->gso_ctx, dp->pool, dp->pool,
				dp->uplink_mtu) != 0) {
			snprintf(err, errlen, "cannot set up segmentation for MTU %u",
				dp->uplink_mtu);
			return -EINVAL;
		}
		if (dp->fragment_any) {
			char name[RTE_RING_NAMESIZE];

			snprintf(name, sizeof(name), "vs_reasm_%u", i);
			w->reasm = vs_reasm_create(name, VS_REASM_FLOWS, VS_REASM_FRAGS,
				VS_REASM_TIMEOUT_MS, (int)rte_socket_id());
			if (w->reasm == NULL) {
				snprintf(err, errlen, "cannot create reassembly table %s", name);
				return -ENOMEM;
			}
		}
		memcpy(w->pq, lc->workers[i].pq, sizeof(w->pq[0]) * w->nb_pq);
		for (p = 0; p < VS_MAX_PORTS; p++)
			w->own_txq[p] = -1;
		for (j = 0; j < w->nb_pq; j++) {
			const struct vs_cfg_pq *pq = &w->pq[j];

			if (w->own_txq[pq->port] < 0)
				w->own_txq[pq->port] = (int16_t)pq->queue;
			dp->ports[pq->port].txq_owner[pq->queue] = (uint16_t)i;
		}
	}
	/* A worker without a tx queue of a port spreads over that port's owners' rings. */
	for (i = 0; i < dp->nb_workers; i++)
		for (p = 0; p < dp->nb_ports; p++)
			dp->workers[i].handoff_txq[p] =
				(uint16_t)(i % dp->ports[p].port.nb_queues);
	for (p = 0; p < dp->nb_ports; p++) {
		struct vs_dp_port *port = &dp->ports[p];

		for (j = 0; j < port->port.nb_queues; j++) {
			char name[RTE_RING_NAMESIZE];

			snprintf(name, sizeof(name), "vs_ho_%u_%u", p, j);
			port->handoff[j] = rte_ring_create(name, vs_dp_handoff_size(dp->cfg),
				rte_socket_id(), RING_F_SC_DEQ);
			if (port->handoff[j] == NULL) {
				snprintf(err, errlen, "cannot create ring %s: %s", name,
					rte_strerror(rte_errno));
				return -rte_errno;
			}
		}
	}
	/* Frames for the uplink from a worker without a tx queue of it cross a handoff ring:
	 * an extra copy of the pointer, and drops (handoff-full) when the queue's owner
	 * is off its CPU. Say so; the layout is the operator's choice. */
	for (i = 0; i < dp->nb_workers; i++) {
		const struct vs_worker *w = &dp->workers[i];
		uint16_t q = w->handoff_txq[VS_PORT_UPLINK];

		if (w->own_txq[VS_PORT_UPLINK] >= 0)
			continue;
		VS_LOG(WARNING, dp, "[lcores] worker.%u polls no queue of the uplink: what it "
			"sends there crosses a handoff ring of %u to worker.%u; [uplink] queues = %u "
			"(one per worker) lets each worker send itself", w->lcore,
			vs_dp_handoff_size(dp->cfg),
			dp->workers[dp->ports[VS_PORT_UPLINK].txq_owner[q]].lcore, dp->nb_workers);
	}
	return 0;
}

static int
setup_table(struct vs_dp *dp, char *err, size_t errlen)
{
	const struct vs_config *cfg = dp->cfg;
	uint64_t now = rte_get_tsc_cycles();
	size_t sz;
	unsigned int i;
	int ret;

	sz = rte_rcu_qsbr_get_memsize(dp->nb_workers);
	dp->qsbr = rte_zmalloc("vs_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (dp->qsbr == NULL || rte_rcu_qsbr_init(dp->qsbr, dp->nb_workers) != 0) {
		snprintf(err, errlen, "cannot set up RCU for %u workers", dp->nb_workers);
		return -ENOMEM;
	}
	dp->table = vs_table_create("vs_loc", cfg->host.locations, rte_socket_id(), dp->qsbr);
	if (dp->table == NULL) {
		snprintf(err, errlen, "cannot create a location table of %u entries "
			"([host] locations): %s", cfg->host.locations, rte_strerror(rte_errno));
		return -rte_errno;
	}
	VS_LOG(INFO, dp, "location table: up to %u entries ([host] locations)",
		cfg->host.locations);
	for (i = 1; i < dp->nb_ports; i++) {
		const struct vs_port *p = &dp->ports[i].port;
		struct vs_loc_key k;

		vs_loc_key_make(&k, p->vni, &p->mac);
		ret = vs_table_set(dp->table, &k, VS_LOC_LOCAL, p->idx, 0, now);
		if (ret != 0) {
			snprintf(err, errlen, "guest %s: cannot add to location table: %s",
				p->name, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int
vs_dp_init(struct vs_dp *dp, const struct vs_config *cfg, char *err, size_t errlen)
{
	unsigned int i;
	int ret;

	memset(dp, 0, sizeof(*dp));
	dp->cfg = cfg;
	dp->idle_sleep_us = cfg->lcores.idle_sleep;
	dp->pool = rte_pktmbuf_pool_create("vs_pool", vs_dp_pool_size(cfg), VS_MBUF_CACHE, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (dp->pool == NULL) {
		snprintf(err, errlen, "cannot create mbuf pool of %u: %s", vs_dp_pool_size(cfg),
			rte_strerror(rte_errno));
		return -rte_errno;
	}
	VS_LOG(INFO, dp, "buffers: guest-bdp-kb %u: %u mbufs of %u B, handoff rings of %u",
		cfg->host.guest_bdp_kb, dp->pool->size, RTE_MBUF_DEFAULT_BUF_SIZE,
		vs_dp_handoff_size(cfg));
	dp->vtep_ip = cfg->host.vtep_ip;
	dp->vxlan_port = cfg->host.vxlan_port;
	dp->uplink_mtu = cfg->uplink.mtu;
	dp->learning = cfg->host.learning;
	dp->aging = cfg->host.aging;
	/* A learned location is re-confirmed to the control lcore at most this often. */
	dp->refresh_tsc = vs_dp_refresh_tsc(cfg->host.aging);
	dp->gro = cfg->uplink.gro;
	ret = setup_vnis(dp, err, errlen);
	if (ret != 0)
		return ret;

	ret = vs_port_uplink_open(&dp->ports[VS_PORT_UPLINK].port, &cfg->uplink, dp->pool,
		err, errlen);
	if (ret != 0)
		return ret;
	dp->nb_ports = 1;
	if (dp->fragment_any) {
		struct rte_eth_dev_info info;

		if (rte_eth_dev_info_get(dp->ports[VS_PORT_UPLINK].port.port_id, &info) == 0 &&
				strcmp(info.driver_name, "net_af_packet") == 0)
			VS_LOG(WARNING, dp, "a VNI has fragment = on, but net_af_packet has the "
				"kernel reassemble outer fragments (PACKET_FANOUT_FLAG_DEFRAG) and "
				"cuts those larger than its frames: use a NIC or net_pcap");
	}
	dp->seg_path = cfg->uplink.sw_segmentation ? VS_SEG_SW :
		vs_port_seg_path(&dp->ports[VS_PORT_UPLINK].port);
	dp->encap_ol = VS_ENCAP_F_OL_TUNNEL;
	if (dp->seg_path == VS_SEG_NIC && (dp->ports[VS_PORT_UPLINK].port.tx_offloads &
			RTE_ETH_TX_OFFLOAD_OUTER_IPV4_CKSUM))
		dp->encap_ol |= VS_ENCAP_F_OL_OUTER_CKSUM;
	for (i = 0; i < cfg->nb_guests; i++) {
		struct vs_dp_port *p = &dp->ports[i + 1];
		struct vs_dp_vni *v;
		int vi;

		ret = vs_port_guest_open(&p->port, &cfg->guests[i], (uint16_t)(i + 1), dp->pool,
			err, errlen);
		if (ret != 0)
			return ret;
		dp->nb_ports++;
		vi = vni_index(dp, p->port.vni);
		if (vi < 0) {
			snprintf(err, errlen, "guest %s: VNI %u missing from the config",
				p->port.name, p->port.vni);
			return -EINVAL;
		}
		p->vni_idx = (uint16_t)vi;
		v = &dp->vnis[vi];
		v->local[v->nb_local++] = p->port.idx;
	}
	ret = setup_workers(dp, err, errlen);
	if (ret != 0)
		return ret;
	ret = setup_table(dp, err, errlen);
	if (ret != 0)
		return ret;
	return vs_ctrl_init(dp, err, errlen);
}

int
vs_dp_start(struct vs_dp *dp, char *err, size_t errlen)
{
	unsigned int i;
	int ret;

	for (i = 0; i < dp->nb_ports; i++) {
		ret = vs_port_start(&dp->ports[i].port);
		if (ret != 0) {
			snprintf(err, errlen, "%s: cannot start port: %s", dp->ports[i].port.name,
				strerror(-ret));
			return ret;
		}
	}
	return 0;
}

void
vs_dp_fini(struct vs_dp *dp)
{
	unsigned int i, q;

	for (i = 0; i < dp->nb_ports; i++) {
		struct vs_dp_port *p = &dp->ports[i];

		vs_port_close(&p->port);
		for (q = 0; q < VS_MAX_QUEUES; q++) {
			struct rte_mbuf *m;

			if (p->handoff[q] == NULL)
				continue;
			while (rte_ring_sc_dequeue(p->handoff[q], (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(p->handoff[q]);
			p->handoff[q] = NULL;
		}
	}
	dp->nb_ports = 0;
	for (i = 0; dp->workers != NULL && i < dp->nb_workers; i++) {
		struct vs_worker *w = &dp->workers[i];
		struct rte_mbuf *m;

		while (w->exc != NULL && rte_ring_sc_dequeue(w->exc, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(w->exc);
		rte_ring_free(w->learn);
		if (w->reasm != NULL)
			vs_reasm_free(w->reasm);
	}
	if (dp->ctrl != NULL)
		vs_ctrl_fini(dp);
	rte_hash_free(dp->vni_hash);
	dp->vni_hash = NULL;
	if (dp->table != NULL)
		vs_table_free(dp->table);
	dp->table = NULL;
	rte_free(dp->qsbr);
	dp->qsbr = NULL;
	rte_free(dp->workers);
	dp->workers = NULL;
	if (dp->pool != NULL) {
		unsigned int in_use = rte_mempool_in_use_count(dp->pool);

		if (in_use != 0)
			VS_LOG(WARNING, dp, "%u mbufs still in use at exit", in_use);
		rte_mempool_free(dp->pool);
	}
	dp->pool = NULL;
}

void
vs_dp_stats_sum(const struct vs_dp *dp, struct vs_worker_stats *sum)
{
	unsigned int i, p, r;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < dp->nb_workers; i++) {
		const struct vs_worker_stats *s = &dp->workers[i].stats;

		for (p = 0; p < dp->nb_ports; p++) {
			sum->rx[p] += s->rx[p];
			sum->tx[p] += s->tx[p];
			for (r = 0; r < VS_DROP_MAX; r++)
				sum->drops[p][r] += s->drops[p][r];
		}
#define VS_SUM_(f, n) sum->f += s->f;
		VS_OFFLOAD_STATS(VS_SUM_)
#undef VS_SUM_
		if (dp->workers[i].reasm != NULL) {
			struct vs_reasm_stats rs;

			/* Every fragment reassembly dropped, by reason (the uplink's). */
			vs_reasm_stats(dp->workers[i].reasm, &rs);
			sum->drops[VS_PORT_UPLINK][VS_DROP_FRAG_INVALID] +=
				rs.invalid + rs.oversize;
			sum->drops[VS_PORT_UPLINK][VS_DROP_FRAG_TABLE_FULL] += rs.table_full;
			sum->drops[VS_PORT_UPLINK][VS_DROP_FRAG_TIMEOUT] += rs.timeout_frags;
		}
		sum->busy_cycles += s->busy_cycles;
		sum->idle_cycles += s->idle_cycles;
		sum->loops += s->loops;
	}
}

void
vs_dp_stats_print(const struct vs_dp *dp, FILE *f)
{
	struct vs_worker_stats *sum = malloc(sizeof(*sum));
	unsigned int p, r;

	if (sum == NULL)
		return;
	vs_dp_stats_sum(dp, sum);
	for (p = 0; p < dp->nb_ports; p++) {
		uint64_t drops = 0;

		for (r = 0; r < VS_DROP_MAX; r++)
			drops += sum->drops[p][r];
		fprintf(f, "port %s rx-packets=%" PRIu64 " tx-packets=%" PRIu64
			" drops=%" PRIu64 "\n", dp->ports[p].port.name, sum->rx[p],
			sum->tx[p], drops);
	}
	for (p = 0; p < dp->nb_ports; p++)
		for (r = 0; r < VS_DROP_MAX; r++)
			if (sum->drops[p][r] != 0)
				fprintf(f, "drop %s %s %" PRIu64 "\n", dp->ports[p].port.name,
					vs_drop_name(r), sum->drops[p][r]);
	fprintf(f, "offload");
#define VS_PRINT_(fld, n) fprintf(f, " " n "=%" PRIu64, sum->fld);
	VS_OFFLOAD_STATS(VS_PRINT_)
#undef VS_PRINT_
	fprintf(f, "\n");
	fprintf(f, "mbufs in-use=%u of %u\n", rte_mempool_in_use_count(dp->pool),
		dp->pool->size);
	fflush(f);
	free(sum);
}
