/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vseal's command line (librte_cmdline, testpmd style), as app/main.c uses it: the
 * terminal prompt (-i), a command file run at start (--cmdline-file), and the control
 * socket that vseal-ctl connects to. Everything runs on the main lcore and never blocks it:
 * vs_cli_poll() waits in poll(2) for at most the time it is given, reads what input is
 * there, runs complete command lines and sends their output without waiting for a slow
 * reader.
 *
 * Commands that read or change control state go through vs_ctrl_call() (see vs_ops.h), so
 * they are safe whether the control lcore is the main lcore or another one.
 */
#ifndef VS_CLI_H
#define VS_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "vs_config.h"
#include "vs_dp.h"

/** Default control socket when [host] ctl-socket is empty. */
#define VS_CLI_DEFAULT_SOCKET "/run/vseal/vseal.ctl"

struct vs_cli;

/**
 * Create the CLI for dp and cfg (dp need not be initialised yet: nothing reads it before
 * vs_cli_start()) and listen on the control socket cfg->host.ctl_socket (its directory is
 * created when missing; a stale socket nobody answers on is replaced; one in use is an
 * error). SIGPIPE is ignored from here on: a client that goes away is not a reason to die.
 * @return the CLI, or NULL with one line in err.
 */
struct vs_cli *vs_cli_create(struct vs_dp *dp, const struct vs_config *cfg, char *err,
		size_t errlen);

/**
 * Start serving: run the command file (when not NULL; its output goes to stdout), then open
 * the terminal prompt when interactive. Call once the lcores run.
 * @return 0, or -errno when the command file cannot be read (err says why). Commands of
 *   the file that fail are reported and do not stop it.
 */
int vs_cli_start(struct vs_cli *cli, const char *cmdline_file, bool interactive, char *err,
		size_t errlen);

/**
 * Serve the terminal and the control socket: wait up to timeout_ms for input (poll(2)),
 * then do a bounded amount of work. Call from the main lcore's loop.
 */
void vs_cli_poll(struct vs_cli *cli, int timeout_ms);

/** True once `quit` was given at the terminal or in the start file (or the terminal hit EOF). */
bool vs_cli_quit_requested(const struct vs_cli *cli);

/** Close every session and the socket (removing its file), restore the terminal, free. */
void vs_cli_destroy(struct vs_cli *cli);

#endif /* VS_CLI_H */
