/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/common's strict parsers (vs_parse.h): each accepts the whole string or
 * nothing. Table-driven; no EAL needed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>

#include "vs_parse.h"

/* Prints which table row failed, then records the assertion. */
#define CHECK_ROW(cond, fmt, ...) do { \
	if (!(cond)) { \
		printf("\n  row failed: " fmt "\n", ##__VA_ARGS__); \
	} \
	CU_ASSERT(cond); \
} while (0)

struct u32_case {
	const char *s;
	uint32_t min;
	uint32_t max;
	int ret;
	uint32_t val;
};

static void
test_u32(void)
{
	static const struct u32_case cases[] = {
		{ "0", 0, 10, 0, 0 },
		{ "10", 0, 10, 0, 10 },
		{ "7", 7, 7, 0, 7 },
		{ "010", 0, 100, 0, 10 },         /* decimal, not octal */
		{ "4294967295", 0, UINT32_MAX, 0, UINT32_MAX },
		{ "11", 0, 10, -ERANGE, 0 },
		{ "6", 7, 10, -ERANGE, 0 },
		{ "4294967296", 0, UINT32_MAX, -ERANGE, 0 },
		{ "99999999999999999999999", 0, UINT32_MAX, -ERANGE, 0 },
		{ "", 0, 10, -EINVAL, 0 },
		{ "+5", 0, 10, -EINVAL, 0 },
		{ "-1", 0, 10, -EINVAL, 0 },
		{ "-0", 0, 10, -EINVAL, 0 },
		{ " 5", 0, 10, -EINVAL, 0 },
		{ "5 ", 0, 10, -EINVAL, 0 },
		{ "5x", 0, 10, -EINVAL, 0 },
		{ "0x10", 0, 100, -EINVAL, 0 },
		{ "1.5", 0, 10, -EINVAL, 0 },
		{ "1e3", 0, 10000, -EINVAL, 0 },
		{ "abc", 0, 10, -EINVAL, 0 },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		const struct u32_case *t = &cases[i];
		uint32_t out = 12345;
		int ret = vs_parse_u32(t->s, t->min, t->max, &out);

		CHECK_ROW(ret == t->ret, "vs_parse_u32(\"%s\", %u, %u) = %d, want %d", t->s,
			t->min, t->max, ret, t->ret);
		if (t->ret == 0)
			CHECK_ROW(out == t->val, "vs_parse_u32(\"%s\") gave %u, want %u", t->s,
				out, t->val);
		else
			CHECK_ROW(out == 12345, "vs_parse_u32(\"%s\") wrote %u on error",
				t->s, out);
	}
	CU_ASSERT(vs_parse_u32(NULL, 0, 10, &(uint32_t){ 0 }) == -EINVAL);
}

struct bool_case {
	const char *s;
	int ret;
	bool val;
};

static void
test_bool(void)
{
	static const struct bool_case cases[] = {
		{ "on", 0, true }, { "ON", 0, true }, { "yes", 0, true }, { "True", 0, true },
		{ "1", 0, true }, { "off", 0, false }, { "No", 0, false }, { "FALSE", 0, false },
		{ "0", 0, false },
		{ "", -EINVAL, false }, { "2", -EINVAL, false }, { "onn", -EINVAL, false },
		{ " on", -EINVAL, false }, { "on ", -EINVAL, false }, { "y", -EINVAL, false },
		{ "enable", -EINVAL, false }, { "-1", -EINVAL, false },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		const struct bool_case *t = &cases[i];
		bool out = !t->val;
		int ret = vs_parse_bool(t->s, &out);

		CHECK_ROW(ret == t->ret, "vs_parse_bool(\"%s\") = %d, want %d", t->s, ret, t->ret);
		if (t->ret == 0)
			CHECK_ROW(out == t->val, "vs_parse_bool(\"%s\") gave %d", t->s, out);
	}
	CU_ASSERT(vs_parse_bool(NULL, &(bool){ false }) == -EINVAL);
}

struct mac_case {
	const char *s;
	int ret;
	uint8_t b[RTE_ETHER_ADDR_LEN];
};

static void
test_mac(void)
{
	static const struct mac_case cases[] = {
		{ "52:54:00:00:01:01", 0, { 0x52, 0x54, 0x00, 0x00, 0x01, 0x01 } },
		{ "aa:bb:cc:dd:ee:ff", 0, { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff } },
		{ "AA:BB:CC:DD:EE:FF", 0, { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff } },
		{ "0a:1B:2c:3D:4e:5F", 0, { 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f } },
		{ "00:00:00:00:00:00", 0, { 0 } },
		{ "ff:ff:ff:ff:ff:ff", 0, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
		{ "52-54-00-00-01-01", -EINVAL, { 0 } },
		{ "52:54:00:00:01", -EINVAL, { 0 } },
		{ "52:54:00:00:01:01:02", -EINVAL, { 0 } },
		{ "52:54:00:00:01:1", -EINVAL, { 0 } },
		{ "52:54:00:00:1:01", -EINVAL, { 0 } },
		{ "5254.0000.0101", -EINVAL, { 0 } },
		{ "525400000101", -EINVAL, { 0 } },
		{ "52:54:00:00:01:0g", -EINVAL, { 0 } },
		{ "52:54:00:00:01:01 ", -EINVAL, { 0 } },
		{ " 52:54:00:00:01:01", -EINVAL, { 0 } },
		{ "52:54:00:00:01:01x", -EINVAL, { 0 } },
		{ "52:54:00:00:01-01", -EINVAL, { 0 } },
		{ "+2:54:00:00:01:01", -EINVAL, { 0 } },
		{ "", -EINVAL, { 0 } },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		const struct mac_case *t = &cases[i];
		struct rte_ether_addr out = { .addr_bytes = { 0xde, 0xad, 0xbe, 0xef, 0, 1 } };
		struct rte_ether_addr before = out;
		int ret = vs_parse_mac(t->s, &out);

		CHECK_ROW(ret == t->ret, "vs_parse_mac(\"%s\") = %d, want %d", t->s, ret, t->ret);
		if (t->ret == 0)
			CHECK_ROW(memcmp(out.addr_bytes, t->b, sizeof(t->b)) == 0,
				"vs_parse_mac(\"%s\") gave the wrong bytes", t->s);
		else
			CHECK_ROW(rte_is_same_ether_addr(&out, &before),
				"vs_parse_mac(\"%s\") wrote its output on error", t->s);
	}
	CU_ASSERT(vs_parse_mac(NULL, &(struct rte_ether_addr){ 0 }) == -EINVAL);
}

struct ipv4_case {
	const char *s;
	int ret;
	uint32_t host;   /* expected value in host byte order */
};

static void
test_ipv4(void)
{
	static const struct ipv4_case cases[] = {
		{ "192.0.2.1", 0, 0xc0000201 },
		{ "0.0.0.0", 0, 0 },
		{ "255.255.255.255", 0, 0xffffffff },
		{ "10.1.2.3", 0, 0x0a010203 },
		{ "010.0.0.1", 0, 0x0a000001 },   /* decimal, not octal as inet_aton */
		{ "1.2.3", -EINVAL, 0 },
		{ "256.1.1.1", -EINVAL, 0 },
		{ "1.2.3.256", -EINVAL, 0 },
		{ "1.2.3.4.5", -EINVAL, 0 },
		{ "1.2.3.4.", -EINVAL, 0 },
		{ "1..2.3", -EINVAL, 0 },
		{ ".1.2.3", -EINVAL, 0 },
		{ "1.2.3.0004", -EINVAL, 0 },
		{ "+1.2.3.4", -EINVAL, 0 },
		{ "-1.2.3.4", -EINVAL, 0 },
		{ "1.2.3.-4", -EINVAL, 0 },
		{ " 1.2.3.4", -EINVAL, 0 },
		{ "1.2.3.4 ", -EINVAL, 0 },
		{ "1.2.3.4/24", -EINVAL, 0 },
		{ "0x7f.0.0.1", -EINVAL, 0 },
		{ "a.b.c.d", -EINVAL, 0 },
		{ "16909060", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		const struct ipv4_case *t = &cases[i];
		rte_be32_t out = RTE_BE32(0x01020304);
		int ret = vs_parse_ipv4(t->s, &out);

		CHECK_ROW(ret == t->ret, "vs_parse_ipv4(\"%s\") = %d, want %d", t->s, ret, t->ret);
		if (t->ret == 0)
			CHECK_ROW(rte_be_to_cpu_32(out) == t->host,
				"vs_parse_ipv4(\"%s\") gave %08x, want %08x", t->s,
				rte_be_to_cpu_32(out), t->host);
		else
			CHECK_ROW(out == RTE_BE32(0x01020304),
				"vs_parse_ipv4(\"%s\") wrote its output on error", t->s);
	}
	CU_ASSERT(vs_parse_ipv4(NULL, &(rte_be32_t){ 0 }) == -EINVAL);
}

static void
test_vni(void)
{
	static const struct u32_case cases[] = {
		{ "0", 0, 0, 0, 0 },
		{ "100", 0, 0, 0, 100 },
		{ "16777215", 0, 0, 0, 16777215 },
		{ "16777216", 0, 0, -ERANGE, 0 },
		{ "4294967296", 0, 0, -ERANGE, 0 },
		{ "-1", 0, 0, -EINVAL, 0 },
		{ "+100", 0, 0, -EINVAL, 0 },
		{ "100x", 0, 0, -EINVAL, 0 },
		{ "0x64", 0, 0, -EINVAL, 0 },
		{ "", 0, 0, -EINVAL, 0 },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		const struct u32_case *t = &cases[i];
		uint32_t out = 12345;
		int ret = vs_parse_vni(t->s, &out);

		CHECK_ROW(ret == t->ret, "vs_parse_vni(\"%s\") = %d, want %d", t->s, ret, t->ret);
		if (t->ret == 0)
			CHECK_ROW(out == t->val, "vs_parse_vni(\"%s\") gave %u", t->s, out);
	}
}

static void
test_format(void)
{
	static const char *const ips[] = { "192.0.2.1", "0.0.0.0", "255.255.255.255", "10.0.0.1" };
	static const char *const macs[] = { "52:54:00:AB:CD:EF", "00:00:00:00:00:00",
		"FF:FF:FF:FF:FF:FF" };
	char buf[RTE_ETHER_ADDR_FMT_SIZE + 8];
	struct rte_ether_addr mac;
	rte_be32_t ip;
	unsigned int i;

	for (i = 0; i < RTE_DIM(ips); i++) {
		CU_ASSERT_FATAL(vs_parse_ipv4(ips[i], &ip) == 0);
		CU_ASSERT_STRING_EQUAL(vs_ipv4_str(ip, buf, sizeof(buf)), ips[i]);
	}
	for (i = 0; i < RTE_DIM(macs); i++) {
		CU_ASSERT_FATAL(vs_parse_mac(macs[i], &mac) == 0);
		CU_ASSERT_STRING_EQUAL(vs_mac_str(&mac, buf, sizeof(buf)), macs[i]);
	}
	/* lowercase input prints as the canonical form */
	CU_ASSERT_FATAL(vs_parse_mac("52:54:00:ab:cd:ef", &mac) == 0);
	CU_ASSERT_STRING_EQUAL(vs_mac_str(&mac, buf, sizeof(buf)), "52:54:00:AB:CD:EF");
	/* a short buffer is truncated, never overrun */
	memset(buf, 'x', sizeof(buf));
	CU_ASSERT_FATAL(vs_parse_ipv4("192.168.100.200", &ip) == 0);
	vs_ipv4_str(ip, buf, 8);
	CU_ASSERT_STRING_EQUAL(buf, "192.168");
	CU_ASSERT(buf[8] == 'x');
}

int
main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "vs_parse_u32", test_u32 },
		{ "vs_parse_bool", test_bool },
		{ "vs_parse_mac", test_mac },
		{ "vs_parse_ipv4", test_ipv4 },
		{ "vs_parse_vni", test_vni },
		{ "vs_ipv4_str and vs_mac_str", test_format },
	};
	CU_pSuite suite;
	unsigned int i, failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return CU_get_error();
	suite = CU_add_suite("common", NULL, NULL);
	if (suite == NULL)
		goto err;
	for (i = 0; i < RTE_DIM(tests); i++)
		if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL)
			goto err;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
err:
	CU_cleanup_registry();
	return EXIT_FAILURE;
}
