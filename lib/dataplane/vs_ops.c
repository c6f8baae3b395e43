/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control operations behind the CLI, the control socket and telemetry. Each public function
 * packs its arguments, runs one of the do_*() functions below on the control lcore through
 * vs_ctrl_call() (so the control lcore stays the only writer of the table, the flood lists
 * and the neighbour cache), and returns its result. The checks mirror the configuration's
 * (docs/configuration.md), so the CLI refuses what the config file would refuse, in the same
 * words.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "vs_ctrl.h"
#include "vs_dp.h"
#include "vs_ops.h"
#include "vs_parse.h"

#define IP_STR 16

struct op_arg {
	uint32_t vni;
	struct rte_ether_addr mac;
	rte_be32_t ip;
	uint32_t value;
	char *err;
	size_t errlen;
};

static bool
ipv4_unicast(rte_be32_t ip)
{
	uint32_t a = rte_be_to_cpu_32(ip) >> 24;

	return a != 0 && a != 127 && a < 224;
}

/* "100 200 300" (or "none"), cut with "..." when it does not fit. */
static void
vni_list(const struct vs_dp *dp, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	if (dp->nb_vnis == 0) {
		snprintf(buf, len, "none");
		return;
	}
	for (i = 0; i < dp->nb_vnis; i++) {
		int n = snprintf(buf + used, len - used, "%s%u", i == 0 ? "" : " ",
			dp->vnis[i].vni);

		if (n < 0 || (size_t)n >= len - used) {
			if (len > 4)
				snprintf(buf + len - 4, 4, "...");
			return;
		}
		used += (size_t)n;
	}
}

static int
vni_check(const struct vs_dp *dp, uint32_t vni, char *err, size_t errlen)
{
	char list[128];
	int vi;

	if (vni > VS_VNI_LIMIT) {
		snprintf(err, errlen, "expected a VNI 0..%u, got '%u'", VS_VNI_LIMIT, vni);
		return -EINVAL;
	}
	vi = vs_dp_vni_index(dp, vni);
	if (vi < 0) {
		vni_list(dp, list, sizeof(list));
		snprintf(err, errlen, "expected a VNI served here (%s), got '%u'", list, vni);
		return -ENOENT;
	}
	return vi;
}

static const char *
subnet_str(const struct vs_dp *dp, char *buf, size_t len)
{
	const struct vs_ctrl *c = dp->ctrl;
	char net[IP_STR];

	snprintf(buf, len, "%s/%u", vs_ipv4_str(dp->vtep_ip & c->netmask, net, sizeof(net)),
		(unsigned int)__builtin_popcount(c->netmask));
	return buf;
}

/* A remote VTEP address: unicast, not ours, reachable through the underlay. */
static int
vtep_check(const struct vs_dp *dp, rte_be32_t ip, char *err, size_t errlen)
{
	const struct vs_ctrl *c = dp->ctrl;
	char s[IP_STR], net[2 * IP_STR];

	vs_ipv4_str(ip, s, sizeof(s));
	if (!ipv4_unicast(ip)) {
		snprintf(err, errlen, "expected a unicast IPv4 address as VTEP, got '%s'", s);
		return -EINVAL;
	}
	if (ip == dp->vtep_ip) {
		snprintf(err, errlen, "expected a remote VTEP, not this host's vtep-ip, got '%s'",
			s);
		return -EINVAL;
	}
	if ((ip & c->netmask) != (dp->vtep_ip & c->netmask) && !c->has_gateway) {
		snprintf(err, errlen,
			"expected a VTEP inside %s ([uplink] has no gateway), got '%s'",
			subnet_str(dp, net, sizeof(net)), s);
		return -EINVAL;
	}
	return 0;
}

static int
mac_check(const struct rte_ether_addr *mac, char *err, size_t errlen)
{
	char s[RTE_ETHER_ADDR_FMT_SIZE];

	if (!rte_is_valid_assigned_ether_addr(mac)) {
		snprintf(err, errlen, "expected a unicast, non-zero MAC address, got '%s'",
			vs_mac_str(mac, s, sizeof(s)));
		return -EINVAL;
	}
	return 0;
}

/* The configured local guest with this MAC in this VNI, or NULL. */
static const struct vs_port *
local_guest(const struct vs_dp *dp, uint32_t vni, const struct rte_ether_addr *mac)
{
	unsigned int i;

	for (i = 1; i < dp->nb_ports; i++) {
		const struct vs_port *p = &dp->ports[i].port;

		if (p->vni == vni && rte_is_same_ether_addr(&p->mac, mac))
			return p;
	}
	return NULL;
}

static int
do_location_add(struct vs_dp *dp, void *arg)
{
	struct op_arg *a = arg;
	const struct vs_port *g;
	char s[RTE_ETHER_ADDR_FMT_SIZE];
	struct vs_table_stats st;
	int ret;

	ret = vni_check(dp, a->vni, a->err, a->errlen);
	if (ret < 0)
		return ret;
	ret = mac_check(&a->mac, a->err, a->errlen);
	if (ret < 0)
		return ret;
	g = local_guest(dp, a->vni, &a->mac);
	if (g != NULL) {
		snprintf(a->err, a->errlen,
			"expected a MAC that is not a local guest's, got '%s' (= guest %s in VNI %u)",
			vs_mac_str(&a->mac, s, sizeof(s)), g->name, a->vni);
		return -EEXIST;
	}
	ret = vtep_check(dp, a->ip, a->err, a->errlen);
	if (ret < 0)
		return ret;
	ret = vs_ctrl_location_set(dp, a->vni, &a->mac, a->ip, VS_LOC_STATIC);
	if (ret == -ENOSPC) {
		vs_table_stats(dp->table, &st);
		if (st.entries >= st.capacity)
			snprintf(a->err, a->errlen, "the location table is full (%u of %u "
				"entries: [host] locations)", st.entries, st.capacity);
		else
			snprintf(a->err, a->errlen, "too many remote VTEPs (%u known already)",
				VS_MAX_VTEPS);
	} else if (ret != 0) {
		snprintf(a->err, a->errlen, "cannot add the location: %s", strerror(-ret));
	}
	return ret;
}

int
vs_ops_location_add(struct vs_dp *dp, uint32_t vni, const struct rte_ether_addr *mac,
		rte_be32_t vtep_ip, char *err, size_t errlen)
{
	struct op_arg a = { .vni = vni, .mac = *mac, .ip = vtep_ip, .err = err,
		.errlen = errlen };

	return vs_ctrl_call(dp, do_location_add, &a);
}

static int
do_location_del(struct vs_dp *dp, void *arg)
{
	struct op_arg *a = arg;
	const struct vs_loc_entry *e;
	char s[RTE_ETHER_ADDR_FMT_SIZE];
	struct vs_loc_key k;
	int ret;

	ret = vni_check(dp, a->vni, a->err, a->errlen);
	if (ret < 0)
		return ret;
	vs_mac_str(&a->mac, s, sizeof(s));
	vs_loc_key_make(&k, a->vni, &a->mac);
	e = vs_table_lookup(dp->table, &k);
	if (e == NULL) {
		snprintf(a->err, a->errlen, "expected a location in the table, got VNI %u %s "
			"(no such location)", a->vni, s);
		return -ENOENT;
	}
	if (e->origin == VS_LOC_LOCAL) {
		snprintf(a->err, a->errlen, "expected a static or learned location, got VNI %u "
			"%s (local guest %s)", a->vni, s,
			e->port < dp->nb_ports ? dp->ports[e->port].port.name : "?");
		return -EPERM;
	}
	ret = vs_table_del(dp->table, &k);
	if (ret != 0)
		snprintf(a->err, a->errlen, "cannot delete the location: %s", strerror(-ret));
	return ret;
}

int
vs_ops_location_del(struct vs_dp *dp, uint32_t vni, const struct rte_ether_addr *mac,
		char *err, size_t errlen)
{
	struct op_arg a = { .vni = vni, .mac = *mac, .err = err, .errlen = errlen };

	return vs_ctrl_call(dp, do_location_del, &a);
}

static int
do_location_flush(struct vs_dp *dp, void *arg)
{
	struct op_arg *a = arg;
	int ret;

	if (a->vni != VS_TABLE_ALL_VNI) {
		ret = vni_check(dp, a->vni, a->err, a->errlen);
		if (ret < 0)
			return ret;
	}
	return (int)vs_table_flush(dp->table, a->vni, 1u << VS_LOC_STATIC |
		1u << VS_LOC_LEARNED | 1u << VS_LOC_DIRECTORY);
}

int
vs_ops_location_flush(struct vs_dp *dp, uint32_t vni, char *err, size_t errlen)
{
	struct op_arg a = { .vni = vni, .err = err, .errlen = errlen };

	return vs_ctrl_call(dp, do_location_flush, &a);
}

struct list_arg {
	uint32_t vni;
	struct vs_ops_loc *out;
	unsigned int n;
	unsigned int max;
	uint64_t now;
	uint64_t hz;
	struct vs_table_stats st;
};

static int
list_one(const struct vs_loc_entry *e, void *arg)
{
	struct list_arg *l = arg;
	struct vs_ops_loc *o;
	uint64_t seen;

	if (l->vni != VS_TABLE_ALL_VNI && e->key.vni != l->vni)
		return 0;
	if (l->n == l->max)
		return 1;
	o = &l->out[l->n++];
	o->vni = e->key.vni;
	o->mac = e->key.mac;
	o->origin = e->origin;
	o->port = e->port;
	o->vtep_ip = e->vtep_ip;
	seen = __atomic_load_n(&e->last_seen, __ATOMIC_RELAXED);
	o->age_s = l->now > seen ? (uint32_t)((l->now - seen) / l->hz) : 0;
	return 0;
}

static int
do_location_list(struct vs_dp *dp, void *arg)
{
	struct list_arg *l = arg;

	vs_table_stats(dp->table, &l->st);
	l->max = l->st.entries;
	/* One more than needed, so that an empty table is not malloc(0). */
	l->out = malloc(sizeof(*l->out) * (l->max + 1));
	if (l->out == NULL)
		return -ENOMEM;
	l->now = rte_get_tsc_cycles();
	l->hz = rte_get_tsc_hz();
	vs_table_walk(dp->table, list_one, l);
	return 0;
}

int
vs_ops_location_list(struct vs_dp *dp, uint32_t vni, struct vs_ops_loc **out,
		struct vs_table_stats *st)
{
	struct list_arg l = { .vni = vni };
	int ret;

	*out = NULL;
	ret = vs_ctrl_call(dp, do_location_list, &l);
	if (ret < 0) {
		free(l.out);
		return ret;
	}
	if (st != NULL)
		*st = l.st;
	*out = l.out;
	return (int)l.n;
}

/* The current flood list of VNI index vi as addresses. Control lcore. */
static unsigned int
flood_ips(const struct vs_dp *dp, unsigned int vi, rte_be32_t *ips)
{
	const struct vs_flood *f = __atomic_load_n(&dp->vnis[vi].flood, __ATOMIC_ACQUIRE);
	unsigned int i;

	if (f == NULL)
		return 0;
	for (i = 0; i < f->n; i++)
		ips[i] = dp->vteps[f->vtep[i]].ip;
	return f->n;
}

static void
ip_list(const rte_be32_t *ips, unsigned int n, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int i;
	char s[IP_STR];

	snprintf(buf, len, "empty");
	for (i = 0; i < n && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i == 0 ? "" : " ",
			vs_ipv4_str(ips[i], s, sizeof(s)));

		if (w < 0)
			return;
		used += (size_t)w;
	}
}

static int
do_flood_add(struct vs_dp *dp, void *arg)
{
	struct op_arg *a = arg;
	rte_be32_t ips[VS_MAX_FLOOD + 1];
	char s[IP_STR];
	unsigned int n, i;
	int vi, ret;

	vi = vni_check(dp, a->vni, a->err, a->errlen);
	if (vi < 0)
		return vi;
	ret = vtep_check(dp, a->ip, a->err, a->errlen);
	if (ret < 0)
		return ret;
	n = flood_ips(dp, (unsigned int)vi, ips);
	for (i = 0; i < n; i++) {
		if (ips[i] == a->ip) {
			snprintf(a->err, a->errlen, "expected a VTEP not on VNI %u's flood list "
				"yet, got '%s'", a->vni, vs_ipv4_str(a->ip, s, sizeof(s)));
			return -EEXIST;
		}
	}
	if (n >= VS_MAX_FLOOD) {
		snprintf(a->err, a->errlen, "expected at most %d VTEPs on a flood list, VNI %u "
			"has %u already", VS_MAX_FLOOD, a->vni, n);
		return -E2BIG;
	}
	ips[n++] = a->ip;
	ret = vs_ctrl_flood_set(dp, (unsigned int)vi, ips, n);
	if (ret != 0)
		snprintf(a->err, a->errlen, "cannot change the flood list: %s", strerror(-ret));
	return ret;
}

int
vs_ops_flood_add(struct vs_dp *dp, uint32_t vni, rte_be32_t vtep_ip, char *err,
		size_t errlen)
{
	struct op_arg a = { .vni = vni, .ip = vtep_ip, .err = err, .errlen = errlen };

	return vs_ctrl_call(dp, do_flood_add, &a);
}

static int
do_flood_del(struct vs_dp *dp, void *arg)
{
	struct op_arg *a = arg;
	rte_be32_t ips[VS_MAX_FLOOD];
	char s[IP_STR], list[VS_MAX_FLOOD * IP_STR];
	unsigned int n, i;
	int vi, ret;

	vi = vni_check(dp, a->vni, a->err, a->errlen);
	if (vi < 0)
		return vi;
	n = flood_ips(dp, (unsigned int)vi, ips);
	for (i = 0; i < n; i++)
		if (ips[i] == a->ip)
			break;
	if (i == n) {
		ip_list(ips, n, list, sizeof(list));
		snprintf(a->err, a->errlen, "expected a VTEP on VNI %u's flood list (%s), got '%s'",
			a->vni, list, vs_ipv4_str(a->ip, s, sizeof(s)));
		return -ENOENT;
	}
	memmove(&ips[i], &ips[i + 1], sizeof(ips[0]) * (n - i - 1));
	ret = vs_ctrl_flood_set(dp, (unsigned int)vi, ips, n - 1);
	if (ret != 0)
		snprintf(a->err, a->errlen, "cannot change the flood list: %s", strerror(-ret));
	return ret;
}

int
vs_ops_flood_del(struct vs_dp *dp, uint32_t vni, rte_be32_t vtep_ip, char *err,
		size_t errlen)
{
	struct op_arg a = { .vni = vni, .ip = vtep_ip, .err = err, .errlen = errlen };

	return vs_ctrl_call(dp, do_flood_del, &a);
}

struct flood_get_arg {
	unsigned int vi;
	struct vs_ops_flood *out;
};

static int
do_flood_get(struct vs_dp *dp, void *arg)
{
	struct flood_get_arg *g = arg;
	const struct vs_flood *f;
	unsigned int i;

	if (g->vi >= dp->nb_vnis)
		return -EINVAL;
	memset(g->out, 0, sizeof(*g->out));
	g->out->vni = dp->vnis[g->vi].vni;
	f = __atomic_load_n(&dp->vnis[g->vi].flood, __ATOMIC_ACQUIRE);
	if (f == NULL)
		return 0;
	for (i = 0; i < f->n; i++) {
		const struct vs_vtep *v = &dp->vteps[f->vtep[i]];

		g->out->ip[i] = v->ip;
		g->out->resolved[i] = __atomic_load_n(&v->tmpl, __ATOMIC_ACQUIRE) != NULL;
	}
	g->out->n = f->n;
	return 0;
}

int
vs_ops_flood_get(struct vs_dp *dp, unsigned int vi, struct vs_ops_flood *out)
{
	struct flood_get_arg g = { .vi = vi, .out = out };

	return vs_ctrl_call(dp, do_flood_get, &g);
}

static int
do_neigh_add(struct vs_dp *dp, void *arg)
{
	struct op_arg *a = arg;
	const struct vs_ctrl *c = dp->ctrl;
	char s[IP_STR], net[2 * IP_STR];
	int ret;

	vs_ipv4_str(a->ip, s, sizeof(s));
	if (!ipv4_unicast(a->ip) || a->ip == dp->vtep_ip ||
			(a->ip & c->netmask) != (dp->vtep_ip & c->netmask)) {
		snprintf(a->err, a->errlen,
			"expected a unicast neighbour inside %s other than vtep-ip, got '%s'",
			subnet_str(dp, net, sizeof(net)), s);
		return -EINVAL;
	}
	ret = mac_check(&a->mac, a->err, a->errlen);
	if (ret < 0)
		return ret;
	ret = vs_ctrl_neigh_set(dp, a->ip, &a->mac, true);
	if (ret == -ENOSPC)
		snprintf(a->err, a->errlen, "expected at most %d neighbours, the cache is full",
			VS_MAX_NEIGHBOURS);
	else if (ret != 0)
		snprintf(a->err, a->errlen, "cannot add the neighbour: %s", strerror(-ret));
	return ret;
}

int
vs_ops_neigh_add(struct vs_dp *dp, rte_be32_t ip, const struct rte_ether_addr *mac,
		char *err, size_t errlen)
{
	struct op_arg a = { .ip = ip, .mac = *mac, .err = err, .errlen = errlen };

	return vs_ctrl_call(dp, do_neigh_add, &a);
}

/* How many VTEPs have ip as their next hop. Control lcore. */
static unsigned int
neigh_users(const struct vs_dp *dp, rte_be32_t ip)
{
	uint32_t nb = __atomic_load_n(&dp->nb_vteps, __ATOMIC_ACQUIRE), i;
	unsigned int users = 0;

	for (i = 0; i < nb; i++)
		if (dp->ctrl->vtep_nexthop[i] == ip)
			users++;
	return users;
}

static int
do_neigh_del(struct vs_dp *dp, void *arg)
{
	struct op_arg *a = arg;
	struct vs_ctrl *c = dp->ctrl;
	char s[IP_STR];
	unsigned int i;

	for (i = 0; i < c->nb_neigh; i++)
		if (c->neigh[i].ip == a->ip)
			break;
	if (i == c->nb_neigh) {
		snprintf(a->err, a->errlen, "expected a neighbour in the cache, got '%s' "
			"(no such neighbour)", vs_ipv4_str(a->ip, s, sizeof(s)));
		return -ENOENT;
	}
	if (neigh_users(dp, a->ip) == 0) {
		memmove(&c->neigh[i], &c->neigh[i + 1],
			sizeof(c->neigh[0]) * (c->nb_neigh - i - 1));
		c->nb_neigh--;
		return 0;
	}
	if (c->neigh[i].state == VS_NEIGH_INCOMPLETE)
		return 0;
	/*
	 * Still a next hop: let the neighbour upkeep declare it unresolved now (it withdraws
	 * the templates through it, RCU-safely) and resolve it again by ARP.
	 */
	c->neigh[i].state = VS_NEIGH_PROBE;
	c->neigh[i].probes = VS_NEIGH_PROBES;
	c->neigh[i].next_probe = 0;
	vs_ctrl_neigh_poll(dp, rte_get_tsc_cycles());
	return 0;
}

int
vs_ops_neigh_del(struct vs_dp *dp, rte_be32_t ip, char *err, size_t errlen)
{
	struct op_arg a = { .ip = ip, .err = err, .errlen = errlen };

	return vs_ctrl_call(dp, do_neigh_del, &a);
}

struct neigh_list_arg {
	struct vs_ops_neigh *out;
	unsigned int max;
};

static int
do_neigh_list(struct vs_dp *dp, void *arg)
{
	struct neigh_list_arg *l = arg;
	const struct vs_ctrl *c = dp->ctrl;
	uint64_t now = rte_get_tsc_cycles(), hz = rte_get_tsc_hz();
	unsigned int i;

	for (i = 0; i < c->nb_neigh && i < l->max; i++) {
		const struct vs_neigh *n = &c->neigh[i];
		struct vs_ops_neigh *o = &l->out[i];

		o->ip = n->ip;
		o->mac = n->mac;
		o->state = n->state;
		o->age_s = n->confirmed != 0 && now > n->confirmed ?
			(uint32_t)((now - n->confirmed) / hz) : 0;
		o->nb_vteps = neigh_users(dp, n->ip);
	}
	return (int)i;
}

int
vs_ops_neigh_list(struct vs_dp *dp, struct vs_ops_neigh *out, unsigned int max)
{
	struct neigh_list_arg l = { .out = out, .max = max };

	return vs_ctrl_call(dp, do_neigh_list, &l);
}

static int
do_set_learning(struct vs_dp *dp, void *arg)
{
	struct op_arg *a = arg;

	__atomic_store_n(&dp->learning, a->value != 0, __ATOMIC_RELEASE);
	return 0;
}

int
vs_ops_set_learning(struct vs_dp *dp, bool on)
{
	struct op_arg a = { .value = on };

	return vs_ctrl_call(dp, do_set_learning, &a);
}

static int
do_set_aging(struct vs_dp *dp, void *arg)
{
	struct op_arg *a = arg;

	__atomic_store_n(&dp->aging, a->value, __ATOMIC_RELEASE);
	__atomic_store_n(&dp->refresh_tsc, vs_dp_refresh_tsc(a->value), __ATOMIC_RELAXED);
	/* Age now rather than at the next one-second tick. */
	dp->ctrl->next_age = 0;
	return 0;
}

int
vs_ops_set_aging(struct vs_dp *dp, uint32_t seconds, char *err, size_t errlen)
{
	struct op_arg a = { .value = seconds };

	if (seconds > VS_OPS_AGING_MAX) {
		snprintf(err, errlen, "expected seconds 0..%u, got '%u'", VS_OPS_AGING_MAX,
			seconds);
		return -ERANGE;
	}
	return vs_ctrl_call(dp, do_set_aging, &a);
}

static int
do_settings_get(struct vs_dp *dp, void *arg)
{
	struct vs_ops_settings *s = arg;

	s->learning = __atomic_load_n(&dp->learning, __ATOMIC_ACQUIRE);
	s->aging = __atomic_load_n(&dp->aging, __ATOMIC_ACQUIRE);
	return 0;
}

int
vs_ops_settings_get(struct vs_dp *dp, struct vs_ops_settings *out)
{
	return vs_ctrl_call(dp, do_settings_get, out);
}

static int
do_ctrl_stats(struct vs_dp *dp, void *arg)
{
	memcpy(arg, &dp->ctrl->stats, sizeof(dp->ctrl->stats));
	return 0;
}

int
vs_ops_ctrl_stats(struct vs_dp *dp, struct vs_ctrl_stats *out)
{
	return vs_ctrl_call(dp, do_ctrl_stats, out);
}

const char *
vs_ops_origin_name(unsigned int origin)
{
	static const char *const names[] = {
		[VS_LOC_LOCAL] = "local",
		[VS_LOC_STATIC] = "static",
		[VS_LOC_LEARNED] = "learned",
		[VS_LOC_DIRECTORY] = "directory",
	};

	return origin < RTE_DIM(names) ? names[origin] : "invalid";
}

const char *
vs_ops_neigh_state_name(unsigned int state)
{
	static const char *const names[] = {
		[VS_NEIGH_INCOMPLETE] = "incomplete",
		[VS_NEIGH_REACHABLE] = "reachable",
		[VS_NEIGH_PROBE] = "probe",
		[VS_NEIGH_STATIC] = "static",
	};

	return state < RTE_DIM(names) ? names[state] : "invalid";
}
