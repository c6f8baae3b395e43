/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vseal's DPDK telemetry endpoints, for dpdk-telemetry.py and any client of the telemetry
 * socket (/var/run/dpdk/PREFIX/dpdk_telemetry.v2):
 *
 *   /vseal/ports[,NAME]      ethdev and vseal counters, link state, per port
 *   /vseal/guests[,NAME]     connection state, mode, socket, VNI, MAC, queues, MTU
 *   /vseal/locations[,VNI]   the location table (at most VS_TEL_LOCATIONS_MAX entries)
 *   /vseal/drops[,NAME]      every drop reason with its count, per port
 *   /vseal/lcores            per worker: queues, packets, busy/idle cycles, cycles/packet
 *
 * Counters are monotonic since start (the CLI's `clear` commands do not touch them). The
 * callbacks run on DPDK's telemetry thread and read control state through vs_ctrl_call().
 */
#ifndef VS_TELEMETRY_H
#define VS_TELEMETRY_H

#include "vs_dp.h"

/** Most locations /vseal/locations returns (telemetry answers are at most 16 KB). */
#define VS_TEL_LOCATIONS_MAX 100

/** Register the endpoints (once) and serve dp from now on. @return 0 or -errno. */
int vs_telemetry_start(struct vs_dp *dp);

/**
 * Stop serving dp: wait for a callback in progress, then answer null. Call after
 * vs_dp_stop() (so a callback waiting on the control lcore gives up) and before
 * vs_dp_fini().
 */
void vs_telemetry_stop(void);

#endif /* VS_TELEMETRY_H */
