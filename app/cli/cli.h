/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * What the command groups (cli_port.c, cli_location.c, ...) share: the CLI context, the
 * token types of our own, and the helpers that print errors the same way everywhere.
 *
 * A command is testpmd-style: a result struct, one token per word, an instance whose
 * help_str is "USAGE: description" (USAGE's words line up with the tokens, so the usage
 * printed with an error and the argument names come from there) and whose data points at
 * the instance itself, and a thin _parsed callback that checks the values with the strict
 * parsers and calls lib/ (vs_ops.h for control state).
 */
#ifndef VS_CLI_INTERNAL_H
#define VS_CLI_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ethdev.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

#include "vs_ctrl.h"
#include "vs_dp.h"

/** Counters as they were at the last `clear port stats` (subtracted when shown). */
struct cli_port_base {
	struct rte_eth_stats eth;
	uint64_t rx;
	uint64_t tx;
	uint64_t drops[VS_DROP_MAX];
	unsigned int nb_xstats;
	uint64_t *xstats;                  /**< by xstat id, or NULL */
};

/** A worker's counters as they were at the last `clear lcores`. */
struct cli_lcore_base {
	uint64_t rx;
	uint64_t tx;
	uint64_t busy;
	uint64_t idle;
	uint64_t loops;
};

struct cli_server;

/**
 * The process's one CLI. The command callbacks and the completion of port names reach it
 * through cli_ctx (librte_cmdline's token operations get no context pointer). Only the main
 * lcore touches it.
 */
struct vs_cli {
	struct vs_dp *dp;
	const struct vs_config *cfg;
	bool quit;                         /**< quit at the terminal or in the start file */
	struct cli_port_base port_base[VS_MAX_PORTS];
	struct cli_lcore_base *lcore_base; /**< one per worker */
	bool lcores_cleared;
	struct vs_ctrl_stats ctrl_base;
	uint64_t learn_overflow_base;      /**< workers' learn_overflow, summed */
	struct cli_server *srv;            /**< sessions, socket, terminal (cli_session.c) */
	cmdline_parse_ctx_t *ctx;          /**< every command, then the fallback; NULL-ended */
	cmdline_parse_ctx_t *real_ctx;     /**< every command, without the fallback */
	struct cmdline *probe;             /**< parses against real_ctx, prints nothing */
};

extern struct vs_cli *cli_ctx;

/** A group of commands, as `help` lists them. */
struct cli_group {
	const char *title;
	cmdline_parse_inst_t *const *cmds; /**< NULL-terminated */
};

extern const struct cli_group cli_group_general;
extern const struct cli_group cli_group_port;
extern const struct cli_group cli_group_lcore;
extern const struct cli_group cli_group_location;
extern const struct cli_group cli_group_flood;
extern const struct cli_group cli_group_neigh;
extern const struct cli_group cli_group_config;

/* ---- token types of our own ---- */

#define CLI_PORT_ANY     0u    /**< uplink or a guest */
#define CLI_PORT_GUEST   1u    /**< guests only */
#define CLI_PORT_ALL     2u    /**< also the word "all" */

/** A port name: parses any word (checked by the callback), completes the port names. */
struct cli_token_port {
	struct cmdline_token_hdr hdr;
	unsigned int flags;
};

extern struct cmdline_token_ops cli_token_port_ops;

/** The result field is a cmdline_fixed_string_t. */
#define CLI_TOKEN_PORT_INITIALIZER(structure, field, fl) \
	{ { &cli_token_port_ops, offsetof(structure, field) }, (fl) }

/* ---- helpers for the _parsed callbacks ---- */

/**
 * Report a failed command: "error: COMMAND: message" and "usage: USAGE", both from the
 * instance's help_str, on the session's error output; marks the session's command failed.
 */
void cli_error(struct cmdline *cl, const void *inst, const char *fmt, ...)
	__rte_format_printf(3, 4);

/** Mark the session's command failed without printing (the caller printed why). */
void cli_failed(struct cmdline *cl);

/** Print text on the session's error output (not marking anything). */
void cli_err_printf(struct cmdline *cl, const char *fmt, ...) __rte_format_printf(2, 3);

/* Each parses s strictly (vs_parse.h) or reports the error and returns a negative errno. */
int cli_parse_vni(struct cmdline *cl, const void *inst, const char *s, uint32_t *out);
int cli_parse_mac(struct cmdline *cl, const void *inst, const char *s,
		struct rte_ether_addr *out);
int cli_parse_ipv4(struct cmdline *cl, const void *inst, const char *s, rte_be32_t *out);
int cli_parse_u32(struct cmdline *cl, const void *inst, const char *s, uint32_t min,
		uint32_t max, const char *what, uint32_t *out);

/** The VNI index of a parsed VNI served here, or reports it and returns -ENOENT. */
int cli_vni_index(struct cmdline *cl, const void *inst, uint32_t vni);

/**
 * The port index named by name (CLI_PORT_* flags say which names are accepted), or reports
 * it and returns -ENOENT. "all" gives VS_MAX_PORTS when CLI_PORT_ALL is set.
 */
int cli_port_index(struct cmdline *cl, const void *inst, const char *name,
		unsigned int flags);

/** Copy s into buf for printing: non-printable bytes become '?', long strings are cut. */
const char *cli_sanitize(const char *s, char *buf, size_t len);

/** Run the commands of a file in the session of cl. @return how many failed, or -errno. */
int cli_run_file(struct cmdline *cl, const char *path);

/** The session of cl ends after this command (quit/exit); the terminal's ends vseal. */
void cli_session_quit(struct cmdline *cl);

/* ---- between cli.c and cli_session.c ---- */

/** Listen on the control socket at path. @return 0 or -errno with err set. */
int cli_server_create(struct vs_cli *cli, const char *path, char *err, size_t errlen);

/** Close every session and the socket, restore the terminal. */
void cli_server_destroy(struct vs_cli *cli);

/** Explain why line matched no command (the fallback instance's callback). */
void cli_explain(struct cmdline *cl, const char *line);

#endif /* VS_CLI_INTERNAL_H */
