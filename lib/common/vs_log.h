/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vseal's log types (vseal.cfg, vseal.port, vseal.dp, vseal.ctl, vseal.table, vseal.overlay)
 * behind one macro. Set a level with EAL's --log-level=vseal.dp:debug.
 * The data path logs only through VS_LOG_RL (rate-limited).
 */
#ifndef VS_LOG_H
#define VS_LOG_H

#include <rte_cycles.h>
#include <rte_log.h>

extern int vs_logtype_cfg;
extern int vs_logtype_port;
extern int vs_logtype_dp;
extern int vs_logtype_ctl;
extern int vs_logtype_table;
extern int vs_logtype_overlay;

#define VS_LOG(level, type, fmt, ...) \
	rte_log(RTE_LOG_ ## level, vs_logtype_ ## type, "vseal." #type ": " fmt "\n", \
		##__VA_ARGS__)

/** At most one message per second from each call site. */
#define VS_LOG_RL(level, type, fmt, ...) do { \
	static uint64_t vs_log_rl_next_; \
	uint64_t vs_log_rl_now_ = rte_get_tsc_cycles(); \
	if (vs_log_rl_now_ >= vs_log_rl_next_) { \
		vs_log_rl_next_ = vs_log_rl_now_ + rte_get_tsc_hz(); \
		VS_LOG(level, type, fmt, ##__VA_ARGS__); \
	} \
} while (0)

#endif /* VS_LOG_H */
