/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The control lcore's private state and its functions: the only writer of the location
 * table, of the VTEPs' encapsulation templates and of the flood lists; owner of the
 * underlay neighbour cache (ARP for remote VTEPs' next hops), the ARP and ICMP echo answers
 * for our VTEP address, learning and aging.
 *
 * Every function here runs on the control lcore only (or before the lcores are launched).
 */
#ifndef VS_CTRL_H
#define VS_CTRL_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "vs_dp.h"

#define VS_MAX_NEIGHBOURS 1024
#define VS_NEIGH_REACHABLE_S 60   /**< re-probe a resolved neighbour after this long */
#define VS_NEIGH_PROBES 3         /**< unanswered probes before a neighbour is unresolved */

enum vs_neigh_state {
	VS_NEIGH_INCOMPLETE = 0,  /**< no MAC: ARP request every second */
	VS_NEIGH_REACHABLE,       /**< MAC confirmed within VS_NEIGH_REACHABLE_S */
	VS_NEIGH_PROBE,           /**< MAC still used while re-confirming it */
	VS_NEIGH_STATIC,          /**< configured: never probed, never expires */
};

struct vs_neigh {
	rte_be32_t ip;
	struct rte_ether_addr mac;
	uint8_t state;            /**< enum vs_neigh_state */
	uint8_t probes;
	uint64_t confirmed;       /**< TSC */
	uint64_t next_probe;      /**< TSC */
};

struct vs_ctrl_stats {
	uint64_t learned;         /**< new learned locations */
	uint64_t moved;           /**< learned locations that changed VTEP */
	uint64_t learn_table_full;
	uint64_t learn_conflict;  /**< a connected local guest's MAC heard from the uplink */
	uint64_t vteps_full;
	uint64_t vtep_unreachable;/**< VTEP off the underlay subnet and no gateway */
	uint64_t arp_rx;
	uint64_t arp_requests_sent;
	uint64_t arp_replies_sent;
	uint64_t icmp_echo_replies;
	uint64_t exc_ignored;     /**< exception frames not for us / malformed */
	uint64_t ctrl_tx_full;    /**< control frames lost to a full handoff ring */
	uint64_t aged;
};

/** A function run on the control lcore by vs_ctrl_call(). */
typedef int (*vs_ctrl_fn)(struct vs_dp *dp, void *arg);

struct vs_ctrl {
	struct vs_dp *dp;
	rte_be32_t netmask;
	bool has_gateway;
	rte_be32_t gateway;
	struct rte_ether_addr mac;       /**< the uplink's */
	unsigned int nb_neigh;
	struct vs_neigh neigh[VS_MAX_NEIGHBOURS];
	rte_be32_t vtep_nexthop[VS_MAX_VTEPS]; /**< 0 when unreachable */
	uint64_t next_link;
	uint64_t next_neigh;
	uint64_t next_age;
	struct vs_ctrl_stats stats;
	/* vs_ctrl_call() mailbox: callers take call_lock, post, wait for call_done. */
	pthread_mutex_t call_lock;
	vs_ctrl_fn call_fn;          /**< atomic: non-NULL when a call is posted */
	void *call_arg;
	int call_ret;
	uint32_t call_done;          /**< atomic */
	unsigned int lcore;          /**< the control lcore */
};

/**
 * Run fn(dp, arg) on the control lcore and return its result: how the CLI, the control
 * socket and telemetry read or change control state (the location table, flood lists,
 * neighbours, settings) without a second writer. Blocks the caller until done; callers on
 * several threads are serialised. When called on the control lcore itself (control on the
 * main lcore) fn runs at once. Returns -ESHUTDOWN when vseal is stopping.
 */
int vs_ctrl_call(struct vs_dp *dp, vs_ctrl_fn fn, void *arg);

/** Set up the control state: static neighbours, VTEPs of flood lists and static locations. */
int vs_ctrl_init(struct vs_dp *dp, char *err, size_t errlen);

/** Free templates and flood lists. Lcores must have returned. */
void vs_ctrl_fini(struct vs_dp *dp);

/** Index of the VTEP with address ip, created (and its next hop resolved) when new. */
int vs_ctrl_vtep(struct vs_dp *dp, rte_be32_t ip);

/** Add or replace a neighbour (static: never probed). Rebuilds the affected templates. */
int vs_ctrl_neigh_set(struct vs_dp *dp, rte_be32_t ip, const struct rte_ether_addr *mac,
		bool is_static);

/** Publish location (vni, mac) -> vtep_ip with origin. @return 0 or -errno. */
int vs_ctrl_location_set(struct vs_dp *dp, uint32_t vni, const struct rte_ether_addr *mac,
		rte_be32_t vtep_ip, enum vs_loc_origin origin);

/** Replace VNI vi's flood list by the given VTEP addresses. */
int vs_ctrl_flood_set(struct vs_dp *dp, unsigned int vi, const rte_be32_t *ips, unsigned int n);

/** Handle an exception frame (ARP, ICMP) from the uplink; consumes m. */
void vs_ctrl_exception(struct vs_dp *dp, struct rte_mbuf *m, uint64_t now);

/** Neighbour upkeep: probes, expiry. */
void vs_ctrl_neigh_poll(struct vs_dp *dp, uint64_t now);

#endif /* VS_CTRL_H */
