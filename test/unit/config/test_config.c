/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/config: vs_config_load() and vs_config_validate() on INI files written to
 * /tmp. A full config checks every parsed value, a minimal one every default, and a table of
 * bad configs checks that each is refused with one line naming the file, section and key.
 * No EAL needed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>

#include "vs_config.h"
#include "vs_parse.h"

static struct vs_config cfg;
static char path[64];
static char err[VS_ERR_MAX];

/* Writes text to a new file under /tmp; its name is left in path. */
static int
write_cfg(const char *text)
{
	size_t len = strlen(text);
	int fd;

	snprintf(path, sizeof(path), "/tmp/vseal-cfg-test-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return -EIO;
	}
	close(fd);
	return 0;
}

static int
load_text(const char *text)
{
	int ret;

	memset(err, 0, sizeof(err));
	if (write_cfg(text) < 0)
		return -EIO;
	ret = vs_config_load(path, &cfg, err, sizeof(err));
	unlink(path);
	return ret;
}

/* EAL as the tests pretend it is: lcores 0-3, main lcore 0. */
static void
runtime(struct vs_cfg_runtime *rt)
{
	unsigned int i;

	memset(rt, 0, sizeof(*rt));
	rt->main_lcore = 0;
	for (i = 0; i < 4; i++)
		rt->lcore_enabled[i] = true;
}

static uint32_t
ip_host(rte_be32_t ip)
{
	return rte_be_to_cpu_32(ip);
}

static bool
mac_is(const struct rte_ether_addr *mac, const char *s)
{
	struct rte_ether_addr want;

	return vs_parse_mac(s, &want) == 0 && rte_is_same_ether_addr(mac, &want);
}

static bool
pq_is(const struct vs_cfg_worker *w, unsigned int i, uint16_t port, uint16_t queue)
{
	return i < w->nb_pq && w->pq[i].port == port && w->pq[i].queue == queue;
}

/* ---- a full config: every key set to something other than its default ---------------- */

static const char full_cfg[] =
	"; vseal test configuration\n"
	"\n"
	"[host]\n"
	"vtep-ip    = 10.0.0.1      ; our address\n"
	"vxlan-port = 8472\n"
	"learning   = off\n"
	"aging      = 0\n"
	"guest-bdp-kb = 8192\n"
	"locations  = 1000000\n"
	"ctl-socket = /tmp/vseal-test.ctl\n"
	"\n"
	"[uplink]\n"
	"device  = net_pcap0,iface=eth0\n"
	"prefix  = 16\n"
	"gateway = 10.0.255.254\n"
	"mtu     = 9000\n"
	"queues  = 2\n"
	"gro     = off\n"
	"segmentation = software\n"
	"\n"
	"[guest.vm1]\n"
	"socket = /run/vseal/vm1.sock\n"
	"mode   = server\n"
	"vni    = 100\n"
	"mac    = 52:54:00:AB:cd:01\n"
	"queues = 2\n"
	"mtu    = 9000\n"
	"\n"
	"[guest.vm-2_b]\n"
	"\tsocket\t=\t/run/vseal/vm2.sock\n"
	"vni = 200\n"
	"mac = 52:54:00:00:00:02\n"
	"\n"
	"[guest.vm3]\n"
	"mode   = client\n"
	"socket = /run/vseal/vm3.sock\n"
	"vni    = 16777215\n"
	"mac    = 52:54:00:ab:cd:01      ; same MAC as vm1, other VNI: allowed\n"
	"mtu    = 65000\n"
	"\n"
	"[vni.200]\n"
	"flood    = 10.0.0.2   10.0.0.3\t192.168.1.1\n"
	"fragment = on\n"
	"\n"
	"[vni.50]\n"
	"fragment = yes\n"
	"\n"
	"[location.100]\n"
	"52:54:00:00:09:01 = 10.0.0.9\n"
	"52:54:00:00:09:02 = 172.16.0.1\n"
	"\n"
	"[neigh]\n"
	"10.0.0.2 = 02:00:00:00:00:02\n"
	"10.0.255.254 = 02:00:00:00:00:fe\n"
	"\n"
	"[lcores]\n"
	"main       = 0\n"
	"control    = 1\n"
	"idle-sleep = 50\n"
	"worker.2   = uplink:0 vm1 vm-2_b\n"
	"worker.3   = uplink:1 vm3\n";

static void
test_full(void)
{
	const struct vs_cfg_guest *g;
	const struct vs_cfg_vni *v;
	const struct vs_cfg_worker *w;
	struct vs_cfg_runtime rt;
	int ret;

	ret = load_text(full_cfg);
	if (ret != 0)
		printf("\n  %s\n", err);
	CU_ASSERT_FATAL(ret == 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_STRING_EQUAL(cfg.path, path);

	CU_ASSERT(ip_host(cfg.host.vtep_ip) == 0x0a000001);
	CU_ASSERT(cfg.host.vxlan_port == 8472);
	CU_ASSERT(cfg.host.learning == false);
	CU_ASSERT(cfg.host.aging == 0);
	CU_ASSERT(cfg.host.guest_bdp_kb == 8192);
	CU_ASSERT(cfg.host.locations == 1000000);
	CU_ASSERT_STRING_EQUAL(cfg.host.ctl_socket, "/tmp/vseal-test.ctl");

	CU_ASSERT_STRING_EQUAL(cfg.uplink.device, "net_pcap0,iface=eth0");
	CU_ASSERT(cfg.uplink.prefix == 16);
	CU_ASSERT(cfg.uplink.has_gateway);
	CU_ASSERT(ip_host(cfg.uplink.gateway) == 0x0a00fffe);
	CU_ASSERT(cfg.uplink.mtu == 9000);
	CU_ASSERT(cfg.uplink.queues == 2);
	CU_ASSERT(!cfg.uplink.gro);
	CU_ASSERT(cfg.uplink.sw_segmentation);

	CU_ASSERT_FATAL(cfg.nb_guests == 3);
	g = &cfg.guests[0];
	CU_ASSERT_STRING_EQUAL(g->name, "vm1");
	CU_ASSERT_STRING_EQUAL(g->socket, "/run/vseal/vm1.sock");
	CU_ASSERT(g->mode == VS_VHOST_SERVER);
	CU_ASSERT(g->vni == 100);
	CU_ASSERT(mac_is(&g->mac, "52:54:00:ab:cd:01"));
	CU_ASSERT(g->queues == 2);
	CU_ASSERT(g->mtu == 9000);
	g = &cfg.guests[1];
	CU_ASSERT_STRING_EQUAL(g->name, "vm-2_b");
	CU_ASSERT_STRING_EQUAL(g->socket, "/run/vseal/vm2.sock");
	CU_ASSERT(g->mode == VS_VHOST_CLIENT);
	CU_ASSERT(g->vni == 200);
	CU_ASSERT(mac_is(&g->mac, "52:54:00:00:00:02"));
	CU_ASSERT(g->queues == 1);
	CU_ASSERT(g->mtu == 1500);
	g = &cfg.guests[2];
	CU_ASSERT_STRING_EQUAL(g->name, "vm3");
	CU_ASSERT(g->mode == VS_VHOST_CLIENT);
	CU_ASSERT(g->vni == 16777215);
	CU_ASSERT(mac_is(&g->mac, "52:54:00:AB:CD:01"));
	CU_ASSERT(g->queues == 1);
	CU_ASSERT(g->mtu == 65000);

	/* [vni.50], [vni.200] and the guests' VNIs 100 and 16777215, sorted */
	CU_ASSERT_FATAL(cfg.nb_vnis == 4);
	CU_ASSERT(cfg.vnis[0].vni == 50);
	CU_ASSERT(cfg.vnis[1].vni == 100);
	CU_ASSERT(cfg.vnis[2].vni == 200);
	CU_ASSERT(cfg.vnis[3].vni == 16777215);
	v = vs_config_vni(&cfg, 50);
	CU_ASSERT_FATAL(v != NULL);
	CU_ASSERT(v->fragment == true);
	CU_ASSERT(v->nb_flood == 0);
	v = vs_config_vni(&cfg, 100);
	CU_ASSERT_FATAL(v != NULL);
	CU_ASSERT(v->fragment == false);
	CU_ASSERT(v->nb_flood == 0);
	v = vs_config_vni(&cfg, 200);
	CU_ASSERT_FATAL(v != NULL);
	CU_ASSERT(v->fragment == true);
	CU_ASSERT_FATAL(v->nb_flood == 3);
	CU_ASSERT(ip_host(v->flood[0]) == 0x0a000002);
	CU_ASSERT(ip_host(v->flood[1]) == 0x0a000003);
	CU_ASSERT(ip_host(v->flood[2]) == 0xc0a80101);
	v = vs_config_vni(&cfg, 16777215);
	CU_ASSERT_FATAL(v != NULL);
	CU_ASSERT(v->fragment == false);
	CU_ASSERT(vs_config_vni(&cfg, 7) == NULL);

	CU_ASSERT_FATAL(cfg.nb_locations == 2);
	CU_ASSERT(cfg.locations[0].vni == 100);
	CU_ASSERT(mac_is(&cfg.locations[0].mac, "52:54:00:00:09:01"));
	CU_ASSERT(ip_host(cfg.locations[0].vtep_ip) == 0x0a000009);
	CU_ASSERT(cfg.locations[1].vni == 100);
	CU_ASSERT(mac_is(&cfg.locations[1].mac, "52:54:00:00:09:02"));
	CU_ASSERT(ip_host(cfg.locations[1].vtep_ip) == 0xac100001);

	CU_ASSERT_FATAL(cfg.nb_neigh == 2);
	CU_ASSERT(ip_host(cfg.neigh[0].ip) == 0x0a000002);
	CU_ASSERT(mac_is(&cfg.neigh[0].mac, "02:00:00:00:00:02"));
	CU_ASSERT(ip_host(cfg.neigh[1].ip) == 0x0a00fffe);
	CU_ASSERT(mac_is(&cfg.neigh[1].mac, "02:00:00:00:00:FE"));

	CU_ASSERT(cfg.lcores.has_main);
	CU_ASSERT(cfg.lcores.main == 0);
	CU_ASSERT(cfg.lcores.control == 1);
	CU_ASSERT(cfg.lcores.idle_sleep == 50);
	CU_ASSERT_FATAL(cfg.lcores.nb_workers == 2);
	w = &cfg.lcores.workers[0];
	CU_ASSERT(w->lcore == 2);
	CU_ASSERT(w->nb_pq == 4);
	CU_ASSERT(pq_is(w, 0, VS_PORT_UPLINK, 0));
	CU_ASSERT(pq_is(w, 1, 1, 0));
	CU_ASSERT(pq_is(w, 2, 1, 1));
	CU_ASSERT(pq_is(w, 3, 2, 0));
	w = &cfg.lcores.workers[1];
	CU_ASSERT(w->lcore == 3);
	CU_ASSERT(w->nb_pq == 2);
	CU_ASSERT(pq_is(w, 0, VS_PORT_UPLINK, 1));
	CU_ASSERT(pq_is(w, 1, 3, 0));

	CU_ASSERT(vs_config_port_index(&cfg, "uplink") == VS_PORT_UPLINK);
	CU_ASSERT(vs_config_port_index(&cfg, "vm1") == 1);
	CU_ASSERT(vs_config_port_index(&cfg, "vm-2_b") == 2);
	CU_ASSERT(vs_config_port_index(&cfg, "vm3") == 3);
	CU_ASSERT(vs_config_port_index(&cfg, "VM1") == -ENOENT);
	CU_ASSERT(vs_config_port_index(&cfg, "vm4") == -ENOENT);
	CU_ASSERT(vs_config_port_index(&cfg, "") == -ENOENT);
	CU_ASSERT_STRING_EQUAL(vs_config_port_name(&cfg, 0), "uplink");
	CU_ASSERT_STRING_EQUAL(vs_config_port_name(&cfg, 1), "vm1");
	CU_ASSERT_STRING_EQUAL(vs_config_port_name(&cfg, 3), "vm3");
	CU_ASSERT(vs_config_port_name(&cfg, 4) == NULL);

	runtime(&rt);
	ret = vs_config_validate(&cfg, &rt, err, sizeof(err));
	if (ret != 0)
		printf("\n  %s\n", err);
	CU_ASSERT(ret == 0);
}

/* ---- a minimal config: every default ------------------------------------------------------- */

static const char minimal_cfg[] =
	"[host]\r\n"
	"vtep-ip = 192.0.2.1\r\n"
	"[uplink]\r\n"
	"device = net_null0\r\n"
	"[guest.vm1]\r\n"
	"socket = /tmp/vm1.sock\r\n"
	"vni = 100\r\n"
	"mac = 52:54:00:00:01:01\r\n"
	"[lcores]\r\n"
	"control = 0\r\n"
	"worker.1 = uplink vm1\r\n";

static void
test_defaults(void)
{
	struct vs_cfg_runtime rt;
	int ret;

	/* Load the full config first: nothing of it may survive the next load. */
	CU_ASSERT_FATAL(load_text(full_cfg) == 0);
	ret = load_text(minimal_cfg);
	if (ret != 0)
		printf("\n  %s\n", err);
	CU_ASSERT_FATAL(ret == 0);

	CU_ASSERT(ip_host(cfg.host.vtep_ip) == 0xc0000201);
	CU_ASSERT(cfg.host.vxlan_port == 4789);
	CU_ASSERT(cfg.host.learning == true);
	CU_ASSERT(cfg.host.aging == 300);
	CU_ASSERT(cfg.host.guest_bdp_kb == VS_BDP_KB_DEFAULT);
	CU_ASSERT(cfg.host.locations == VS_LOCATIONS_DEFAULT);
	CU_ASSERT_STRING_EQUAL(cfg.host.ctl_socket, "/run/vseal/vseal.ctl");
	CU_ASSERT_STRING_EQUAL(cfg.uplink.device, "net_null0");
	CU_ASSERT(cfg.uplink.prefix == 24);
	CU_ASSERT(cfg.uplink.has_gateway == false);
	CU_ASSERT(cfg.uplink.mtu == 1500);
	CU_ASSERT(cfg.uplink.queues == 1);
	CU_ASSERT(cfg.uplink.gro);
	CU_ASSERT(!cfg.uplink.sw_segmentation);
	CU_ASSERT_FATAL(cfg.nb_guests == 1);
	CU_ASSERT_STRING_EQUAL(cfg.guests[0].name, "vm1");
	CU_ASSERT_STRING_EQUAL(cfg.guests[0].socket, "/tmp/vm1.sock");
	CU_ASSERT(cfg.guests[0].mode == VS_VHOST_CLIENT);
	CU_ASSERT(cfg.guests[0].queues == 1);
	CU_ASSERT(cfg.guests[0].mtu == 1500);
	CU_ASSERT_FATAL(cfg.nb_vnis == 1);
	CU_ASSERT(cfg.vnis[0].vni == 100);
	CU_ASSERT(cfg.vnis[0].fragment == false);
	CU_ASSERT(cfg.vnis[0].nb_flood == 0);
	CU_ASSERT(cfg.nb_locations == 0);
	CU_ASSERT(cfg.nb_neigh == 0);
	CU_ASSERT(cfg.lcores.has_main == false);
	CU_ASSERT(cfg.lcores.control == 0);
	CU_ASSERT(cfg.lcores.idle_sleep == 0);
	CU_ASSERT_FATAL(cfg.lcores.nb_workers == 1);
	CU_ASSERT(cfg.lcores.workers[0].lcore == 1);
	CU_ASSERT(cfg.lcores.workers[0].nb_pq == 2);
	CU_ASSERT(pq_is(&cfg.lcores.workers[0], 0, VS_PORT_UPLINK, 0));
	CU_ASSERT(pq_is(&cfg.lcores.workers[0], 1, 1, 0));

	runtime(&rt);
	CU_ASSERT(vs_config_validate(&cfg, &rt, err, sizeof(err)) == 0);
	/* control may be EAL's main lcore; EAL needs only the lcores the config uses */
	rt.lcore_enabled[2] = false;
	rt.lcore_enabled[3] = false;
	CU_ASSERT(vs_config_validate(&cfg, &rt, err, sizeof(err)) == 0);
}

/* ---- bad configs --------------------------------------------------------------------------- */

#define HOST "[host]\nvtep-ip = 192.0.2.1\n"
#define UPLINK "[uplink]\ndevice = net_null0\n"
#define VM1 "[guest.vm1]\nsocket = /tmp/vm1.sock\nvni = 100\nmac = 52:54:00:00:01:01\n"
#define VM2 "[guest.vm2]\nsocket = /tmp/vm2.sock\nvni = 100\nmac = 52:54:00:00:01:02\n"
#define LCORES "[lcores]\ncontrol = 0\nworker.1 = uplink vm1\n"
#define BASE HOST UPLINK VM1 LCORES

enum stage {
	LOAD,
	VALIDATE,
};

struct bad_case {
	const char *name;
	const char *text;
	enum stage stage;
	const char *section;   /* "[host]", or NULL when the error is about the file or a line */
	const char *key;       /* NULL when the error is about a whole section */
	const char *detail;    /* must appear in the message too */
};

static char long_text[65536];

static const char *
gen_long_device(void)
{
	char dev[301];

	memset(dev, 'a', sizeof(dev) - 1);
	dev[sizeof(dev) - 1] = '\0';
	snprintf(long_text, sizeof(long_text), HOST "[uplink]\ndevice = %s\n" VM1 LCORES, dev);
	return long_text;
}

static const char *
gen_long_socket(void)
{
	char sock[109];

	memset(sock, 's', sizeof(sock) - 1);
	sock[0] = '/';
	sock[sizeof(sock) - 1] = '\0';
	snprintf(long_text, sizeof(long_text),
		HOST UPLINK "[guest.vm1]\nsocket = %s\nvni = 100\nmac = 52:54:00:00:01:01\n" LCORES,
		sock);
	return long_text;
}

static const char *
gen_too_many_guests(void)
{
	size_t off;
	int i;

	off = (size_t)snprintf(long_text, sizeof(long_text), HOST UPLINK LCORES);
	for (i = 1; i <= VS_MAX_GUESTS + 1 && off < sizeof(long_text); i++)
		off += (size_t)snprintf(long_text + off, sizeof(long_text) - off,
			"[guest.vm%d]\nsocket=/tmp/%d\nvni=1\nmac=52:54:00:00:00:%02x\n",
			i, i, i);
	return long_text;
}

static const char *
gen_long_flood(void)
{
	size_t off;
	int i;

	off = (size_t)snprintf(long_text, sizeof(long_text), BASE "[vni.100]\nflood =");
	for (i = 2; i <= VS_MAX_FLOOD + 2; i++)
		off += (size_t)snprintf(long_text + off, sizeof(long_text) - off, " 192.0.2.%d",
			i);
	snprintf(long_text + off, sizeof(long_text) - off, "\n");
	return long_text;
}

/* 1024 static locations and a guest in a table of 1024. */
static const char *
gen_table_too_small(void)
{
	size_t off;
	int i;

	off = (size_t)snprintf(long_text, sizeof(long_text),
		HOST "locations = 1024\n" UPLINK VM1 LCORES "[location.100]\n");
	for (i = 0; i < VS_MAX_STATIC && off < sizeof(long_text); i++)
		off += (size_t)snprintf(long_text + off, sizeof(long_text) - off,
			"52:54:00:aa:%02x:%02x = 192.0.2.9\n", i >> 8, i & 0xff);
	return long_text;
}

struct gen_case {
	const char *(*gen)(void);
	struct bad_case c;
};

static const struct bad_case bad_cases[] = {
	/* the file and its lines */
	{ "line without '='", HOST "vtep-ip 192.0.2.1\n" UPLINK, LOAD, NULL, NULL,
		"line 3: expected '[section]', 'key = value'" },
	{ "'#' is not a comment", "# comment\n" BASE, LOAD, NULL, NULL, "line 1:" },
	{ "section without ']'", "[host\nvtep-ip = 192.0.2.1\n", LOAD, NULL, NULL,
		"line 1: expected a section line" },
	{ "junk after ']'", "[host] x\nvtep-ip = 192.0.2.1\n", LOAD, NULL, NULL, "line 1:" },
	{ "empty section name", BASE "[]\n", LOAD, NULL, NULL, "got '[]'" },
	{ "key before any section", "vtep-ip = 192.0.2.1\n" BASE, LOAD, NULL, NULL,
		"line 1: expected a '[section]' line before the first key" },
	{ "key missing before '='", HOST "= 5\n" UPLINK VM1 LCORES, LOAD, "[host]", NULL,
		"line 3" },
	/* sections and keys */
	{ "unknown section", BASE "[hosts]\nx = 1\n", LOAD, "[hosts]", NULL,
		"unknown section (allowed: [host], [uplink], [guest.NAME]" },
	{ "section names are case-sensitive", BASE "[Neigh]\n", LOAD, "[Neigh]", NULL,
		"unknown section" },
	{ "unknown key in [host]", HOST "vtep_ip = 1.1.1.1\n" UPLINK VM1 LCORES, LOAD,
		"[host]", "vtep_ip",
		"unknown key (allowed: vtep-ip, vxlan-port, learning, aging, ctl-socket, guest-bdp-kb, "
		"locations)" },
	{ "guest-bdp-kb too small", HOST "guest-bdp-kb = 63\n" UPLINK VM1 LCORES, LOAD,
		"[host]", "guest-bdp-kb", "expected kilobytes 64..262144, got '63'" },
	{ "guest-bdp-kb too large", HOST "guest-bdp-kb = 262145\n" UPLINK VM1 LCORES, LOAD,
		"[host]", "guest-bdp-kb", "expected kilobytes 64..262144, got '262145'" },
	{ "locations too small", HOST "locations = 1023\n" UPLINK VM1 LCORES, LOAD,
		"[host]", "locations", "expected entries 1024..16777216, got '1023'" },
	{ "locations too large", HOST "locations = 16777217\n" UPLINK VM1 LCORES, LOAD,
		"[host]", "locations", "expected entries 1024..16777216, got '16777217'" },
	{ "locations with a unit", HOST "locations = 1M\n" UPLINK VM1 LCORES, LOAD,
		"[host]", "locations", "expected entries 1024..16777216, got '1M'" },
	{ "guest-bdp-kb with a unit", HOST "guest-bdp-kb = 2M\n" UPLINK VM1 LCORES, LOAD,
		"[host]", "guest-bdp-kb", "expected kilobytes 64..262144, got '2M'" },
	{ "unknown key in [uplink]", HOST UPLINK "speed = 10G\n" VM1 LCORES, LOAD,
		"[uplink]", "speed", "unknown key (allowed: device, prefix, gateway, mtu, queues, gro, segmentation)" },
	{ "unknown key in [guest]", HOST UPLINK VM1 "vlan = 5\n" LCORES, LOAD,
		"[guest.vm1]", "vlan", "unknown key (allowed: socket, mode, vni, mac" },
	{ "unknown key in [vni]", BASE "[vni.100]\nflood-list = 192.0.2.2\n", LOAD,
		"[vni.100]", "flood-list", "unknown key (allowed: flood, fragment)" },
	{ "unknown key in [lcores]", BASE "workers = 1\n", LOAD, "[lcores]", "workers",
		"unknown key (allowed: control, main, idle-sleep, worker.N)" },
	{ "duplicate key", HOST "aging = 300\naging = 600\n" UPLINK VM1 LCORES, LOAD,
		"[host]", "aging", "duplicate key" },
	{ "duplicate section", BASE VM1, LOAD, "[guest.vm1]", NULL, "duplicate section" },
	{ "duplicate [vni.N] written differently", BASE "[vni.100]\n[vni.0100]\n", LOAD,
		"[vni.0100]", NULL, "duplicate section" },
	{ "duplicate [host]", BASE HOST, LOAD, "[host]", NULL, "duplicate section" },
	/* [host] */
	{ "no [host] section", UPLINK VM1 LCORES, LOAD, "[host]", "vtep-ip",
		"missing (expected" },
	{ "vtep-ip missing", "[host]\naging = 5\n" UPLINK VM1 LCORES, LOAD, "[host]", "vtep-ip",
		"missing (expected" },
	{ "vtep-ip short", "[host]\nvtep-ip = 192.0.2\n" UPLINK VM1 LCORES, LOAD, "[host]",
		"vtep-ip", "expected a unicast IPv4 address (a.b.c.d), got '192.0.2'" },
	{ "vtep-ip multicast", "[host]\nvtep-ip = 224.0.0.1\n" UPLINK VM1 LCORES, LOAD,
		"[host]", "vtep-ip", "got '224.0.0.1'" },
	{ "vtep-ip zero", "[host]\nvtep-ip = 0.0.0.0\n" UPLINK VM1 LCORES, LOAD,
		"[host]", "vtep-ip", "got '0.0.0.0'" },
	{ "vtep-ip empty", "[host]\nvtep-ip =\n" UPLINK VM1 LCORES, LOAD, "[host]", "vtep-ip",
		"got ''" },
	{ "vxlan-port 0", HOST "vxlan-port = 0\n" UPLINK VM1 LCORES, LOAD, "[host]",
		"vxlan-port", "expected a UDP port 1..65535, got '0'" },
	{ "vxlan-port too big", HOST "vxlan-port = 65536\n" UPLINK VM1 LCORES, LOAD, "[host]",
		"vxlan-port", "got '65536'" },
	{ "vxlan-port junk", HOST "vxlan-port = 4789x\n" UPLINK VM1 LCORES, LOAD, "[host]",
		"vxlan-port", "got '4789x'" },
	{ "learning not a bool", HOST "learning = maybe\n" UPLINK VM1 LCORES, LOAD, "[host]",
		"learning", "expected on or off" },
	{ "aging too long", HOST "aging = 86401\n" UPLINK VM1 LCORES, LOAD, "[host]", "aging",
		"0..86400, got '86401'" },
	{ "aging negative", HOST "aging = -1\n" UPLINK VM1 LCORES, LOAD, "[host]", "aging",
		"got '-1'" },
	{ "ctl-socket relative", HOST "ctl-socket = vseal.ctl\n" UPLINK VM1 LCORES, LOAD,
		"[host]", "ctl-socket", "expected an absolute path of at most 107 characters" },
	{ "guest socket is the control socket", HOST UPLINK LCORES
		"[guest.vm1]\nsocket = /run/vseal/vseal.ctl\nvni = 100\nmac = 52:54:00:00:01:01\n",
		LOAD, "[guest.vm1]", "socket", "other than the control socket" },
	/* [uplink] */
	{ "no [uplink] section", HOST VM1 LCORES, LOAD, "[uplink]", "device",
		"missing (expected" },
	{ "device missing", HOST "[uplink]\nmtu = 1500\n" VM1 LCORES, LOAD, "[uplink]", "device",
		"missing (expected" },
	{ "device empty", HOST "[uplink]\ndevice =\n" VM1 LCORES, LOAD, "[uplink]", "device",
		"got ''" },
	{ "prefix 33", HOST UPLINK "prefix = 33\n" VM1 LCORES, LOAD, "[uplink]", "prefix",
		"1..32, got '33'" },
	{ "prefix 0", HOST UPLINK "prefix = 0\n" VM1 LCORES, LOAD, "[uplink]", "prefix",
		"got '0'" },
	{ "gateway not an address", HOST UPLINK "gateway = router\n" VM1 LCORES, LOAD,
		"[uplink]", "gateway", "got 'router'" },
	{ "gateway outside the subnet", HOST UPLINK "gateway = 192.0.3.1\n" VM1 LCORES, LOAD,
		"[uplink]", "gateway", "inside 192.0.2.0/24" },
	{ "gateway is vtep-ip", HOST UPLINK "gateway = 192.0.2.1\n" VM1 LCORES, LOAD,
		"[uplink]", "gateway", "other than vtep-ip 192.0.2.1" },
	{ "gateway before [host] still checked", UPLINK "gateway = 10.9.9.9\n" HOST VM1 LCORES,
		LOAD, "[uplink]", "gateway", "got '10.9.9.9'" },
	{ "uplink mtu too small", HOST UPLINK "mtu = 575\n" VM1 LCORES, LOAD, "[uplink]", "mtu",
		"576..9600, got '575'" },
	{ "uplink mtu too big", HOST UPLINK "mtu = 9601\n" VM1 LCORES, LOAD, "[uplink]", "mtu",
		"got '9601'" },
	{ "uplink gro not a bool", HOST UPLINK "gro = maybe\n" VM1 LCORES, LOAD, "[uplink]", "gro",
		"got 'maybe'" },
	{ "uplink segmentation unknown", HOST UPLINK "segmentation = nic\n" VM1 LCORES, LOAD,
		"[uplink]", "segmentation", "expected 'auto' or 'software', got 'nic'" },
	{ "uplink queues 0", HOST UPLINK "queues = 0\n" VM1 LCORES, LOAD, "[uplink]", "queues",
		"1..8, got '0'" },
	{ "uplink queues 9", HOST UPLINK "queues = 9\n" VM1 LCORES, LOAD, "[uplink]", "queues",
		"got '9'" },
	/* [guest.NAME] */
	{ "guest called uplink", BASE "[guest.uplink]\n", LOAD, "[guest.uplink]", NULL,
		"not 'uplink' or 'all', got 'uplink'" },
	{ "guest called all", BASE "[guest.all]\n", LOAD, "[guest.all]", NULL, "got 'all'" },
	{ "guest called ALL", BASE "[guest.ALL]\n", LOAD, "[guest.ALL]", NULL, "got 'ALL'" },
	{ "guest name with a dot", BASE "[guest.vm.1]\n", LOAD, "[guest.vm.1]", NULL,
		"got 'vm.1'" },
	{ "guest name empty", BASE "[guest.]\n", LOAD, "[guest.]", NULL, "got ''" },
	{ "guest name 32 characters", BASE "[guest.abcdefghijklmnopqrstuvwxyz012345]\n", LOAD,
		"[guest.abcdefghijklmnopqrstuvwxyz012345]", NULL, "1..31 characters" },
	{ "socket missing", HOST UPLINK "[guest.vm1]\nvni = 100\nmac = 52:54:00:00:01:01\n"
		LCORES, LOAD, "[guest.vm1]", "socket", "missing (expected" },
	{ "socket relative", HOST UPLINK "[guest.vm1]\nsocket = vm1.sock\nvni = 100\n"
		"mac = 52:54:00:00:01:01\n" LCORES, LOAD, "[guest.vm1]", "socket",
		"expected an absolute path of at most 107 characters, got 'vm1.sock'" },
	{ "mode wrong", HOST UPLINK VM1 "mode = both\n" LCORES, LOAD, "[guest.vm1]", "mode",
		"expected client or server, got 'both'" },
	{ "vni missing", HOST UPLINK "[guest.vm1]\nsocket = /tmp/a\nmac = 52:54:00:00:01:01\n"
		LCORES, LOAD, "[guest.vm1]", "vni", "missing (expected a VNI" },
	{ "vni 25 bits", HOST UPLINK "[guest.vm1]\nsocket = /tmp/a\nvni = 16777216\n"
		"mac = 52:54:00:00:01:01\n" LCORES, LOAD, "[guest.vm1]", "vni",
		"0..16777215, got '16777216'" },
	{ "mac missing", HOST UPLINK "[guest.vm1]\nsocket = /tmp/a\nvni = 100\n" LCORES, LOAD,
		"[guest.vm1]", "mac", "missing (expected" },
	{ "mac multicast", HOST UPLINK "[guest.vm1]\nsocket = /tmp/a\nvni = 100\n"
		"mac = 01:00:5e:00:00:01\n" LCORES, LOAD, "[guest.vm1]", "mac",
		"expected a unicast, non-zero MAC address" },
	{ "mac zero", HOST UPLINK "[guest.vm1]\nsocket = /tmp/a\nvni = 100\n"
		"mac = 00:00:00:00:00:00\n" LCORES, LOAD, "[guest.vm1]", "mac",
		"got '00:00:00:00:00:00'" },
	{ "mac with dashes", HOST UPLINK "[guest.vm1]\nsocket = /tmp/a\nvni = 100\n"
		"mac = 52-54-00-00-01-01\n" LCORES, LOAD, "[guest.vm1]", "mac",
		"got '52-54-00-00-01-01'" },
	{ "guest queues 9", HOST UPLINK VM1 "queues = 9\n" LCORES, LOAD, "[guest.vm1]",
		"queues", "1..8, got '9'" },
	{ "guest mtu 67", HOST UPLINK VM1 "mtu = 67\n" LCORES, LOAD, "[guest.vm1]", "mtu",
		"68..65000, got '67'" },
	{ "guest mtu 65001", HOST UPLINK VM1 "mtu = 65001\n" LCORES, LOAD, "[guest.vm1]", "mtu",
		"got '65001'" },
	{ "same MAC twice in a VNI", BASE "[guest.vm2]\nsocket = /tmp/vm2.sock\nvni = 100\n"
		"mac = 52:54:00:00:01:01\n", LOAD, "[guest.vm2]", "mac",
		"also [guest.vm1]" },
	{ "same socket twice", BASE "[guest.vm2]\nsocket = /tmp/vm1.sock\nvni = 200\n"
		"mac = 52:54:00:00:01:02\n", LOAD, "[guest.vm2]", "socket",
		"got '/tmp/vm1.sock' (also [guest.vm1])" },
	/* [vni.N] */
	{ "vni section 25 bits", BASE "[vni.16777216]\n", LOAD, "[vni.16777216]", NULL,
		"expected [vni.N] with N a VNI 0..16777215, got '16777216'" },
	{ "vni section not a number", BASE "[vni.blue]\n", LOAD, "[vni.blue]", NULL,
		"got 'blue'" },
	{ "flood not an address", BASE "[vni.100]\nflood = 192.0.2.2 192.0.2.x\n", LOAD,
		"[vni.100]", "flood", "got '192.0.2.x'" },
	{ "flood comma-separated", BASE "[vni.100]\nflood = 192.0.2.2,192.0.2.3\n", LOAD,
		"[vni.100]", "flood", "space-separated list" },
	{ "flood multicast", BASE "[vni.100]\nflood = 239.1.1.1\n", LOAD, "[vni.100]", "flood",
		"got '239.1.1.1'" },
	{ "flood twice", BASE "[vni.100]\nflood = 192.0.2.2 192.0.2.3 192.0.2.2\n", LOAD,
		"[vni.100]", "flood", "got '192.0.2.2' twice" },
	{ "flood to ourselves", BASE "[vni.100]\nflood = 192.0.2.2 192.0.2.1\n", LOAD,
		"[vni.100]", "flood", "not this host's vtep-ip, got '192.0.2.1'" },
	{ "flood off-subnet without gateway", BASE "[vni.100]\nflood = 10.1.1.1\n", LOAD,
		"[vni.100]", "flood", "no gateway" },
	{ "fragment not a bool", BASE "[vni.100]\nfragment = sometimes\n", LOAD, "[vni.100]",
		"fragment", "got 'sometimes'" },
	/* [location.N] */
	{ "location VNI not a number", BASE "[location.x]\n", LOAD, "[location.x]", NULL,
		"got 'x'" },
	{ "location key not a MAC", BASE "[location.100]\n52:54:00:00:02 = 192.0.2.2\n", LOAD,
		"[location.100]", "52:54:00:00:02", "expected 'MAC = VTEP-IP'" },
	{ "location broadcast MAC", BASE "[location.100]\nff:ff:ff:ff:ff:ff = 192.0.2.2\n",
		LOAD, "[location.100]", "ff:ff:ff:ff:ff:ff", "unicast" },
	{ "location IP bad", BASE "[location.100]\n52:54:00:00:02:01 = 192.0.2.256\n", LOAD,
		"[location.100]", "52:54:00:00:02:01", "got '192.0.2.256'" },
	{ "location to ourselves", BASE "[location.100]\n52:54:00:00:02:01 = 192.0.2.1\n",
		LOAD, "[location.100]", "52:54:00:00:02:01", "not this host's vtep-ip" },
	{ "location MAC twice", BASE "[location.100]\n52:54:00:00:02:0a = 192.0.2.2\n"
		"52:54:00:00:02:0A = 192.0.2.3\n", LOAD, "[location.100]", "52:54:00:00:02:0A",
		"duplicate key" },
	{ "location on an unknown VNI", BASE "[location.300]\n52:54:00:00:02:01 = 192.0.2.2\n",
		LOAD, "[location.300]", NULL, "expected a VNI served here" },
	{ "location of a local guest", BASE "[location.100]\n52:54:00:00:01:01 = 192.0.2.2\n",
		LOAD, "[location.100]", "52:54:00:00:01:01", "[guest.vm1]" },
	/* [neigh] */
	{ "neigh key not an address", BASE "[neigh]\ngw = 02:00:00:00:00:01\n", LOAD, "[neigh]",
		"gw", "expected 'IPv4 = MAC'" },
	{ "neigh MAC bad", BASE "[neigh]\n192.0.2.2 = 02:00:00:00:00\n", LOAD, "[neigh]",
		"192.0.2.2", "got '02:00:00:00:00'" },
	{ "neigh outside the subnet", BASE "[neigh]\n10.0.0.2 = 02:00:00:00:00:01\n", LOAD,
		"[neigh]", "10.0.0.2", "inside 192.0.2.0/24" },
	{ "neigh twice", BASE "[neigh]\n192.0.2.2 = 02:00:00:00:00:01\n"
		"192.0.2.2 = 02:00:00:00:00:02\n", LOAD, "[neigh]", "192.0.2.2", "duplicate key" },
	/* [lcores] */
	{ "no [lcores] section", HOST UPLINK VM1, LOAD, "[lcores]", "control",
		"missing (expected" },
	{ "control missing", HOST UPLINK VM1 "[lcores]\nworker.1 = uplink vm1\n", LOAD,
		"[lcores]", "control", "missing (expected" },
	{ "control too big", HOST UPLINK VM1 "[lcores]\ncontrol = 128\nworker.1 = uplink vm1\n",
		LOAD, "[lcores]", "control", "0..127, got '128'" },
	{ "main not a number", BASE "main = first\n", LOAD, "[lcores]", "main",
		"got 'first'" },
	{ "idle-sleep too long", BASE "idle-sleep = 100001\n", LOAD, "[lcores]", "idle-sleep",
		"0..100000, got '100001'" },
	{ "no worker", HOST UPLINK VM1 "[lcores]\ncontrol = 0\n", LOAD, "[lcores]", "worker.N",
		"missing (expected at least one" },
	{ "worker.N not a number", BASE "worker.two = vm1\n", LOAD, "[lcores]", "worker.two",
		"expected worker.N with N an lcore id" },
	{ "worker.N too big", BASE "worker.128 = vm1\n", LOAD, "[lcores]", "worker.128",
		"0..127" },
	{ "worker lcore twice", BASE "worker.01 = vm1\n", LOAD, "[lcores]", "worker.01",
		"duplicate key" },
	{ "worker is the control lcore", HOST UPLINK VM1
		"[lcores]\nworker.0 = uplink vm1\ncontrol = 0\n", LOAD, "[lcores]", "worker.0",
		"other than the control lcore 0" },
	{ "worker is the main lcore", HOST UPLINK VM1
		"[lcores]\nmain = 2\ncontrol = 0\nworker.1 = uplink\nworker.2 = vm1\n", LOAD,
		"[lcores]", "worker.2", "other than the main lcore 2" },
	{ "worker with no ports", BASE "worker.2 =\n", LOAD, "[lcores]", "worker.2",
		"expected a list of ports" },
	{ "worker polls an unknown port", BASE "worker.2 = vm9\n", LOAD, "[lcores]", "worker.2",
		"got 'vm9'" },
	{ "worker port before its guest", HOST UPLINK LCORES "worker.2 = vm2\n" VM1, LOAD,
		"[lcores]", "worker.2", "got 'vm2'" },
	{ "worker queue out of range", BASE "worker.2 = vm1:1\n", LOAD, "[lcores]", "worker.2",
		"expected a queue 0..0 of port vm1, got 'vm1:1'" },
	{ "worker queue not a number", BASE "worker.2 = uplink:x\n", LOAD, "[lcores]",
		"worker.2", "got 'uplink:x'" },
	{ "worker lists a queue twice", HOST UPLINK VM1
		"[lcores]\ncontrol = 0\nworker.1 = uplink vm1 vm1:0\n", LOAD, "[lcores]",
		"worker.1", "got 'vm1:0' (vm1:0 is already listed)" },
	/* vs_config_validate(): EAL runs lcores 0-3, main lcore 0 */
	{ "worker lcore not given to EAL", HOST UPLINK VM1
		"[lcores]\ncontrol = 0\nworker.1 = uplink\nworker.5 = vm1\n", VALIDATE,
		"[lcores]", "worker.5", "expected an lcore given to EAL (it has 0-3), got '5'" },
	{ "control lcore not given to EAL", HOST UPLINK VM1
		"[lcores]\ncontrol = 9\nworker.1 = uplink vm1\n", VALIDATE, "[lcores]", "control",
		"(it has 0-3), got '9'" },
	{ "main is not EAL's main", BASE "main = 3\n", VALIDATE, "[lcores]", "main",
		"expected EAL's main lcore 0, got '3'" },
	{ "worker on EAL's main lcore", HOST UPLINK VM1
		"[lcores]\ncontrol = 1\nworker.0 = uplink vm1\n", VALIDATE, "[lcores]", "worker.0",
		"other than EAL's main lcore 0" },
	{ "duplicate [lcores]", BASE "[lcores]\n", LOAD, "[lcores]", NULL, "duplicate section" },
	{ "queue polled twice", HOST UPLINK VM1 VM2
		"[lcores]\ncontrol = 0\nworker.1 = uplink vm1\nworker.2 = vm2 vm1\n", VALIDATE,
		"[lcores]", "worker.2", "got 'vm1:0' (already polled by worker.1)" },
	{ "queue polled by none", HOST UPLINK VM1 VM2
		"[lcores]\ncontrol = 0\nworker.1 = uplink vm1\n", VALIDATE, "[lcores]", "worker.*",
		"got 'vm2:0' polled by none" },
	{ "uplink queue polled by none", HOST UPLINK "queues = 2\n" VM1
		"[lcores]\ncontrol = 0\nworker.1 = uplink:0 vm1\n", VALIDATE, "[lcores]",
		"worker.*", "got 'uplink:1' polled by none" },
};

static const struct gen_case gen_cases[] = {
	{ gen_long_device, { "device longer than a value may be", NULL, LOAD, "[uplink]",
		"device", "at most 255 characters" } },
	{ gen_long_socket, { "socket path 108 characters", NULL, LOAD, "[guest.vm1]", "socket",
		"at most 107 characters" } },
	{ gen_table_too_small, { "locations fewer than guests + static", NULL, LOAD, "[host]",
		"locations", "expected at least 1025 entries (this file's 1 guests + 1024 static "
		"locations), got 1024" } },
	{ gen_too_many_guests, { "65 guests", NULL, LOAD, "[guest.vm65]", NULL,
		"at most 64 guests" } },
	/* 33 addresses (VS_MAX_FLOOD + 1) never fit in one rte_cfgfile value */
	{ gen_long_flood, { "33 flood VTEPs", NULL, LOAD, "[vni.100]", "flood",
		"expected a value of at most 255 characters" } },
};

static unsigned int nb_checked;

/* Runs one bad case; prints what went wrong, returns whether it behaved. */
static bool
run_bad(const struct bad_case *bc, const char *text)
{
	struct vs_cfg_runtime rt;
	char want[160];
	int ret;
	bool ok = true;

	ret = load_text(text);
	if (bc->stage == VALIDATE) {
		if (ret != 0) {
			printf("\n  [%s] load failed before validate: %s", bc->name, err);
			return false;
		}
		runtime(&rt);
		memset(err, 0, sizeof(err));
		ret = vs_config_validate(&cfg, &rt, err, sizeof(err));
	}
	if (ret != -EINVAL) {
		printf("\n  [%s] returned %d, want -EINVAL (%s)", bc->name, ret, err);
		return false;
	}
	if (strncmp(err, path, strlen(path)) != 0 || strncmp(err + strlen(path), ": ", 2) != 0) {
		printf("\n  [%s] message does not start with 'FILE: ': %s", bc->name, err);
		ok = false;
	}
	if (strchr(err, '\n') != NULL || strlen(err) < strlen(path) + 10) {
		printf("\n  [%s] message is not one line: %s", bc->name, err);
		ok = false;
	}
	if (bc->section != NULL) {
		if (bc->key != NULL)
			snprintf(want, sizeof(want), "%s: %s %s: ", path, bc->section, bc->key);
		else
			snprintf(want, sizeof(want), "%s: %s: ", path, bc->section);
		if (strstr(err, want) == NULL) {
			printf("\n  [%s] message lacks '%s': %s", bc->name, want, err);
			ok = false;
		}
	}
	if (strstr(err, bc->detail) == NULL) {
		printf("\n  [%s] message lacks '%s': %s", bc->name, bc->detail, err);
		ok = false;
	}
	if (getenv("VS_TEST_VERBOSE") != NULL)
		printf("\n  %-40s %s", bc->name, err + strlen(path));
	nb_checked++;
	return ok;
}

static void
test_bad(void)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad_cases); i++)
		CU_ASSERT(run_bad(&bad_cases[i], bad_cases[i].text));
	for (i = 0; i < RTE_DIM(gen_cases); i++)
		CU_ASSERT(run_bad(&gen_cases[i].c, gen_cases[i].gen()));
	CU_ASSERT(nb_checked >= 30);
}

static void
test_missing_file(void)
{
	snprintf(path, sizeof(path), "/tmp/vseal-cfg-test-does-not-exist");
	CU_ASSERT(vs_config_load(path, &cfg, err, sizeof(err)) == -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "/tmp/vseal-cfg-test-does-not-exist: cannot open: "
		"No such file or directory");
	CU_ASSERT(vs_config_load("/tmp", &cfg, err, sizeof(err)) == -EINVAL);
	CU_ASSERT(strncmp(err, "/tmp: ", 6) == 0);
}

/* A short buffer gets a truncated, terminated message; no buffer is fine too. */
static void
test_short_buffer(void)
{
	char small[16];

	memset(small, 'x', sizeof(small));
	CU_ASSERT(write_cfg(HOST "vxlan-port = 0\n" UPLINK VM1 LCORES) == 0);
	CU_ASSERT(vs_config_load(path, &cfg, small, sizeof(small)) == -EINVAL);
	CU_ASSERT(strlen(small) == sizeof(small) - 1);
	CU_ASSERT(strncmp(small, path, sizeof(small) - 1) == 0);
	CU_ASSERT(vs_config_load(path, &cfg, NULL, 0) == -EINVAL);
	unlink(path);
}

int
main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "full config: every value", test_full },
		{ "minimal config: every default", test_defaults },
		{ "bad configs: -EINVAL naming file, section, key", test_bad },
		{ "missing file", test_missing_file },
		{ "short error buffer", test_short_buffer },
	};
	CU_pSuite suite;
	unsigned int i, failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return CU_get_error();
	suite = CU_add_suite("config", NULL, NULL);
	if (suite == NULL)
		goto err;
	for (i = 0; i < RTE_DIM(tests); i++)
		if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL)
			goto err;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	printf("\n%u bad configs checked\n", nb_checked);
	failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
err:
	CU_cleanup_registry();
	return EXIT_FAILURE;
}
