/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control lcore's loop: the only writer of the location table and of the ports' link
 * state as the workers see it. Each loop it drains the workers' learn and exception rings;
 * every 100 ms it polls link state and upkeeps neighbours; every second it ages learned
 * locations. It sleeps 1 ms between loops: it is never on the per-packet path.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_vhost.h>

#include "vs_ctrl.h"
#include "vs_dp.h"
#include "vs_log.h"
#include "vs_parse.h"

#define VS_CTRL_SLEEP_US 1000
#define VS_CTRL_RING_BURST 64

int
vs_ctrl_location_set(struct vs_dp *dp, uint32_t vni, const struct rte_ether_addr *mac,
		rte_be32_t vtep_ip, enum vs_loc_origin origin)
{
	struct vs_loc_key k;
	int idx;

	idx = vs_ctrl_vtep(dp, vtep_ip);
	if (idx < 0)
		return idx;
	vs_loc_key_make(&k, vni, mac);
	return vs_table_set_vtep(dp->table, &k, origin, VS_LOC_PORT_NONE, vtep_ip,
		(uint16_t)idx, rte_get_tsc_cycles());
}

/* Re-assert a connected guest's own location (it may have been learned away while it was
 * gone, e.g. migrated out and back). */
static void
local_set(struct vs_dp *dp, const struct vs_port *p)
{
	struct vs_loc_key k;

	vs_loc_key_make(&k, p->vni, &p->mac);
	if (vs_table_set(dp->table, &k, VS_LOC_LOCAL, p->idx, 0, rte_get_tsc_cycles()) != 0)
		VS_LOG(ERR, ctl, "guest %s: cannot restore its location", p->name);
}

/*
 * Whether a connected guest takes TSO frames. Read again on every control loop, not only
 * at connection: a driver may renegotiate features while the device runs (vhost calls no
 * new_device then), e.g. a virtio driver's first negotiation before it configures its
 * offloads.
 */
static void
update_guest_tso(struct vs_dp_port *p)
{
	uint64_t f = vs_port_guest_features(&p->port);

	if (f == p->features)
		return;
	p->features = f;
	/* Large TCP frames need both: the GSO header and a partial checksum. */
	__atomic_store_n(&p->guest_tso, (f & (1ULL << VIRTIO_NET_F_GUEST_TSO4)) != 0 &&
		(f & (1ULL << VIRTIO_NET_F_GUEST_CSUM)) != 0, __ATOMIC_RELAXED);
	VS_LOG(INFO, ctl, "guest %s: features 0x%" PRIx64 "%s", p->port.name, f,
		p->guest_tso ? " (takes TSO frames)" : "");
}

static void
update_links(struct vs_dp *dp)
{
	unsigned int i;

	for (i = 0; i < dp->nb_ports; i++) {
		struct vs_dp_port *p = &dp->ports[i];
		bool up = vs_port_link_up(&p->port);

		if (up == __atomic_load_n(&p->up, __ATOMIC_RELAXED)) {
			if (up && !p->port.is_uplink)
				update_guest_tso(p);
			continue;
		}
		__atomic_store_n(&p->up, up, __ATOMIC_RELEASE);
		if (p->port.is_uplink) {
			VS_LOG(INFO, ctl, "uplink: link %s", up ? "up" : "down");
			continue;
		}
		VS_LOG(INFO, ctl, "guest %s: %s (%s mode, %s)", p->port.name,
			up ? "connected" : "disconnected",
			p->port.mode == VS_VHOST_CLIENT ? "client" : "server", p->port.socket);
		if (up) {
			p->features = UINT64_MAX;	/* log them, whatever they are */
			update_guest_tso(p);
			local_set(dp, &p->port);
		}
	}
}

static void
learn(struct vs_dp *dp, const struct vs_learn_req *r, uint64_t now)
{
	struct vs_ctrl *c = dp->ctrl;
	const struct vs_loc_entry *e;
	struct vs_loc_key k;
	bool moved = false;
	int idx, ret;

	if (!__atomic_load_n(&dp->learning, __ATOMIC_RELAXED))
		return;
	vs_loc_key_make(&k, r->vni, &r->mac);
	e = vs_table_lookup(dp->table, &k);
	if (e != NULL) {
		if (e->origin == VS_LOC_STATIC || e->origin == VS_LOC_DIRECTORY)
			return;
		if (e->origin == VS_LOC_LOCAL) {
			/* Our guest's MAC from elsewhere: it moved away if its port is down. */
			if (__atomic_load_n(&dp->ports[e->port].up, __ATOMIC_RELAXED)) {
				c->stats.learn_conflict++;
				return;
			}
			vs_table_del(dp->table, &k);
			moved = true;
		} else if (e->vtep_ip != r->vtep_ip) {
			moved = true;
		}
	}
	idx = vs_ctrl_vtep(dp, r->vtep_ip);
	if (idx < 0)
		return;
	ret = vs_table_set_vtep(dp->table, &k, VS_LOC_LEARNED, VS_LOC_PORT_NONE, r->vtep_ip,
		(uint16_t)idx, now);
	if (ret == -ENOSPC) {
		c->stats.learn_table_full++;
		return;
	}
	if (ret != 0)
		return;
	if (moved) {
		char mac[RTE_ETHER_ADDR_FMT_SIZE], ip[16];

		c->stats.moved++;
		VS_LOG(INFO, ctl, "vni %u %s moved to %s", r->vni,
			vs_mac_str(&r->mac, mac, sizeof(mac)),
			vs_ipv4_str(r->vtep_ip, ip, sizeof(ip)));
	} else if (e == NULL) {
		c->stats.learned++;
	}
}

static void
drain_workers(struct vs_dp *dp, uint64_t now)
{
	struct vs_learn_req reqs[VS_CTRL_RING_BURST];
	struct rte_mbuf *pkts[VS_CTRL_RING_BURST];
	unsigned int i, j, n;

	for (i = 0; i < dp->nb_workers; i++) {
		struct vs_worker *w = &dp->workers[i];

		n = rte_ring_sc_dequeue_burst_elem(w->learn, reqs, sizeof(reqs[0]),
			RTE_DIM(reqs), NULL);
		for (j = 0; j < n; j++)
			learn(dp, &reqs[j], now);
		n = rte_ring_sc_dequeue_burst(w->exc, (void **)pkts, RTE_DIM(pkts), NULL);
		for (j = 0; j < n; j++)
			vs_ctrl_exception(dp, pkts[j], now);
	}
}

int
vs_ctrl_call(struct vs_dp *dp, vs_ctrl_fn fn, void *arg)
{
	struct vs_ctrl *c = dp->ctrl;
	int ret;

	if (rte_lcore_id() == c->lcore)
		return fn(dp, arg);
	pthread_mutex_lock(&c->call_lock);
	c->call_arg = arg;
	__atomic_store_n(&c->call_done, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&c->call_fn, fn, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&c->call_done, __ATOMIC_ACQUIRE)) {
		if (vs_dp_quitting(dp) && __atomic_load_n(&c->call_fn, __ATOMIC_ACQUIRE) != NULL) {
			/* The control loop may be gone: take the call back if it is still ours. */
			vs_ctrl_fn mine = fn;

			if (__atomic_compare_exchange_n(&c->call_fn, &mine, NULL, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
				pthread_mutex_unlock(&c->call_lock);
				return -ESHUTDOWN;
			}
		}
		rte_delay_us_sleep(50);
	}
	ret = c->call_ret;
	pthread_mutex_unlock(&c->call_lock);
	return ret;
}

/* Run a posted vs_ctrl_call(), if any. */
static void
serve_call(struct vs_dp *dp)
{
	struct vs_ctrl *c = dp->ctrl;
	vs_ctrl_fn fn = __atomic_load_n(&c->call_fn, __ATOMIC_ACQUIRE);

	if (fn == NULL)
		return;
	if (!__atomic_compare_exchange_n(&c->call_fn, &fn, NULL, false, __ATOMIC_ACQ_REL,
			__ATOMIC_ACQUIRE))
		return;
	c->call_ret = fn(dp, c->call_arg);
	__atomic_store_n(&c->call_done, 1, __ATOMIC_RELEASE);
}

void
vs_ctrl_poll(struct vs_dp *dp)
{
	struct vs_ctrl *c = dp->ctrl;
	uint64_t now = rte_get_tsc_cycles();
	uint64_t hz = rte_get_tsc_hz();
	uint32_t aging;

	serve_call(dp);
	drain_workers(dp, now);
	/*
	 * Links every pass (the loop sleeps about 1 ms): a guest migrated here must own its
	 * location again as soon as its device is ready, or the peers' frames, already sent
	 * here after its announcement, are dropped as split-horizon meanwhile.
	 */
	update_links(dp);
	if (now >= c->next_link) {
		vs_ctrl_neigh_poll(dp, now);
		c->next_link = now + hz / 10;
	}
	if (now >= c->next_age) {
		aging = __atomic_load_n(&dp->aging, __ATOMIC_RELAXED);
		if (aging != 0)
			c->stats.aged += vs_table_age(dp->table, now, (uint64_t)aging * hz);
		c->next_age = now + hz;
	}
	vs_table_reclaim(dp->table);
}

int
vs_ctrl_main(void *arg)
{
	struct vs_dp *dp = arg;

	VS_LOG(INFO, ctl, "control on lcore %u", rte_lcore_id());
	while (!vs_dp_quitting(dp)) {
		vs_ctrl_poll(dp);
		rte_delay_us_sleep(VS_CTRL_SLEEP_US);
	}
	return 0;
}

int
vs_ctrl_init(struct vs_dp *dp, char *err, size_t errlen)
{
	const struct vs_config *cfg = dp->cfg;
	struct vs_ctrl *c;
	unsigned int i;
	int ret;

	c = rte_zmalloc("vs_ctrl", sizeof(*c), RTE_CACHE_LINE_SIZE);
	if (c == NULL) {
		snprintf(err, errlen, "out of memory for the control state");
		return -ENOMEM;
	}
	dp->ctrl = c;
	c->dp = dp;
	c->lcore = cfg->lcores.control;
	pthread_mutex_init(&c->call_lock, NULL);
	c->mac = dp->ports[VS_PORT_UPLINK].port.mac;
	c->netmask = rte_cpu_to_be_32(cfg->uplink.prefix == 0 ? 0 :
		~0u << (32 - cfg->uplink.prefix));
	c->has_gateway = cfg->uplink.has_gateway;
	c->gateway = cfg->uplink.gateway;

	for (i = 0; i < cfg->nb_neigh; i++) {
		ret = vs_ctrl_neigh_set(dp, cfg->neigh[i].ip, &cfg->neigh[i].mac, true);
		if (ret != 0) {
			snprintf(err, errlen, "[neigh]: cannot add neighbour %u: %s", i,
				strerror(-ret));
			return ret;
		}
	}
	for (i = 0; i < dp->nb_vnis; i++) {
		const struct vs_cfg_vni *v = vs_config_vni(cfg, dp->vnis[i].vni);

		ret = vs_ctrl_flood_set(dp, i, v != NULL ? v->flood : NULL,
			v != NULL ? v->nb_flood : 0);
		if (ret != 0) {
			snprintf(err, errlen, "[vni.%u] flood: %s", dp->vnis[i].vni,
				strerror(-ret));
			return ret;
		}
	}
	for (i = 0; i < cfg->nb_locations; i++) {
		const struct vs_cfg_location *l = &cfg->locations[i];

		ret = vs_ctrl_location_set(dp, l->vni, &l->mac, l->vtep_ip, VS_LOC_STATIC);
		if (ret != 0) {
			snprintf(err, errlen, "[location.%u]: cannot add location: %s", l->vni,
				strerror(-ret));
			return ret;
		}
	}
	return 0;
}

void
vs_ctrl_fini(struct vs_dp *dp)
{
	unsigned int i;

	for (i = 0; i < VS_MAX_VTEPS; i++) {
		rte_free((void *)(uintptr_t)dp->vteps[i].tmpl);
		dp->vteps[i].tmpl = NULL;
	}
	for (i = 0; i < dp->nb_vnis; i++) {
		rte_free((void *)(uintptr_t)dp->vnis[i].flood);
		dp->vnis[i].flood = NULL;
	}
	rte_free(dp->ctrl);
	dp->ctrl = NULL;
}
