/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checks a parsed configuration against the runtime: the lcores EAL was given and which
 * lcore is EAL's main one, and that every (port, queue) is polled by exactly one worker.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "vs_config.h"

static int __rte_format_printf(5, 6)
val_error(const struct vs_config *cfg, char *err, size_t errlen, const char *key,
	const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err == NULL || errlen == 0)
		return -EINVAL;
	n = snprintf(err, errlen, "%s: [lcores] %s: ", cfg->path, key);
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* The lcores EAL has, as ranges: "0-1,4". */
static const char *
lcore_list(const struct vs_cfg_runtime *rt, char *buf, size_t len)
{
	unsigned int i, j;
	size_t off = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < RTE_MAX_LCORE; i = j) {
		if (!rt->lcore_enabled[i]) {
			j = i + 1;
			continue;
		}
		for (j = i + 1; j < RTE_MAX_LCORE && rt->lcore_enabled[j]; j++)
			;
		if (j - 1 == i)
			n = snprintf(buf + off, len - off, "%s%u", off > 0 ? "," : "", i);
		else
			n = snprintf(buf + off, len - off, "%s%u-%u", off > 0 ? "," : "", i, j - 1);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
	if (buf[0] == '\0')
		snprintf(buf, len, "none");
	return buf;
}

static int
check_lcores(const struct vs_config *cfg, const struct vs_cfg_runtime *rt, char *err,
	size_t errlen)
{
	const struct vs_cfg_lcores *lc = &cfg->lcores;
	char key[32], eal[128];
	unsigned int w;

	if (lc->control >= RTE_MAX_LCORE || !rt->lcore_enabled[lc->control])
		return val_error(cfg, err, errlen, "control",
			"expected an lcore given to EAL (it has %s), got '%u'",
			lcore_list(rt, eal, sizeof(eal)), lc->control);
	if (lc->has_main && lc->main != rt->main_lcore)
		return val_error(cfg, err, errlen, "main",
			"expected EAL's main lcore %u, got '%u'", rt->main_lcore, lc->main);
	for (w = 0; w < lc->nb_workers; w++) {
		unsigned int lcore = lc->workers[w].lcore;

		snprintf(key, sizeof(key), "worker.%u", lcore);
		if (lcore >= RTE_MAX_LCORE || !rt->lcore_enabled[lcore])
			return val_error(cfg, err, errlen, key,
				"expected an lcore given to EAL (it has %s), got '%u'",
				lcore_list(rt, eal, sizeof(eal)), lcore);
		if (lcore == rt->main_lcore)
			return val_error(cfg, err, errlen, key,
				"expected an lcore other than EAL's main lcore %u (it runs the CLI), got '%u'",
				rt->main_lcore, lcore);
		if (lcore == lc->control)
			return val_error(cfg, err, errlen, key,
				"expected an lcore other than the control lcore %u, got '%u'",
				lc->control, lcore);
	}
	return 0;
}

static unsigned int
port_queues(const struct vs_config *cfg, unsigned int port)
{
	if (port == VS_PORT_UPLINK)
		return cfg->uplink.queues;
	return cfg->guests[port - 1].queues;
}

/* Each (port, queue) polled by exactly one worker. */
static int
check_coverage(const struct vs_config *cfg, char *err, size_t errlen)
{
	const struct vs_cfg_lcores *lc = &cfg->lcores;
	/* owner[port][queue]: 1 + index of the worker that polls it, 0 for none */
	uint8_t owner[VS_MAX_PORTS][VS_MAX_QUEUES];
	unsigned int w, i, port, q;
	char key[32];

	RTE_BUILD_BUG_ON(VS_MAX_WORKERS >= UINT8_MAX);
	memset(owner, 0, sizeof(owner));
	for (w = 0; w < lc->nb_workers; w++) {
		const struct vs_cfg_worker *wk = &lc->workers[w];

		snprintf(key, sizeof(key), "worker.%u", wk->lcore);
		for (i = 0; i < wk->nb_pq && i < VS_MAX_PQ; i++) {
			port = wk->pq[i].port;
			q = wk->pq[i].queue;
			if (port > cfg->nb_guests || q >= port_queues(cfg, port) ||
					q >= VS_MAX_QUEUES)
				return val_error(cfg, err, errlen, key,
					"expected ports and queues of this config, got port %u queue %u",
					port, q);
			if (owner[port][q] != 0)
				return val_error(cfg, err, errlen, key,
					"expected each port queue polled by one worker, got '%s:%u' (already polled by worker.%u)",
					vs_config_port_name(cfg, port), q,
					lc->workers[owner[port][q] - 1].lcore);
			owner[port][q] = (uint8_t)(w + 1);
		}
	}
	for (port = 0; port <= cfg->nb_guests && port < VS_MAX_PORTS; port++)
		for (q = 0; q < port_queues(cfg, port) && q < VS_MAX_QUEUES; q++)
			if (owner[port][q] == 0)
				return val_error(cfg, err, errlen, "worker.*",
					"expected every port queue polled by a worker, got '%s:%u' polled by none",
					vs_config_port_name(cfg, port), q);
	return 0;
}

int
vs_config_validate(const struct vs_config *cfg, const struct vs_cfg_runtime *rt, char *err,
	size_t errlen)
{
	int ret;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (cfg == NULL || rt == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "(null): no configuration to validate");
		return -EINVAL;
	}
	if (cfg->nb_guests > VS_MAX_GUESTS || cfg->lcores.nb_workers > VS_MAX_WORKERS) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: not a parsed configuration", cfg->path);
		return -EINVAL;
	}
	ret = check_lcores(cfg, rt, err, errlen);
	if (ret < 0)
		return ret;
	return check_coverage(cfg, err, errlen);
}
