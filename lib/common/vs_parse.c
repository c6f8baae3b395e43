/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_byteorder.h>

#include "vs_parse.h"

int
vs_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

int
vs_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };
	unsigned int i;

	if (s == NULL)
		return -EINVAL;
	for (i = 0; i < RTE_DIM(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
vs_parse_mac(const char *s, struct rte_ether_addr *out)
{
	struct rte_ether_addr mac;
	unsigned int i;

	if (s == NULL || strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++) {
		int hi = hexval(s[3 * i]);
		int lo = hexval(s[3 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (i < RTE_ETHER_ADDR_LEN - 1 && s[3 * i + 2] != ':')
			return -EINVAL;
		mac.addr_bytes[i] = (uint8_t)(hi << 4 | lo);
	}
	*out = mac;
	return 0;
}

int
vs_parse_ipv4(const char *s, rte_be32_t *out)
{
	uint32_t ip = 0;
	unsigned int octet;

	if (s == NULL)
		return -EINVAL;
	for (octet = 0; octet < 4; octet++) {
		unsigned int v = 0, digits = 0;

		while (isdigit((unsigned char)*s)) {
			v = v * 10 + (unsigned int)(*s - '0');
			if (++digits > 3 || v > 255)
				return -EINVAL;
			s++;
		}
		if (digits == 0)
			return -EINVAL;
		ip = ip << 8 | v;
		if (octet < 3 && *s++ != '.')
			return -EINVAL;
	}
	if (*s != '\0')
		return -EINVAL;
	*out = rte_cpu_to_be_32(ip);
	return 0;
}

int
vs_parse_vni(const char *s, uint32_t *out)
{
	return vs_parse_u32(s, 0, VS_VNI_LIMIT, out);
}

const char *
vs_ipv4_str(rte_be32_t ip, char *buf, size_t len)
{
	uint32_t h = rte_be_to_cpu_32(ip);

	snprintf(buf, len, "%u.%u.%u.%u", h >> 24, (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
	return buf;
}

const char *
vs_mac_str(const struct rte_ether_addr *mac, char *buf, size_t len)
{
	rte_ether_format_addr(buf, len, mac);
	return buf;
}
