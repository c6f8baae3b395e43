/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Control operations for the CLI, the control socket and telemetry: checked changes of the
 * location table, the flood lists, the underlay neighbours and the learning/aging settings,
 * and snapshots of that control state.
 *
 * Every function does its work on the control lcore through vs_ctrl_call() and waits for
 * it, so it may be called from any thread except a worker lcore (the main lcore's CLI, the
 * telemetry thread). A change is visible to the data path when the function returns.
 * Functions that can fail return 0 (or a count) or a negative errno, and then write one
 * line saying what is wrong to err (without a trailing newline). -ESHUTDOWN means vseal is
 * stopping.
 */
#ifndef VS_OPS_H
#define VS_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "vs_ctrl.h"
#include "vs_dp.h"
#include "vs_table.h"

/** One location-table entry as a snapshot. */
struct vs_ops_loc {
	uint32_t vni;
	struct rte_ether_addr mac;
	uint8_t origin;            /**< enum vs_loc_origin */
	uint16_t port;             /**< local port index, or VS_LOC_PORT_NONE */
	rte_be32_t vtep_ip;        /**< remote VTEP, 0 when local */
	uint32_t age_s;            /**< seconds since the entry was last seen (refreshed) */
};

/** One VNI's flood list as a snapshot. */
struct vs_ops_flood {
	uint32_t vni;
	unsigned int n;
	rte_be32_t ip[VS_MAX_FLOOD];
	bool resolved[VS_MAX_FLOOD]; /**< an encapsulation template exists (next hop known) */
};

/** One underlay neighbour as a snapshot. */
struct vs_ops_neigh {
	rte_be32_t ip;
	struct rte_ether_addr mac;
	uint8_t state;             /**< enum vs_neigh_state */
	uint32_t age_s;            /**< seconds since last confirmed (0 when never) */
	unsigned int nb_vteps;     /**< VTEPs reached through it (it is their next hop) */
};

/** Learning and aging as the control lcore applies them. */
struct vs_ops_settings {
	bool learning;
	uint32_t aging;            /**< seconds, 0 = never */
};

/** Largest value of `set aging` (as the config's [host] aging). */
#define VS_OPS_AGING_MAX 86400

/**
 * Add or replace the static location (vni, mac) -> vtep_ip. The VNI must be served here,
 * the MAC unicast, non-zero and not a local guest's in that VNI, the VTEP a unicast
 * address other than ours and reachable (inside the underlay subnet, or a gateway exists).
 * @return 0, -ENOENT (VNI), -EINVAL (MAC or address), -EEXIST (a local guest's MAC),
 *   -ENOSPC (table or VTEPs full), -ENOMEM.
 */
int vs_ops_location_add(struct vs_dp *dp, uint32_t vni, const struct rte_ether_addr *mac,
		rte_be32_t vtep_ip, char *err, size_t errlen);

/**
 * Remove the location (vni, mac), static or learned.
 * @return 0, -ENOENT (VNI not served, or no such location), -EPERM (a local guest's).
 */
int vs_ops_location_del(struct vs_dp *dp, uint32_t vni, const struct rte_ether_addr *mac,
		char *err, size_t errlen);

/**
 * Remove every static, learned and directory location of vni, or of all VNIs when vni is
 * VS_TABLE_ALL_VNI. Local guests' locations stay.
 * @return how many were removed, or -ENOENT (VNI not served).
 */
int vs_ops_location_flush(struct vs_dp *dp, uint32_t vni, char *err, size_t errlen);

/**
 * Snapshot of the locations of vni (VS_TABLE_ALL_VNI: all), in table order.
 * *out is allocated with malloc() and owned by the caller (free() it, also when 0 entries);
 * st, when not NULL, receives the table's statistics.
 * @return the number of entries, or -ENOMEM / -ESHUTDOWN.
 */
int vs_ops_location_list(struct vs_dp *dp, uint32_t vni, struct vs_ops_loc **out,
		struct vs_table_stats *st);

/**
 * Add vtep_ip to vni's flood list (checks as for a location's VTEP).
 * @return 0, -ENOENT (VNI), -EINVAL (address), -EEXIST (already listed), -E2BIG (full).
 */
int vs_ops_flood_add(struct vs_dp *dp, uint32_t vni, rte_be32_t vtep_ip, char *err,
		size_t errlen);

/** Remove vtep_ip from vni's flood list. @return 0 or -ENOENT (VNI, or not listed). */
int vs_ops_flood_del(struct vs_dp *dp, uint32_t vni, rte_be32_t vtep_ip, char *err,
		size_t errlen);

/** Snapshot of the flood list of dp->vnis[vi]. @return 0, -EINVAL (vi) or -ESHUTDOWN. */
int vs_ops_flood_get(struct vs_dp *dp, unsigned int vi, struct vs_ops_flood *out);

/**
 * Add or replace the static neighbour ip -> mac (never probed by ARP, never expires).
 * The address must be unicast, not ours, inside the underlay subnet.
 * @return 0, -EINVAL, -ENOSPC.
 */
int vs_ops_neigh_add(struct vs_dp *dp, rte_be32_t ip, const struct rte_ether_addr *mac,
		char *err, size_t errlen);

/**
 * Forget the neighbour ip. When it is still the next hop of a VTEP, its MAC is dropped at
 * once (frames to those VTEPs wait, counted as vtep-unresolved) and ARP resolves it again.
 * @return 0 or -ENOENT.
 */
int vs_ops_neigh_del(struct vs_dp *dp, rte_be32_t ip, char *err, size_t errlen);

/** Snapshot of up to max neighbours. @return how many were written, or -ESHUTDOWN. */
int vs_ops_neigh_list(struct vs_dp *dp, struct vs_ops_neigh *out, unsigned int max);

/** Switch learning on or off (already learned locations stay until they age). */
int vs_ops_set_learning(struct vs_dp *dp, bool on);

/** Set the aging time of learned locations, 0..VS_OPS_AGING_MAX s (0 = never). */
int vs_ops_set_aging(struct vs_dp *dp, uint32_t seconds, char *err, size_t errlen);

/** Current learning and aging settings. @return 0 or -ESHUTDOWN. */
int vs_ops_settings_get(struct vs_dp *dp, struct vs_ops_settings *out);

/** Copy of the control lcore's counters. @return 0 or -ESHUTDOWN. */
int vs_ops_ctrl_stats(struct vs_dp *dp, struct vs_ctrl_stats *out);

/** "local", "static", "learned" or "directory". */
const char *vs_ops_origin_name(unsigned int origin);

/** "incomplete", "reachable", "probe" or "static". */
const char *vs_ops_neigh_state_name(unsigned int state);

#endif /* VS_OPS_H */
