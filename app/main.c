/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vseal: EAL start, configuration, ports, lcores. The only file that exits the process.
 *
 *   vseal [EAL options] -- -f CONFIG
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

#include "vs_config.h"
#include "vs_dp.h"
#include "vs_eal_files.h"
#include "vs_log.h"

#define EXIT_USAGE 2

static volatile sig_atomic_t got_quit;
static volatile sig_atomic_t got_dump;
static struct vs_eal_files eal_files;

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
		"usage: %s [EAL options] -- -f CONFIG\n"
		"  -f, --config FILE   INI configuration (docs/configuration.md)\n"
		"  -h, --help          this text\n"
		"\n"
		"The uplink is any DPDK device named by [uplink] device: a PCI address\n"
		"(0000:3b:00.0, bound to vfio-pci) or a vdev string (net_af_packet0,iface=eth1).\n"
		"Each [guest.NAME] is a vhost-user port: mode = client (default) connects to a\n"
		"socket QEMU owns (-chardev socket,path=SOCK,server=on) and reconnects when it\n"
		"goes away; mode = server creates the socket for QEMU to connect to.\n"
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

static const char *
parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL;
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			config = optarg;
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
	if (config == NULL)
		die_usage(argv[0], "no configuration given (-f FILE)");
	return config;
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

int
main(int argc, char **argv)
{
	static struct vs_config cfg;
	static struct vs_dp dp;
	struct vs_cfg_runtime rt;
	char err[VS_ERR_MAX];
	const char *path;
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
	path = parse_args(argc, argv);

	if (vs_config_load(path, &cfg, err, sizeof(err)) != 0) {
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

	ctrl_on_main = cfg.lcores.control == rte_get_main_lcore();
	while (!got_quit) {
		if (ctrl_on_main)
			vs_ctrl_poll(&dp);
		if (got_dump) {
			got_dump = 0;
			vs_dp_stats_print(&dp, stdout);
		}
		rte_delay_us_sleep(1000);
	}
	VS_LOG(INFO, ctl, "stopping");
	vs_dp_stop(&dp);
wait:
	rte_eal_mp_wait_lcore();
	vs_dp_stats_print(&dp, stdout);
out:
	vs_dp_fini(&dp);
	eal_cleanup();
	return status;
}
