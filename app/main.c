/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vseal: EAL start, configuration, ports, lcores. The only file that exits the process.
 *
 *   vseal [EAL options] -- -f CONFIG [-i] [--cmdline-file FILE]
 *
 * Exit status: 0 after a clean shutdown (SIGINT/SIGTERM), 2 for a usage or configuration
 * error (before any port is touched), 1 when a port or lcore cannot be set up.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pdump.h>

#include "vs_cli.h"
#include "vs_config.h"
#include "vs_dp.h"
#include "vs_eal_files.h"
#include "vs_log.h"
#include "vs_telemetry.h"

#define EXIT_USAGE 2

static volatile sig_atomic_t got_quit;
static volatile sig_atomic_t got_dump;
static struct vs_eal_files eal_files;

/* Options after EAL's. */
struct app_opts {
	const char *config;
	const char *cmdline_file;   /* --cmdline-file: commands run at start */
	bool interactive;           /* -i: vseal> prompt on the terminal */
};

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_dump = 1;
	else
		got_quit = 1;
}

/* EAL cleanup plus the files DPDK 22.11 leaves behind. */
static void
eal_cleanup(void)
{
	rte_eal_cleanup();
	vs_eal_files_remove(&eal_files);
}

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [EAL options] -- -f CONFIG [-i] [--cmdline-file FILE]\n"
		"  -f, --config FILE        INI configuration (docs/configuration.md)\n"
		"  -i, --interactive        vseal> prompt on this terminal (quit stops vseal)\n"
		"  --cmdline-file FILE      run the CLI commands of FILE at start (docs/cli.md)\n"
		"  -h, --help               this text\n"
		"\n"
		"The uplink is any DPDK device named by [uplink] device: a PCI address\n"
		"(0000:3b:00.0, bound to vfio-pci) or a vdev string (net_af_packet0,iface=eth1).\n"
		"Each [guest.NAME] is a vhost-user port: mode = client (default) connects to a\n"
		"socket QEMU owns (-chardev socket,path=SOCK,server=on) and reconnects when it\n"
		"goes away; mode = server creates the socket for QEMU to connect to.\n"
		"The control socket ([host] ctl-socket) takes the same commands from vseal-ctl.\n"
		"Signals: SIGINT/SIGTERM stop cleanly, SIGUSR1 prints the counters.\n"
		"Exit status: 0 clean stop, 1 port/lcore setup failed, 2 usage or config error.\n",
		prog);
}

static void
die_usage(const char *prog, const char *msg)
{
	if (msg != NULL)
		fprintf(stderr, "vseal: %s\n", msg);
	usage(prog);
	eal_cleanup();
	exit(EXIT_USAGE);
}

static void
parse_args(int argc, char **argv, struct app_opts *o)
{
	enum { OPT_CMDLINE_FILE = 256 };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "cmdline-file", required_argument, NULL, OPT_CMDLINE_FILE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "f:ih", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			o->config = optarg;
			break;
		case 'i':
			o->interactive = true;
			break;
		case OPT_CMDLINE_FILE:
			o->cmdline_file = optarg;
			break;
		case 'h':
			usage(argv[0]);
			eal_cleanup();
			exit(0);
		default:
			die_usage(argv[0], "unknown option or missing argument");
		}
	}
	if (optind < argc)
		die_usage(argv[0], "unexpected argument");
	if (o->config == NULL)
		die_usage(argv[0], "no configuration given (-f FILE)");
	if (o->cmdline_file != NULL && access(o->cmdline_file, R_OK) != 0)
		die_usage(argv[0], "cannot read the --cmdline-file");
}

static int
launch(struct vs_dp *dp, const struct vs_config *cfg)
{
	unsigned int i;
	int ret;

	for (i = 0; i < dp->nb_workers; i++) {
		ret = rte_eal_remote_launch(vs_worker_main, &dp->workers[i], dp->workers[i].lcore);
		if (ret != 0) {
			fprintf(stderr, "vseal: cannot launch worker on lcore %u: %s\n",
				dp->workers[i].lcore, strerror(-ret));
			return ret;
		}
	}
	if (cfg->lcores.control != rte_get_main_lcore()) {
		ret = rte_eal_remote_launch(vs_ctrl_main, dp, cfg->lcores.control);
		if (ret != 0) {
			fprintf(stderr, "vseal: cannot launch control on lcore %u: %s\n",
				cfg->lcores.control, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* pdump (for dpdk-dumpcap) and the /vseal/ telemetry endpoints; both best effort. */
static void
observability_start(struct vs_dp *dp)
{
	int ret;

	ret = rte_pdump_init();
	if (ret != 0)
		VS_LOG(WARNING, ctl, "pdump unavailable (dpdk-dumpcap cannot capture): %s",
			rte_strerror(rte_errno));
	ret = vs_telemetry_start(dp);
	if (ret != 0)
		VS_LOG(WARNING, ctl, "telemetry endpoints unavailable: %s", strerror(-ret));
}

static void
observability_stop(void)
{
	vs_telemetry_stop();
	rte_pdump_uninit();
}

int
main(int argc, char **argv)
{
	static struct vs_config cfg;
	static struct vs_dp dp;
	struct vs_cfg_runtime rt;
	struct app_opts opts;
	struct vs_cli *cli;
	char err[VS_ERR_MAX];
	bool ctrl_on_main;
	unsigned int i;
	int ret, status = 0;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "vseal: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return EXIT_USAGE;
	}
	vs_eal_files_save(&eal_files);
	argc -= ret;
	argv += ret;
	argv[0] = (char *)"vseal";
	parse_args(argc, argv, &opts);

	if (vs_config_load(opts.config, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		eal_cleanup();
		return EXIT_USAGE;
	}
	memset(&rt, 0, sizeof(rt));
	rt.main_lcore = rte_get_main_lcore();
	for (i = 0; i < RTE_MAX_LCORE; i++)
		rt.lcore_enabled[i] = rte_lcore_is_enabled(i);
	if (vs_config_validate(&cfg, &rt, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		eal_cleanup();
		return EXIT_USAGE;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGUSR1, on_signal);

	/* Before any port: a control socket in use means another vseal runs this config. */
	cli = vs_cli_create(&dp, &cfg, err, sizeof(err));
	if (cli == NULL) {
		fprintf(stderr, "vseal: %s\n", err);
		eal_cleanup();
		return 1;
	}
	if (vs_dp_init(&dp, &cfg, err, sizeof(err)) != 0 ||
			vs_dp_start(&dp, err, sizeof(err)) != 0) {
		fprintf(stderr, "vseal: %s\n", err);
		status = 1;
		goto out;
	}
	if (launch(&dp, &cfg) != 0) {
		status = 1;
		vs_dp_stop(&dp);
		goto wait;
	}
	printf("vseal: running: %u port(s), %u worker(s), control on lcore %u\n",
		dp.nb_ports, dp.nb_workers, cfg.lcores.control);
	fflush(stdout);
	observability_start(&dp);
	if (vs_cli_start(cli, opts.cmdline_file, opts.interactive, err, sizeof(err)) != 0) {
		fprintf(stderr, "vseal: %s\n", err);
		status = 1;
		got_quit = 1;
	}

	ctrl_on_main = cfg.lcores.control == rte_get_main_lcore();
	while (!got_quit && !vs_cli_quit_requested(cli)) {
		if (ctrl_on_main)
			vs_ctrl_poll(&dp);
		if (got_dump) {
			got_dump = 0;
			vs_dp_stats_print(&dp, stdout);
		}
		/* Serves the prompt and the control socket; waits up to 1 ms for input. */
		vs_cli_poll(cli, 1);
	}
	VS_LOG(INFO, ctl, "stopping");
	vs_dp_stop(&dp);
	observability_stop();
wait:
	rte_eal_mp_wait_lcore();
	vs_dp_stats_print(&dp, stdout);
out:
	vs_cli_destroy(cli);
	vs_dp_fini(&dp);
	eal_cleanup();
	return status;
}
