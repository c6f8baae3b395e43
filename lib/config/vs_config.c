/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reads vseal's INI configuration into a struct vs_config.
 *
 * Three steps, each stopping at the first error:
 *  1. check_lines(): every line of the file. rte_cfgfile silently skips a line without '='
 *     and silently truncates long keys and values, so a typo would become a missing or a
 *     wrong value; here it becomes an error naming the line.
 *  2. pass 1 (parse_section()): every section in file order, every key in file order:
 *     syntax and range of each value, duplicates, the keys a section requires.
 *  3. pass 2 (relate_section()): checks that need the whole file, again in section order:
 *     gateway inside the underlay subnet, flood/location/neighbour addresses against
 *     vtep-ip, worker port lists against the guests.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <bsd/string.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_ether.h>

#include "vs_config.h"
#include "vs_parse.h"

/* rte_cfgfile reads a line into a buffer of this size and fails on longer lines. */
#define LINE_MAX_CHARS (CFG_NAME_LEN + CFG_VALUE_LEN + 4 - 2)
#define BLANKS " \t"

enum sec_kind {
	SEC_HOST,
	SEC_UPLINK,
	SEC_GUEST,
	SEC_VNI,
	SEC_LOCATION,
	SEC_NEIGH,
	SEC_LCORES,
	SEC_UNKNOWN,
};

#define SECTIONS_ALLOWED \
	"[host], [uplink], [guest.NAME], [vni.N], [location.N], [neigh], [lcores]"

struct ctx {
	struct vs_config *cfg;
	const char *path;
	char *err;
	size_t errlen;
	struct rte_cfgfile *file;
	int nb_sec;
	char (*sec)[CFG_NAME_LEN];      /* section names in file order */
	struct rte_cfgfile_entry *ent;  /* entries of the section being read */
	int nb_ent;
	int ent_cap;
	bool seen_host;
	bool seen_uplink;
	bool seen_neigh;
	bool seen_lcores;
	int worker_ent[VS_MAX_WORKERS]; /* entry index of each worker.N in [lcores] */
};

static int __rte_format_printf(4, 5)
cfg_error(struct ctx *c, const char *sec, const char *key, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->err == NULL || c->errlen == 0)
		return -EINVAL;
	if (sec == NULL)
		n = snprintf(c->err, c->errlen, "%s: ", c->path);
	else if (key == NULL)
		n = snprintf(c->err, c->errlen, "%s: [%s]: ", c->path, sec);
	else
		n = snprintf(c->err, c->errlen, "%s: [%s] %s: ", c->path, sec, key);
	if (n >= 0 && (size_t)n < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* ---- step 1: the lines ------------------------------------------------------------------ */

static char *
trim(char *s)
{
	char *end;

	s += strspn(s, " \t\r\n\v\f");
	end = s + strlen(s);
	while (end > s && strchr(" \t\r\n\v\f", end[-1]) != NULL)
		end--;
	*end = '\0';
	return s;
}

static int
check_line(struct ctx *c, unsigned int lineno, char *line, char *sec, bool *in_sec)
{
	char *text, *shown, *end, *key, *value;
	char *semi;
	int ret = 0;

	/* A comment starts at the first ';', unless escaped (as rte_cfgfile does). */
	semi = strchr(line, ';');
	if (semi != NULL && (semi == line || semi[-1] != '\\'))
		*semi = '\0';
	text = trim(line);
	if (*text == '\0')
		return 0;
	shown = strdup(text);
	if (shown == NULL)
		return cfg_error(c, NULL, NULL, "out of memory");

	if (*text == '[') {
		end = strchr(text, ']');
		if (end == NULL || *trim(end + 1) != '\0') {
			ret = cfg_error(c, NULL, NULL,
				"line %u: expected a section line '[name]', got '%s'",
				lineno, shown);
			goto out;
		}
		*end = '\0';
		key = trim(text + 1);
		if (*key == '\0' || strlen(key) >= CFG_NAME_LEN) {
			ret = cfg_error(c, NULL, NULL,
				"line %u: expected a section name of 1..%d characters, got '%s'",
				lineno, CFG_NAME_LEN - 1, shown);
			goto out;
		}
		strlcpy(sec, key, CFG_NAME_LEN);
		*in_sec = true;
		goto out;
	}

	end = strchr(text, '=');
	if (end == NULL) {
		ret = cfg_error(c, NULL, NULL,
			"line %u: expected '[section]', 'key = value' or a ';' comment, got '%s'",
			lineno, shown);
		goto out;
	}
	if (!*in_sec) {
		ret = cfg_error(c, NULL, NULL,
			"line %u: expected a '[section]' line before the first key, got '%s'",
			lineno, shown);
		goto out;
	}
	*end = '\0';
	key = trim(text);
	value = trim(end + 1);
	if (*key == '\0') {
		ret = cfg_error(c, sec, NULL, "line %u: expected 'key = value', got '%s'",
			lineno, shown);
		goto out;
	}
	if (strlen(key) >= CFG_NAME_LEN) {
		ret = cfg_error(c, sec, NULL,
			"line %u: expected a key of at most %d characters, got '%s'",
			lineno, CFG_NAME_LEN - 1, key);
		goto out;
	}
	if (strlen(value) >= CFG_VALUE_LEN)
		ret = cfg_error(c, sec, key,
			"expected a value of at most %d characters, got '%.32s...' (%zu characters)",
			CFG_VALUE_LEN - 1, value, strlen(value));
out:
	free(shown);
	return ret;
}

static int
check_lines(struct ctx *c)
{
	char sec[CFG_NAME_LEN] = "";
	bool in_sec = false;
	unsigned int lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;
	int ret = 0;

	f = fopen(c->path, "r");
	if (f == NULL)
		return cfg_error(c, NULL, NULL, "cannot open: %s", strerror(errno));
	while (ret == 0 && (len = getline(&line, &cap, f)) >= 0) {
		size_t chars = (size_t)len;

		lineno++;
		if (chars > 0 && line[chars - 1] == '\n')
			chars--;
		ret = check_line(c, lineno, line, sec, &in_sec);
		if (ret == 0 && chars > LINE_MAX_CHARS)
			ret = cfg_error(c, NULL, NULL,
				"line %u: expected at most %d characters, comments included, got %zu",
				lineno, LINE_MAX_CHARS, chars);
	}
	if (ret == 0 && ferror(f))
		ret = cfg_error(c, NULL, NULL, "cannot read: %s", strerror(errno));
	free(line);
	fclose(f);
	return ret;
}

/* ---- helpers for pass 1 ------------------------------------------------------------------- */

static bool
ipv4_unicast(rte_be32_t ip)
{
	uint32_t h = rte_be_to_cpu_32(ip);

	/* not 0/8 (this network), 127/8 (loopback), 224/4 (multicast), 240/4 (reserved) */
	return (h >> 24) != 0 && (h >> 24) != 127 && (h >> 28) != 0xe && (h >> 28) != 0xf;
}

static uint32_t
prefix_mask(uint8_t prefix)
{
	return (uint32_t)(0xffffffffull << (32 - prefix));
}

static bool
in_subnet(const struct vs_config *cfg, rte_be32_t ip)
{
	uint32_t mask = prefix_mask(cfg->uplink.prefix);

	return ((rte_be_to_cpu_32(ip) ^ rte_be_to_cpu_32(cfg->host.vtep_ip)) & mask) == 0;
}

static const char *
subnet_str(const struct vs_config *cfg, char *buf, size_t len)
{
	char ip[16];
	rte_be32_t net = rte_cpu_to_be_32(rte_be_to_cpu_32(cfg->host.vtep_ip) &
		prefix_mask(cfg->uplink.prefix));

	snprintf(buf, len, "%s/%u", vs_ipv4_str(net, ip, sizeof(ip)), cfg->uplink.prefix);
	return buf;
}

static int
get_u32(struct ctx *c, const char *sec, const struct rte_cfgfile_entry *e,
	const char *what, uint32_t min, uint32_t max, uint32_t *out)
{
	if (vs_parse_u32(e->value, min, max, out) == 0)
		return 0;
	return cfg_error(c, sec, e->name, "expected %s %u..%u, got '%s'", what, min, max,
		e->value);
}

static int
get_bool(struct ctx *c, const char *sec, const struct rte_cfgfile_entry *e, bool *out)
{
	if (vs_parse_bool(e->value, out) == 0)
		return 0;
	return cfg_error(c, sec, e->name,
		"expected on or off (or yes/no, true/false, 1/0), got '%s'", e->value);
}

static int
get_ipv4(struct ctx *c, const char *sec, const char *key, const char *value, rte_be32_t *out)
{
	if (vs_parse_ipv4(value, out) == 0 && ipv4_unicast(*out))
		return 0;
	return cfg_error(c, sec, key, "expected a unicast IPv4 address (a.b.c.d), got '%s'",
		value);
}

static int
get_mac(struct ctx *c, const char *sec, const char *key, const char *value,
	struct rte_ether_addr *out)
{
	if (vs_parse_mac(value, out) == 0 && rte_is_valid_assigned_ether_addr(out))
		return 0;
	return cfg_error(c, sec, key,
		"expected a unicast, non-zero MAC address (xx:xx:xx:xx:xx:xx), got '%s'", value);
}

/*
 * Index of e->name in keys[] (NULL-terminated); an unknown key or a key given twice in the
 * section is an error.
 */
static int
key_index(struct ctx *c, const char *sec, int idx, const char *const keys[])
{
	const struct rte_cfgfile_entry *e = &c->ent[idx];
	char allowed[256] = "";
	int i, k = -1;

	for (i = 0; keys[i] != NULL; i++) {
		if (strcmp(e->name, keys[i]) == 0)
			k = i;
		if (i > 0)
			strlcat(allowed, ", ", sizeof(allowed));
		strlcat(allowed, keys[i], sizeof(allowed));
	}
	if (k < 0)
		return cfg_error(c, sec, e->name, "unknown key (allowed: %s)", allowed);
	for (i = 0; i < idx; i++)
		if (strcmp(c->ent[i].name, e->name) == 0)
			return cfg_error(c, sec, e->name,
				"duplicate key: expected it once, got '%s' after '%s'",
				e->value, c->ent[i].value);
	return k;
}

static int
read_entries(struct ctx *c, int i)
{
	char name[CFG_NAME_LEN];
	int n;

	n = rte_cfgfile_section_num_entries_by_index(c->file, name, i);
	if (n < 0)
		return cfg_error(c, c->sec[i], NULL, "cannot read the section");
	if (n > c->ent_cap) {
		struct rte_cfgfile_entry *ent = realloc(c->ent, sizeof(*ent) * n);

		if (ent == NULL)
			return cfg_error(c, c->sec[i], NULL, "out of memory");
		c->ent = ent;
		c->ent_cap = n;
	}
	c->nb_ent = 0;
	if (n > 0)
		c->nb_ent = rte_cfgfile_section_entries_by_index(c->file, i, name, c->ent, n);
	if (c->nb_ent != n)
		return cfg_error(c, c->sec[i], NULL, "cannot read the section");
	return 0;
}

static enum sec_kind
sec_kind(const char *name, const char **arg)
{
	static const struct {
		const char *name;
		bool has_arg;
		enum sec_kind kind;
	} kinds[] = {
		{ "host", false, SEC_HOST },
		{ "uplink", false, SEC_UPLINK },
		{ "guest.", true, SEC_GUEST },
		{ "vni.", true, SEC_VNI },
		{ "location.", true, SEC_LOCATION },
		{ "neigh", false, SEC_NEIGH },
		{ "lcores", false, SEC_LCORES },
	};
	unsigned int i;

	*arg = NULL;
	for (i = 0; i < RTE_DIM(kinds); i++) {
		size_t len = strlen(kinds[i].name);

		if (kinds[i].has_arg && strncmp(name, kinds[i].name, len) == 0) {
			*arg = name + len;
			return kinds[i].kind;
		}
		if (!kinds[i].has_arg && strcmp(name, kinds[i].name) == 0)
			return kinds[i].kind;
	}
	return SEC_UNKNOWN;
}

/* The N of [vni.N] or [location.N]. */
static int
sec_vni(struct ctx *c, const char *sec, const char *arg, const char *what, uint32_t *vni)
{
	if (vs_parse_vni(arg, vni) == 0)
		return 0;
	return cfg_error(c, sec, NULL, "expected [%s.N] with N a VNI 0..%u, got '%s'", what,
		VS_VNI_LIMIT, arg);
}

/* An earlier section of the same kind and argument, e.g. [vni.100] and [vni.0100]. */
static bool
sec_repeated(struct ctx *c, int i)
{
	const char *arg, *other;
	enum sec_kind kind = sec_kind(c->sec[i], &arg);
	uint32_t a, b;
	int j;

	for (j = 0; j < i; j++) {
		if (sec_kind(c->sec[j], &other) != kind)
			continue;
		if (arg == NULL || strcmp(arg, other) == 0)
			return true;
		if ((kind == SEC_VNI || kind == SEC_LOCATION) && vs_parse_vni(arg, &a) == 0 &&
				vs_parse_vni(other, &b) == 0 && a == b)
			return true;
	}
	return false;
}

/* ---- pass 1: each section on its own ------------------------------------------------------ */

static int
parse_host(struct ctx *c, const char *sec)
{
	static const char *const keys[] = { "vtep-ip", "vxlan-port", "learning", "aging",
		"ctl-socket", "guest-bdp-kb", "locations", NULL };
	struct vs_cfg_host *h = &c->cfg->host;
	bool has_ip = false;
	uint32_t v;
	int i, k, ret;

	for (i = 0; i < c->nb_ent; i++) {
		const struct rte_cfgfile_entry *e = &c->ent[i];

		k = key_index(c, sec, i, keys);
		if (k < 0)
			return k;
		switch (k) {
		case 0:
			ret = get_ipv4(c, sec, e->name, e->value, &h->vtep_ip);
			has_ip = true;
			break;
		case 1:
			ret = get_u32(c, sec, e, "a UDP port", 1, UINT16_MAX, &v);
			h->vxlan_port = (uint16_t)v;
			break;
		case 2:
			ret = get_bool(c, sec, e, &h->learning);
			break;
		case 3:
			ret = get_u32(c, sec, e, "seconds", 0, 86400, &h->aging);
			break;
		case 5:
			ret = get_u32(c, sec, e, "kilobytes", VS_BDP_KB_MIN, VS_BDP_KB_MAX,
				&h->guest_bdp_kb);
			break;
		case 6:
			ret = get_u32(c, sec, e, "entries", VS_LOCATIONS_MIN, VS_LOCATIONS_MAX,
				&h->locations);
			break;
		default:
			if (e->value[0] != '/' || strlen(e->value) >= VS_PATH_MAX)
				return cfg_error(c, sec, e->name,
					"expected an absolute path of at most %d characters, got '%s'",
					VS_PATH_MAX - 1, e->value);
			strlcpy(h->ctl_socket, e->value, sizeof(h->ctl_socket));
			ret = 0;
			break;
		}
		if (ret < 0)
			return ret;
	}
	if (!has_ip)
		return cfg_error(c, sec, "vtep-ip",
			"missing (expected this host's unicast IPv4 address)");
	return 0;
}

static int
parse_uplink(struct ctx *c, const char *sec)
{
	static const char *const keys[] = { "device", "prefix", "gateway", "mtu", "queues",
		"gro", "segmentation", NULL };
	struct vs_cfg_uplink *u = &c->cfg->uplink;
	bool has_device = false;
	uint32_t v;
	int i, k, ret = 0;

	for (i = 0; i < c->nb_ent; i++) {
		const struct rte_cfgfile_entry *e = &c->ent[i];

		k = key_index(c, sec, i, keys);
		if (k < 0)
			return k;
		switch (k) {
		case 0:
			if (e->value[0] == '\0' || strlen(e->value) >= VS_DEVARGS_MAX)
				return cfg_error(c, sec, e->name,
					"expected DPDK devargs (a PCI address or a vdev string) of 1..%d characters, got '%s'",
					VS_DEVARGS_MAX - 1, e->value);
			strlcpy(u->device, e->value, sizeof(u->device));
			has_device = true;
			break;
		case 1:
			ret = get_u32(c, sec, e, "a prefix length", 1, 32, &v);
			u->prefix = (uint8_t)v;
			break;
		case 2:
			ret = get_ipv4(c, sec, e->name, e->value, &u->gateway);
			u->has_gateway = true;
			break;
		case 3:
			ret = get_u32(c, sec, e, "an MTU", 576, 9600, &v);
			u->mtu = (uint16_t)v;
			break;
		case 4:
			ret = get_u32(c, sec, e, "a number of queues", 1, VS_MAX_QUEUES, &v);
			u->queues = (uint16_t)v;
			break;
		case 5:
			ret = get_bool(c, sec, e, &u->gro);
			break;
		default:
			if (strcmp(e->value, "auto") == 0)
				u->sw_segmentation = false;
			else if (strcmp(e->value, "software") == 0)
				u->sw_segmentation = true;
			else
				return cfg_error(c, sec, e->name,
					"expected 'auto' or 'software', got '%s'", e->value);
			break;
		}
		if (ret < 0)
			return ret;
	}
	if (!has_device)
		return cfg_error(c, sec, "device",
			"missing (expected DPDK devargs: a PCI address or a vdev string)");
	return 0;
}

static bool
guest_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= VS_NAME_MAX)
		return false;
	if (strcasecmp(name, "uplink") == 0 || strcasecmp(name, "all") == 0)
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") ==
		len;
}

/* Duplicate socket path or (VNI, MAC) with an earlier guest. */
static int
guest_unique(struct ctx *c, const char *sec, int socket_ent, int mac_ent)
{
	const struct vs_config *cfg = c->cfg;
	const struct vs_cfg_guest *g = &cfg->guests[cfg->nb_guests];
	char buf[RTE_ETHER_ADDR_FMT_SIZE];
	int step, dup_socket = -1, dup_mac = -1;
	unsigned int i;

	for (i = 0; i < cfg->nb_guests; i++) {
		if (dup_socket < 0 && strcmp(cfg->guests[i].socket, g->socket) == 0)
			dup_socket = (int)i;
		if (dup_mac < 0 && cfg->guests[i].vni == g->vni &&
				rte_is_same_ether_addr(&cfg->guests[i].mac, &g->mac))
			dup_mac = (int)i;
	}
	/* Report in the order the keys appear in the section. */
	for (step = 0; step < 2; step++) {
		bool socket_first = socket_ent < mac_ent;

		if ((step == 0) == socket_first && dup_socket >= 0)
			return cfg_error(c, sec, "socket",
				"expected a socket path no other guest uses, got '%s' (also [guest.%s])",
				g->socket, cfg->guests[dup_socket].name);
		if ((step == 0) != socket_first && dup_mac >= 0)
			return cfg_error(c, sec, "mac",
				"expected a MAC no other guest of VNI %u uses, got '%s' (also [guest.%s])",
				g->vni, vs_mac_str(&g->mac, buf, sizeof(buf)),
				cfg->guests[dup_mac].name);
	}
	return 0;
}

static int
parse_guest(struct ctx *c, const char *sec, const char *name)
{
	static const char *const keys[] = { "socket", "mode", "vni", "mac", "queues", "mtu", NULL };
	struct vs_config *cfg = c->cfg;
	struct vs_cfg_guest *g;
	int socket_ent = -1, vni_ent = -1, mac_ent = -1;
	uint32_t v;
	int i, k, ret = 0;

	if (!guest_name_ok(name))
		return cfg_error(c, sec, NULL,
			"expected [guest.NAME] with NAME 1..%d characters of A-Z a-z 0-9 _ -, not 'uplink' or 'all', got '%s'",
			VS_NAME_MAX - 1, name);
	if (cfg->nb_guests >= VS_MAX_GUESTS)
		return cfg_error(c, sec, NULL, "expected at most %d guests, got guest number %u",
			VS_MAX_GUESTS, cfg->nb_guests + 1);
	g = &cfg->guests[cfg->nb_guests];
	memset(g, 0, sizeof(*g));
	strlcpy(g->name, name, sizeof(g->name));
	g->mode = VS_VHOST_CLIENT;
	g->queues = 1;
	g->mtu = 1500;

	for (i = 0; i < c->nb_ent; i++) {
		const struct rte_cfgfile_entry *e = &c->ent[i];

		k = key_index(c, sec, i, keys);
		if (k < 0)
			return k;
		switch (k) {
		case 0:
			if (e->value[0] != '/' || strlen(e->value) >= VS_PATH_MAX)
				return cfg_error(c, sec, e->name,
					"expected an absolute path of at most %d characters, got '%s'",
					VS_PATH_MAX - 1, e->value);
			strlcpy(g->socket, e->value, sizeof(g->socket));
			socket_ent = i;
			break;
		case 1:
			if (strcasecmp(e->value, "client") == 0)
				g->mode = VS_VHOST_CLIENT;
			else if (strcasecmp(e->value, "server") == 0)
				g->mode = VS_VHOST_SERVER;
			else
				return cfg_error(c, sec, e->name,
					"expected client or server, got '%s'", e->value);
			break;
		case 2:
			ret = get_u32(c, sec, e, "a VNI", 0, VS_VNI_LIMIT, &g->vni);
			vni_ent = i;
			break;
		case 3:
			ret = get_mac(c, sec, e->name, e->value, &g->mac);
			mac_ent = i;
			break;
		case 4:
			ret = get_u32(c, sec, e, "a number of queues", 1, VS_MAX_QUEUES, &v);
			g->queues = (uint16_t)v;
			break;
		default:
			ret = get_u32(c, sec, e, "an MTU", 68, 65000, &v);
			g->mtu = (uint16_t)v;
			break;
		}
		if (ret < 0)
			return ret;
	}
	if (socket_ent < 0)
		return cfg_error(c, sec, "socket",
			"missing (expected the vhost-user socket's absolute path)");
	if (vni_ent < 0)
		return cfg_error(c, sec, "vni", "missing (expected a VNI 0..%u)", VS_VNI_LIMIT);
	if (mac_ent < 0)
		return cfg_error(c, sec, "mac",
			"missing (expected the guest's unicast MAC address)");
	ret = guest_unique(c, sec, socket_ent, mac_ent);
	if (ret < 0)
		return ret;
	cfg->nb_guests++;
	return 0;
}

static int
parse_flood(struct ctx *c, const char *sec, const struct rte_cfgfile_entry *e,
	struct vs_cfg_vni *v)
{
	char buf[CFG_VALUE_LEN];
	char *tok, *save = NULL;
	rte_be32_t ip;
	unsigned int i;

	strlcpy(buf, e->value, sizeof(buf));
	for (tok = strtok_r(buf, BLANKS, &save); tok != NULL; tok = strtok_r(NULL, BLANKS, &save)) {
		if (vs_parse_ipv4(tok, &ip) != 0 || !ipv4_unicast(ip))
			return cfg_error(c, sec, e->name,
				"expected a space-separated list of unicast IPv4 addresses, got '%s'",
				tok);
		for (i = 0; i < v->nb_flood; i++)
			if (v->flood[i] == ip)
				return cfg_error(c, sec, e->name,
					"expected each VTEP once, got '%s' twice", tok);
		if (v->nb_flood >= VS_MAX_FLOOD)
			return cfg_error(c, sec, e->name,
				"expected at most %d VTEPs, got '%s' as number %u", VS_MAX_FLOOD,
				tok, v->nb_flood + 1);
		v->flood[v->nb_flood++] = ip;
	}
	return 0;
}

static int
parse_vni(struct ctx *c, const char *sec, const char *arg)
{
	static const char *const keys[] = { "flood", "fragment", NULL };
	struct vs_config *cfg = c->cfg;
	struct vs_cfg_vni *v;
	uint32_t vni;
	int i, k, ret;

	ret = sec_vni(c, sec, arg, "vni", &vni);
	if (ret < 0)
		return ret;
	if (cfg->nb_vnis >= VS_MAX_VNIS)
		return cfg_error(c, sec, NULL, "expected at most %d VNIs, got VNI number %u",
			VS_MAX_VNIS, cfg->nb_vnis + 1);
	v = &cfg->vnis[cfg->nb_vnis];
	memset(v, 0, sizeof(*v));
	v->vni = vni;
	for (i = 0; i < c->nb_ent; i++) {
		const struct rte_cfgfile_entry *e = &c->ent[i];

		k = key_index(c, sec, i, keys);
		if (k < 0)
			return k;
		if (k == 0)
			ret = parse_flood(c, sec, e, v);
		else
			ret = get_bool(c, sec, e, &v->fragment);
		if (ret < 0)
			return ret;
	}
	cfg->nb_vnis++;
	return 0;
}

static int
parse_location(struct ctx *c, const char *sec, const char *arg)
{
	struct vs_config *cfg = c->cfg;
	struct vs_cfg_location *l;
	uint32_t vni;
	unsigned int first = cfg->nb_locations, j;
	int i, ret;

	ret = sec_vni(c, sec, arg, "location", &vni);
	if (ret < 0)
		return ret;
	for (i = 0; i < c->nb_ent; i++) {
		const struct rte_cfgfile_entry *e = &c->ent[i];

		if (cfg->nb_locations >= VS_MAX_STATIC)
			return cfg_error(c, sec, e->name,
				"expected at most %d static locations in all, got one more",
				VS_MAX_STATIC);
		l = &cfg->locations[cfg->nb_locations];
		l->vni = vni;
		if (vs_parse_mac(e->name, &l->mac) != 0 ||
				!rte_is_valid_assigned_ether_addr(&l->mac))
			return cfg_error(c, sec, e->name,
				"expected 'MAC = VTEP-IP' with a unicast, non-zero MAC, got '%s'",
				e->name);
		ret = get_ipv4(c, sec, e->name, e->value, &l->vtep_ip);
		if (ret < 0)
			return ret;
		for (j = first; j < cfg->nb_locations; j++)
			if (rte_is_same_ether_addr(&cfg->locations[j].mac, &l->mac))
				return cfg_error(c, sec, e->name,
					"duplicate key: expected each MAC once, got '%s' after '%s'",
					e->value, c->ent[j - first].value);
		cfg->nb_locations++;
	}
	return 0;
}

static int
parse_neigh(struct ctx *c, const char *sec)
{
	struct vs_config *cfg = c->cfg;
	struct vs_cfg_neigh *n;
	unsigned int j;
	int i, ret;

	for (i = 0; i < c->nb_ent; i++) {
		const struct rte_cfgfile_entry *e = &c->ent[i];

		if (cfg->nb_neigh >= VS_MAX_NEIGH)
			return cfg_error(c, sec, e->name,
				"expected at most %d static neighbours, got one more",
				VS_MAX_NEIGH);
		n = &cfg->neigh[cfg->nb_neigh];
		if (vs_parse_ipv4(e->name, &n->ip) != 0 || !ipv4_unicast(n->ip))
			return cfg_error(c, sec, e->name,
				"expected 'IPv4 = MAC' with a unicast IPv4 address, got '%s'",
				e->name);
		ret = get_mac(c, sec, e->name, e->value, &n->mac);
		if (ret < 0)
			return ret;
		for (j = 0; j < cfg->nb_neigh; j++)
			if (cfg->neigh[j].ip == n->ip)
				return cfg_error(c, sec, e->name,
					"duplicate key: expected each address once, got '%s' after '%s'",
					e->value, c->ent[j].value);
		cfg->nb_neigh++;
	}
	return 0;
}

static int
parse_lcores(struct ctx *c, const char *sec)
{
	static const char *const allowed = "control, main, idle-sleep, worker.N";
	struct vs_cfg_lcores *lc = &c->cfg->lcores;
	bool has_control = false;
	unsigned int w, j;
	uint32_t v;
	int i, ret;

	for (i = 0; i < c->nb_ent; i++) {
		const struct rte_cfgfile_entry *e = &c->ent[i];

		if (strcmp(e->name, "control") == 0 || strcmp(e->name, "main") == 0 ||
				strcmp(e->name, "idle-sleep") == 0) {
			for (j = 0; j < (unsigned int)i; j++)
				if (strcmp(c->ent[j].name, e->name) == 0)
					return cfg_error(c, sec, e->name,
						"duplicate key: expected it once, got '%s' after '%s'",
						e->value, c->ent[j].value);
		}
		if (strcmp(e->name, "control") == 0) {
			ret = get_u32(c, sec, e, "an lcore id", 0, RTE_MAX_LCORE - 1, &v);
			lc->control = v;
			has_control = true;
		} else if (strcmp(e->name, "main") == 0) {
			ret = get_u32(c, sec, e, "an lcore id", 0, RTE_MAX_LCORE - 1, &v);
			lc->main = v;
			lc->has_main = true;
		} else if (strcmp(e->name, "idle-sleep") == 0) {
			ret = get_u32(c, sec, e, "microseconds", 0, 100000, &lc->idle_sleep);
		} else if (strncmp(e->name, "worker.", 7) == 0) {
			if (vs_parse_u32(e->name + 7, 0, RTE_MAX_LCORE - 1, &v) != 0)
				return cfg_error(c, sec, e->name,
					"expected worker.N with N an lcore id 0..%u, got '%s'",
					RTE_MAX_LCORE - 1, e->name);
			for (w = 0; w < lc->nb_workers; w++)
				if (lc->workers[w].lcore == v)
					return cfg_error(c, sec, e->name,
						"duplicate key: expected each worker lcore once, got lcore %u again (also %s)",
						v, c->ent[c->worker_ent[w]].name);
			if (lc->nb_workers >= VS_MAX_WORKERS)
				return cfg_error(c, sec, e->name,
					"expected at most %d workers, got worker number %u",
					VS_MAX_WORKERS, lc->nb_workers + 1);
			if (strspn(e->value, BLANKS) == strlen(e->value))
				return cfg_error(c, sec, e->name,
					"expected a list of ports (uplink, NAME or NAME:QUEUE), got '%s'",
					e->value);
			c->worker_ent[lc->nb_workers] = i;
			lc->workers[lc->nb_workers].lcore = v;
			lc->workers[lc->nb_workers].nb_pq = 0;
			lc->nb_workers++;
			ret = 0;
		} else {
			return cfg_error(c, sec, e->name, "unknown key (allowed: %s)", allowed);
		}
		if (ret < 0)
			return ret;
	}
	if (!has_control)
		return cfg_error(c, sec, "control",
			"missing (expected the control lcore's id 0..%u)", RTE_MAX_LCORE - 1);
	if (lc->nb_workers == 0)
		return cfg_error(c, sec, "worker.N",
			"missing (expected at least one line 'worker.LCORE = PORT ...')");
	for (w = 0; w < lc->nb_workers; w++) {
		const struct rte_cfgfile_entry *e = &c->ent[c->worker_ent[w]];

		if (lc->workers[w].lcore == lc->control)
			return cfg_error(c, sec, e->name,
				"expected a worker lcore other than the control lcore %u, got '%u'",
				lc->control, lc->workers[w].lcore);
		if (lc->has_main && lc->workers[w].lcore == lc->main)
			return cfg_error(c, sec, e->name,
				"expected a worker lcore other than the main lcore %u, got '%u'",
				lc->main, lc->workers[w].lcore);
	}
	return 0;
}

static int
parse_section(struct ctx *c, int i)
{
	const char *sec = c->sec[i];
	const char *arg;
	enum sec_kind kind = sec_kind(sec, &arg);
	int ret;

	if (kind == SEC_UNKNOWN)
		return cfg_error(c, sec, NULL, "unknown section (allowed: " SECTIONS_ALLOWED ")");
	if (sec_repeated(c, i))
		return cfg_error(c, sec, NULL, "duplicate section: expected it once");
	ret = read_entries(c, i);
	if (ret < 0)
		return ret;
	switch (kind) {
	case SEC_HOST:
		c->seen_host = true;
		return parse_host(c, sec);
	case SEC_UPLINK:
		c->seen_uplink = true;
		return parse_uplink(c, sec);
	case SEC_GUEST:
		return parse_guest(c, sec, arg);
	case SEC_VNI:
		return parse_vni(c, sec, arg);
	case SEC_LOCATION:
		return parse_location(c, sec, arg);
	case SEC_NEIGH:
		c->seen_neigh = true;
		return parse_neigh(c, sec);
	case SEC_LCORES:
		c->seen_lcores = true;
		return parse_lcores(c, sec);
	default:
		return -EINVAL;
	}
}

/* Every guest's VNI gets an entry with defaults unless [vni.N] gave one. */
static int
add_guest_vnis(struct ctx *c)
{
	struct vs_config *cfg = c->cfg;
	char sec[CFG_NAME_LEN];
	unsigned int i;

	for (i = 0; i < cfg->nb_guests; i++) {
		const struct vs_cfg_guest *g = &cfg->guests[i];

		if (vs_config_vni(cfg, g->vni) != NULL)
			continue;
		if (cfg->nb_vnis >= VS_MAX_VNIS) {
			snprintf(sec, sizeof(sec), "guest.%s", g->name);
			return cfg_error(c, sec, "vni",
				"expected at most %d VNIs in all ([vni.N] and guests), got '%u' as number %u",
				VS_MAX_VNIS, g->vni, cfg->nb_vnis + 1);
		}
		memset(&cfg->vnis[cfg->nb_vnis], 0, sizeof(cfg->vnis[0]));
		cfg->vnis[cfg->nb_vnis].vni = g->vni;
		cfg->nb_vnis++;
	}
	return 0;
}

/* ---- pass 2: what relates sections ------------------------------------------------------ */

/* A remote VTEP (flood list, location) must not be us and must be reachable. */
static int
check_remote(struct ctx *c, const char *sec, const char *key, const char *value, rte_be32_t ip)
{
	const struct vs_config *cfg = c->cfg;
	char net[24];

	if (ip == cfg->host.vtep_ip)
		return cfg_error(c, sec, key,
			"expected a remote VTEP, not this host's vtep-ip, got '%s'", value);
	if (!cfg->uplink.has_gateway && !in_subnet(cfg, ip))
		return cfg_error(c, sec, key,
			"expected a VTEP inside %s ([uplink] has no gateway), got '%s'",
			subnet_str(cfg, net, sizeof(net)), value);
	return 0;
}

static int
relate_uplink(struct ctx *c, const char *sec)
{
	const struct vs_config *cfg = c->cfg;
	char gw[16], vtep[16], net[24];

	if (!cfg->uplink.has_gateway)
		return 0;
	if (!in_subnet(cfg, cfg->uplink.gateway) || cfg->uplink.gateway == cfg->host.vtep_ip)
		return cfg_error(c, sec, "gateway",
			"expected an address inside %s other than vtep-ip %s, got '%s'",
			subnet_str(cfg, net, sizeof(net)),
			vs_ipv4_str(cfg->host.vtep_ip, vtep, sizeof(vtep)),
			vs_ipv4_str(cfg->uplink.gateway, gw, sizeof(gw)));
	return 0;
}

static int
relate_vni(struct ctx *c, const char *sec)
{
	char buf[CFG_VALUE_LEN];
	char *tok, *save = NULL;
	rte_be32_t ip;
	int i, ret;

	for (i = 0; i < c->nb_ent; i++) {
		if (strcmp(c->ent[i].name, "flood") != 0)
			continue;
		strlcpy(buf, c->ent[i].value, sizeof(buf));
		for (tok = strtok_r(buf, BLANKS, &save); tok != NULL;
				tok = strtok_r(NULL, BLANKS, &save)) {
			if (vs_parse_ipv4(tok, &ip) != 0)
				return -EINVAL;
			ret = check_remote(c, sec, "flood", tok, ip);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

static int
relate_location(struct ctx *c, const char *sec, const char *arg)
{
	const struct vs_config *cfg = c->cfg;
	struct rte_ether_addr mac;
	rte_be32_t ip;
	uint32_t vni;
	unsigned int g;
	int i, ret;

	if (vs_parse_vni(arg, &vni) != 0)
		return -EINVAL;
	if (vs_config_vni(cfg, vni) == NULL)
		return cfg_error(c, sec, NULL,
			"expected a VNI served here (a guest's vni or a [vni.N] section), got '%s'",
			arg);
	for (i = 0; i < c->nb_ent; i++) {
		const struct rte_cfgfile_entry *e = &c->ent[i];

		if (vs_parse_mac(e->name, &mac) != 0 || vs_parse_ipv4(e->value, &ip) != 0)
			return -EINVAL;
		ret = check_remote(c, sec, e->name, e->value, ip);
		if (ret < 0)
			return ret;
		for (g = 0; g < cfg->nb_guests; g++)
			if (cfg->guests[g].vni == vni &&
					rte_is_same_ether_addr(&cfg->guests[g].mac, &mac))
				return cfg_error(c, sec, e->name,
					"expected a MAC that is not a local guest's, got '%s' (= [guest.%s] mac)",
					e->name, cfg->guests[g].name);
	}
	return 0;
}

static int
relate_neigh(struct ctx *c, const char *sec)
{
	const struct vs_config *cfg = c->cfg;
	char net[24];
	rte_be32_t ip;
	int i;

	for (i = 0; i < c->nb_ent; i++) {
		const struct rte_cfgfile_entry *e = &c->ent[i];

		if (vs_parse_ipv4(e->name, &ip) != 0)
			return -EINVAL;
		if (ip == cfg->host.vtep_ip || !in_subnet(cfg, ip))
			return cfg_error(c, sec, e->name,
				"expected a neighbour inside %s other than vtep-ip, got '%s'",
				subnet_str(cfg, net, sizeof(net)), e->name);
	}
	return 0;
}

/* One token of a worker's port list: "uplink", NAME or NAME:QUEUE. */
static int
add_port_token(struct ctx *c, const char *sec, const char *key, struct vs_cfg_worker *w,
	char *tok, uint64_t *seen)
{
	const struct vs_config *cfg = c->cfg;
	char shown[CFG_VALUE_LEN];
	char *colon;
	uint32_t q, first, last;
	uint16_t nb_q;
	int port;

	strlcpy(shown, tok, sizeof(shown));
	colon = strchr(tok, ':');
	if (colon != NULL)
		*colon = '\0';
	port = vs_config_port_index(cfg, tok);
	if (port < 0)
		return cfg_error(c, sec, key,
			"expected uplink or a guest's name, optionally with :QUEUE, got '%s'",
			shown);
	nb_q = port == VS_PORT_UPLINK ? cfg->uplink.queues : cfg->guests[port - 1].queues;
	first = 0;
	last = nb_q - 1;
	if (colon != NULL) {
		if (vs_parse_u32(colon + 1, 0, nb_q - 1, &q) != 0)
			return cfg_error(c, sec, key,
				"expected a queue 0..%u of port %s, got '%s'",
				nb_q - 1, tok, shown);
		first = q;
		last = q;
	}
	for (q = first; q <= last; q++) {
		unsigned int bit = (unsigned int)port * VS_MAX_QUEUES + q;

		if (seen[bit / 64] & (1ull << (bit % 64)))
			return cfg_error(c, sec, key,
				"expected each port queue once, got '%s' (%s:%u is already listed)",
				shown, tok, q);
		seen[bit / 64] |= 1ull << (bit % 64);
		w->pq[w->nb_pq].port = (uint16_t)port;
		w->pq[w->nb_pq].queue = (uint16_t)q;
		w->nb_pq++;
	}
	return 0;
}

static int
relate_lcores(struct ctx *c, const char *sec)
{
	struct vs_cfg_lcores *lc = &c->cfg->lcores;
	char buf[CFG_VALUE_LEN];
	char *tok, *save;
	unsigned int w;
	int ret;

	for (w = 0; w < lc->nb_workers; w++) {
		const struct rte_cfgfile_entry *e = &c->ent[c->worker_ent[w]];
		uint64_t seen[(VS_MAX_PQ + 63) / 64] = { 0 };

		strlcpy(buf, e->value, sizeof(buf));
		save = NULL;
		for (tok = strtok_r(buf, BLANKS, &save); tok != NULL;
				tok = strtok_r(NULL, BLANKS, &save)) {
			ret = add_port_token(c, sec, e->name, &lc->workers[w], tok, seen);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* A guest's socket is not the control socket. */
static int
relate_guest(struct ctx *c, const char *sec, const char *name)
{
	const struct vs_config *cfg = c->cfg;
	int port = vs_config_port_index(cfg, name);

	if (port <= 0)
		return -EINVAL;
	if (strcmp(cfg->guests[port - 1].socket, cfg->host.ctl_socket) == 0)
		return cfg_error(c, sec, "socket",
			"expected a path other than the control socket ([host] ctl-socket), got '%s'",
			cfg->host.ctl_socket);
	return 0;
}

static int
relate_section(struct ctx *c, int i)
{
	const char *sec = c->sec[i];
	const char *arg;
	enum sec_kind kind = sec_kind(sec, &arg);
	int ret;

	if (kind == SEC_GUEST)
		return relate_guest(c, sec, arg);
	if (kind != SEC_UPLINK && kind != SEC_VNI && kind != SEC_LOCATION &&
			kind != SEC_NEIGH && kind != SEC_LCORES)
		return 0;
	ret = read_entries(c, i);
	if (ret < 0)
		return ret;
	switch (kind) {
	case SEC_UPLINK:
		return relate_uplink(c, sec);
	case SEC_VNI:
		return relate_vni(c, sec);
	case SEC_LOCATION:
		return relate_location(c, sec, arg);
	case SEC_NEIGH:
		return relate_neigh(c, sec);
	default:
		return relate_lcores(c, sec);
	}
}

/* ---- the API -------------------------------------------------------------------------------- */

static int
vni_cmp(const void *a, const void *b)
{
	const struct vs_cfg_vni *x = a, *y = b;

	return x->vni < y->vni ? -1 : x->vni > y->vni;
}

static void
set_defaults(struct vs_config *cfg)
{
	cfg->host.vxlan_port = 4789;
	cfg->host.learning = true;
	cfg->host.aging = 300;
	cfg->host.guest_bdp_kb = VS_BDP_KB_DEFAULT;
	cfg->host.locations = VS_LOCATIONS_DEFAULT;
	strlcpy(cfg->host.ctl_socket, "/run/vseal/vseal.ctl", sizeof(cfg->host.ctl_socket));
	cfg->uplink.prefix = 24;
	cfg->uplink.mtu = 1500;
	cfg->uplink.queues = 1;
	cfg->uplink.gro = true;
}

static int
read_file(struct ctx *c)
{
	char **names;
	int i, ret;

	ret = check_lines(c);
	if (ret < 0)
		return ret;
	c->file = rte_cfgfile_load(c->path, CFG_FLAG_EMPTY_VALUES);
	if (c->file == NULL)
		return cfg_error(c, NULL, NULL, "cannot be read as an INI file");
	c->nb_sec = rte_cfgfile_num_sections(c->file, "", 0);
	if (c->nb_sec > 0) {
		c->sec = calloc(c->nb_sec, sizeof(*c->sec));
		names = calloc(c->nb_sec, sizeof(*names));
		if (c->sec == NULL || names == NULL) {
			free(names);
			return cfg_error(c, NULL, NULL, "out of memory");
		}
		for (i = 0; i < c->nb_sec; i++)
			names[i] = c->sec[i];
		ret = rte_cfgfile_sections(c->file, names, c->nb_sec);
		free(names);
		if (ret != c->nb_sec)
			return cfg_error(c, NULL, NULL, "cannot be read as an INI file");
	}

	for (i = 0; i < c->nb_sec; i++) {
		ret = parse_section(c, i);
		if (ret < 0)
			return ret;
	}
	if (!c->seen_host)
		return cfg_error(c, "host", "vtep-ip",
			"missing (expected this host's unicast IPv4 address)");
	if (!c->seen_uplink)
		return cfg_error(c, "uplink", "device",
			"missing (expected DPDK devargs: a PCI address or a vdev string)");
	if (!c->seen_lcores)
		return cfg_error(c, "lcores", "control",
			"missing (expected the control lcore's id 0..%u)", RTE_MAX_LCORE - 1);
	ret = add_guest_vnis(c);
	if (ret < 0)
		return ret;
	for (i = 0; i < c->nb_sec; i++) {
		ret = relate_section(c, i);
		if (ret < 0)
			return ret;
	}
	/* The table must hold at least what the file puts in it. */
	if (c->cfg->nb_guests + c->cfg->nb_locations > c->cfg->host.locations)
		return cfg_error(c, "host", "locations",
			"expected at least %u entries (this file's %u guests + %u static "
			"locations), got %u", c->cfg->nb_guests + c->cfg->nb_locations,
			c->cfg->nb_guests, c->cfg->nb_locations, c->cfg->host.locations);
	qsort(c->cfg->vnis, c->cfg->nb_vnis, sizeof(c->cfg->vnis[0]), vni_cmp);
	return 0;
}

int
vs_config_load(const char *path, struct vs_config *cfg, char *err, size_t errlen)
{
	struct ctx c = {
		.cfg = cfg,
		.path = path,
		.err = err,
		.errlen = errlen,
	};
	int ret;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL || cfg == NULL) {
		c.path = "(null)";
		return cfg_error(&c, NULL, NULL, "no configuration file given");
	}
	memset(cfg, 0, sizeof(*cfg));
	set_defaults(cfg);
	if (strlcpy(cfg->path, path, sizeof(cfg->path)) >= sizeof(cfg->path))
		return cfg_error(&c, NULL, NULL, "cannot open: %s", strerror(ENAMETOOLONG));

	ret = read_file(&c);

	if (c.file != NULL)
		rte_cfgfile_close(c.file);
	free(c.sec);
	free(c.ent);
	return ret;
}

int
vs_config_port_index(const struct vs_config *cfg, const char *name)
{
	unsigned int i;

	if (cfg == NULL || name == NULL)
		return -ENOENT;
	if (strcmp(name, "uplink") == 0)
		return VS_PORT_UPLINK;
	for (i = 0; i < cfg->nb_guests; i++)
		if (strcmp(cfg->guests[i].name, name) == 0)
			return (int)i + 1;
	return -ENOENT;
}

const char *
vs_config_port_name(const struct vs_config *cfg, unsigned int idx)
{
	if (cfg == NULL)
		return NULL;
	if (idx == VS_PORT_UPLINK)
		return "uplink";
	if (idx <= cfg->nb_guests)
		return cfg->guests[idx - 1].name;
	return NULL;
}

const struct vs_cfg_vni *
vs_config_vni(const struct vs_config *cfg, uint32_t vni)
{
	unsigned int i;

	if (cfg == NULL)
		return NULL;
	for (i = 0; i < cfg->nb_vnis; i++)
		if (cfg->vnis[i].vni == vni)
			return &cfg->vnis[i];
	return NULL;
}
