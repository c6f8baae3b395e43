/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_log.h>

#include "vs_log.h"

RTE_LOG_REGISTER(vs_logtype_cfg, vseal.cfg, INFO);
RTE_LOG_REGISTER(vs_logtype_port, vseal.port, INFO);
RTE_LOG_REGISTER(vs_logtype_dp, vseal.dp, INFO);
RTE_LOG_REGISTER(vs_logtype_ctl, vseal.ctl, INFO);
RTE_LOG_REGISTER(vs_logtype_table, vseal.table, INFO);
RTE_LOG_REGISTER(vs_logtype_overlay, vseal.overlay, INFO);
