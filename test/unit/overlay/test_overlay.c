/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/overlay: VXLAN encapsulation against hand-written outer headers (IPv4
 * checksums worked out by hand, never by the code under test), the UDP source port hash,
 * and decapsulation of hand-written frames for the accept case, every drop reason and both
 * exceptions. Every test ends with the mbuf pool full again (no leaks).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include <CUnit/Basic.h>

#include <rte_byteorder.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vs_decap.h"
#include "vs_drop.h"
#include "vs_eal_files.h"
#include "vs_encap.h"
#include "vs_vxlan.h"

#define NB_MBUF 511
#define SEG_ROOM 2048	/* data room of each mbuf, after the headroom */

static struct vs_eal_files eal_files;

static struct rte_mempool *pool;

/* Scratch space for reading whole packets back. */
static uint8_t rd_buf[70000];
static uint8_t big_buf[70000];

static const struct rte_ether_addr mac_us = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
static const struct rte_ether_addr mac_nh = {{0x02, 0x00, 0x00, 0x00, 0x00, 0xfe}};

#define IP_US	RTE_BE32(RTE_IPV4(192, 0, 2, 1))
#define IP_PEER	RTE_BE32(RTE_IPV4(192, 0, 2, 2))
#define VXLAN_PORT 4789

/* A 60-byte guest frame: IPv4/UDP 10.0.0.1:1234 -> 10.0.0.2:5678, "vseal-overlay-test". */
static const uint8_t inner60[60] = {
	0x52, 0x54, 0x00, 0x00, 0x02, 0x02, 0x52, 0x54, 0x00, 0x00, 0x01, 0x01, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x2e, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x66, 0xbc,
	0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
	0x04, 0xd2, 0x16, 0x2e, 0x00, 0x1a, 0x00, 0x00,
	'v', 's', 'e', 'a', 'l', '-', 'o', 'v', 'e', 'r', 'l', 'a', 'y', '-', 't', 'e', 's', 't',
};

/*
 * VXLAN from 192.0.2.2 to us (192.0.2.1:4789), VNI 100, carrying inner60. IPv4 checksum
 * 0xa455 worked out by hand (one's complement sum of the header words).
 */
#define BASE_LEN 110
static const uint8_t base110[BASE_LEN] = {
	/* outer Ethernet: to us, from the peer, IPv4 */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x08, 0x00,
	/* IPv4: 14..33, total length 96, ID 0x1234, DF, TTL 64, UDP */
	0x45, 0x00, 0x00, 0x60, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0xa4, 0x55,
	0xc0, 0x00, 0x02, 0x02, 0xc0, 0x00, 0x02, 0x01,
	/* UDP: 34..41, 50000 -> 4789, length 76, checksum 0 */
	0xc3, 0x50, 0x12, 0xb5, 0x00, 0x4c, 0x00, 0x00,
	/* VXLAN: 42..49, I flag, VNI 100 */
	0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00,
	/* inner frame: 50..109 */
	0x52, 0x54, 0x00, 0x00, 0x02, 0x02, 0x52, 0x54, 0x00, 0x00, 0x01, 0x01, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x2e, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x66, 0xbc,
	0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
	0x04, 0xd2, 0x16, 0x2e, 0x00, 0x1a, 0x00, 0x00,
	'v', 's', 'e', 'a', 'l', '-', 'o', 'v', 'e', 'r', 'l', 'a', 'y', '-', 't', 'e', 's', 't',
};

/* --- helpers ---------------------------------------------------------------------------- */

/* Independent IPv4 header checksum: big-endian 16-bit words, end-around carry. */
static uint16_t
ref_cksum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Write a correct checksum into the outer IPv4 header of a frame (bytes 14..33). */
static void
fix_outer_cksum(uint8_t *f)
{
	uint16_t c;

	f[24] = 0;
	f[25] = 0;
	c = ref_cksum(f + 14, 20);
	f[24] = c >> 8;
	f[25] = c & 0xff;
}

static void
assert_pool_full(void)
{
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), NB_MBUF);
}

/* A chain holding data, cut into segments of the given lengths (the last takes the rest). */
static struct rte_mbuf *
mbuf_segs(const uint8_t *data, uint32_t len, const uint16_t *segs, unsigned int nsegs)
{
	struct rte_mbuf *head = NULL;
	struct rte_mbuf *m;
	uint32_t off = 0;
	unsigned int i;
	uint16_t n;
	char *p;

	for (i = 0; i == 0 || i < nsegs || off < len; i++) {
		n = i < nsegs ? segs[i] : RTE_MIN(len - off, (uint32_t)SEG_ROOM);
		if (i + 1 == nsegs && off + n < len)
			n = len - off;
		m = rte_pktmbuf_alloc(pool);
		if (m == NULL)
			goto fail;
		p = rte_pktmbuf_append(m, n);
		if (p == NULL) {
			rte_pktmbuf_free(m);
			goto fail;
		}
		memcpy(p, data + off, n);
		off += n;
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			goto fail;
		}
	}
	return head;
fail:
	rte_pktmbuf_free(head);
	return NULL;
}

static struct rte_mbuf *
mbuf_from(const uint8_t *data, uint32_t len)
{
	return mbuf_segs(data, len, NULL, 0);
}

/* True if m holds exactly the len bytes at exp. */
static bool
mbuf_is(const struct rte_mbuf *m, const uint8_t *exp, uint32_t len)
{
	const void *p;

	if (rte_pktmbuf_pkt_len(m) != len)
		return false;
	if (len == 0)
		return true;
	p = rte_pktmbuf_read(m, 0, len, rd_buf);
	return p != NULL && memcmp(p, exp, len) == 0;
}

/* Sum of data_len over the chain equals pkt_len, nb_segs matches: a sane chain. */
static bool
mbuf_sane(const struct rte_mbuf *m)
{
	const struct rte_mbuf *s;
	uint32_t len = 0;
	uint16_t n = 0;

	for (s = m; s != NULL; s = s->next) {
		len += s->data_len;
		n++;
	}
	return len == m->pkt_len && n == m->nb_segs;
}

/* --- encapsulation -------------------------------------------------------------------- */

static void
build_tmpl1(struct vs_encap_tmpl *t)
{
	vs_encap_tmpl_build(t, &mac_us, &mac_nh, IP_US, IP_PEER, VXLAN_PORT, 100, true);
}

static void
test_encap_template(void)
{
	/* Total length 0, source port 0; checksum over that header: 0xb6e9. */
	static const uint8_t exp1[VS_VXLAN_OUTER_LEN] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
		0x45, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb6, 0xe9,
		0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02,
		0x00, 0x00, 0x12, 0xb5, 0x00, 0x00, 0x00, 0x00,
		0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00,
	};
	/* No DF, VNI 0xabcdef (0x1abcdef masked to 24 bits), port 8472: checksum 0xc4d7. */
	static const uint8_t exp2[VS_VXLAN_OUTER_LEN] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01, 0x08, 0x00,
		0x45, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0xc4, 0xd7,
		0x0a, 0x01, 0x02, 0x03, 0xac, 0x10, 0xfe, 0x01,
		0x00, 0x00, 0x21, 0x18, 0x00, 0x00, 0x00, 0x00,
		0x08, 0x00, 0x00, 0x00, 0xab, 0xcd, 0xef, 0x00,
	};
	const struct rte_ether_addr src2 = {{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01}};
	const struct rte_ether_addr dst2 = {{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}};
	struct vs_encap_tmpl t;

	build_tmpl1(&t);
	CU_ASSERT(memcmp(&t.hdr, exp1, sizeof(exp1)) == 0);

	vs_encap_tmpl_build(&t, &src2, &dst2, RTE_BE32(RTE_IPV4(10, 1, 2, 3)),
		RTE_BE32(RTE_IPV4(172, 16, 254, 1)), 8472, 0x1abcdef, false);
	CU_ASSERT(memcmp(&t.hdr, exp2, sizeof(exp2)) == 0);
}

static void
test_encap_basic(void)
{
	/* inner60 to 192.0.2.2: total length 96, UDP length 76, checksum 0xb689. */
	static const uint8_t exp[VS_VXLAN_OUTER_LEN] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
		0x45, 0x00, 0x00, 0x60, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb6, 0x89,
		0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02,
		0x00, 0x00 /* source port: hash */, 0x12, 0xb5, 0x00, 0x4c, 0x00, 0x00,
		0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00,
	};
	struct vs_encap_tmpl t;
	struct rte_mbuf *m;
	const uint8_t *p;
	uint16_t sport;

	build_tmpl1(&t);
	m = mbuf_from(inner60, sizeof(inner60));
	CU_ASSERT_FATAL(m != NULL);
	sport = vs_encap_src_port(m);

	CU_ASSERT_EQUAL(vs_encap(m, &t, 0), 0);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), VS_VXLAN_OUTER_LEN + sizeof(inner60));
	CU_ASSERT_EQUAL(m->nb_segs, 1);
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	CU_ASSERT(memcmp(p, exp, 34) == 0);
	CU_ASSERT(memcmp(p + 36, exp + 36, VS_VXLAN_OUTER_LEN - 36) == 0);
	CU_ASSERT_EQUAL((p[34] << 8 | p[35]), sport);
	CU_ASSERT(sport >= 49152);
	CU_ASSERT(memcmp(p + VS_VXLAN_OUTER_LEN, inner60, sizeof(inner60)) == 0);
	/* No flags: offload metadata untouched. */
	CU_ASSERT_EQUAL(m->ol_flags, 0);
	CU_ASSERT_EQUAL(m->outer_l2_len, 0);
	CU_ASSERT_EQUAL(m->outer_l3_len, 0);
	CU_ASSERT_EQUAL(m->l2_len, 0);
	/* The template is only read. */
	CU_ASSERT_EQUAL(t.hdr.ip.total_length, 0);

	rte_pktmbuf_free(m);
	assert_pool_full();
}

/* A 1514-byte IPv6/TCP guest frame in two segments, through the second template. */
static void
test_encap_multiseg(void)
{
	/* total length 1550 (0x060e), UDP length 1530 (0x05fa), no DF: checksum 0xbec9. */
	static const uint8_t exp[VS_VXLAN_OUTER_LEN] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01, 0x08, 0x00,
		0x45, 0x00, 0x06, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0xbe, 0xc9,
		0x0a, 0x01, 0x02, 0x03, 0xac, 0x10, 0xfe, 0x01,
		0x00, 0x00, 0x21, 0x18, 0x05, 0xfa, 0x00, 0x00,
		0x08, 0x00, 0x00, 0x00, 0xab, 0xcd, 0xef, 0x00,
	};
	static const uint8_t hdr[14 + 40 + 4] = {
		0x52, 0x54, 0x00, 0x00, 0x02, 0x02, 0x52, 0x54, 0x00, 0x00, 0x01, 0x01, 0x86, 0xdd,
		0x60, 0x00, 0x00, 0x00, 0x05, 0xb4, 0x06, 0x40,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
		0x9c, 0x40, 0x00, 0x50,
	};
	const struct rte_ether_addr src2 = {{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01}};
	const struct rte_ether_addr dst2 = {{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}};
	const uint16_t segs[] = {1000, 514};
	struct vs_encap_tmpl t;
	struct rte_mbuf *m;
	const uint8_t *p;
	uint16_t sport;
	uint32_t i;

	memcpy(big_buf, hdr, sizeof(hdr));
	for (i = sizeof(hdr); i < 1514; i++)
		big_buf[i] = (uint8_t)(i * 7);
	vs_encap_tmpl_build(&t, &src2, &dst2, RTE_BE32(RTE_IPV4(10, 1, 2, 3)),
		RTE_BE32(RTE_IPV4(172, 16, 254, 1)), 8472, 0x1abcdef, false);
	m = mbuf_segs(big_buf, 1514, segs, 2);
	CU_ASSERT_FATAL(m != NULL);
	sport = vs_encap_src_port(m);

	CU_ASSERT_EQUAL(vs_encap(m, &t, 0), 0);
	CU_ASSERT_EQUAL(m->nb_segs, 2);
	CU_ASSERT_EQUAL(m->data_len, 1050);
	CU_ASSERT(mbuf_sane(m));
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	CU_ASSERT(memcmp(p, exp, 34) == 0);
	CU_ASSERT(memcmp(p + 36, exp + 36, VS_VXLAN_OUTER_LEN - 36) == 0);
	CU_ASSERT_EQUAL((p[34] << 8 | p[35]), sport);
	CU_ASSERT(rte_pktmbuf_read(m, VS_VXLAN_OUTER_LEN, 1514, rd_buf) != NULL &&
		memcmp(rd_buf, big_buf, 1514) == 0);

	rte_pktmbuf_free(m);
	assert_pool_full();
}

/* Longest inner frame: outer total length 0xffff; one byte more is refused. */
static void
test_encap_max_len(void)
{
	static const uint8_t exp_ip[20] = {
		/* 0xb6e9 + 0xffff in one's complement is 0xb6e9 again */
		0x45, 0x00, 0xff, 0xff, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb6, 0xe9,
		0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02,
	};
	struct vs_encap_tmpl t;
	struct rte_mbuf *m;
	const uint8_t *p;
	uint32_t i;

	CU_ASSERT_EQUAL(VS_ENCAP_INNER_MAX, 65499);
	memcpy(big_buf, inner60, 14);
	for (i = 14; i < 65500; i++)
		big_buf[i] = (uint8_t)i;
	build_tmpl1(&t);

	m = mbuf_from(big_buf, 65500);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vs_encap(m, &t, 0), -EMSGSIZE);
	CU_ASSERT(mbuf_is(m, big_buf, 65500));
	rte_pktmbuf_free(m);

	m = mbuf_from(big_buf, 65499);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vs_encap(m, &t, 0), 0);
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	CU_ASSERT(memcmp(p + 14, exp_ip, sizeof(exp_ip)) == 0);
	CU_ASSERT_EQUAL(p[38], 0xff);	/* UDP length 65515 */
	CU_ASSERT_EQUAL(p[39], 0xeb);
	CU_ASSERT_EQUAL(ref_cksum(p + 14, 20), 0);
	rte_pktmbuf_free(m);
	assert_pool_full();
}

static void
test_encap_offload_flags(void)
{
	const uint64_t inner_ol = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_UDP_CKSUM;
	const uint64_t tun = RTE_MBUF_F_TX_OUTER_IPV4 | RTE_MBUF_F_TX_TUNNEL_VXLAN;
	struct vs_encap_tmpl t;
	struct rte_mbuf *m;
	const uint8_t *p;

	build_tmpl1(&t);

	/* Outer checksum offloaded: field 0, flag set, lengths as mbuf_lib.rst says. */
	m = mbuf_from(inner60, sizeof(inner60));
	CU_ASSERT_FATAL(m != NULL);
	m->l2_len = 14;
	m->l3_len = 20;
	m->ol_flags = inner_ol;
	CU_ASSERT_EQUAL(vs_encap(m, &t, VS_ENCAP_F_OL_OUTER_CKSUM), 0);
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	CU_ASSERT_EQUAL(p[24], 0);
	CU_ASSERT_EQUAL(p[25], 0);
	CU_ASSERT_EQUAL(m->outer_l2_len, 14);
	CU_ASSERT_EQUAL(m->outer_l3_len, 20);
	CU_ASSERT_EQUAL(m->l2_len, 8 + 8 + 14);
	CU_ASSERT_EQUAL(m->l3_len, 20);
	CU_ASSERT_EQUAL(m->ol_flags, inner_ol | tun | RTE_MBUF_F_TX_OUTER_IP_CKSUM);
	rte_pktmbuf_free(m);

	/* Tunnel metadata only: checksum in software (0xb689 by hand). */
	m = mbuf_from(inner60, sizeof(inner60));
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vs_encap(m, &t, VS_ENCAP_F_OL_TUNNEL), 0);
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	CU_ASSERT_EQUAL(p[24], 0xb6);
	CU_ASSERT_EQUAL(p[25], 0x89);
	CU_ASSERT_EQUAL(m->outer_l2_len, 14);
	CU_ASSERT_EQUAL(m->outer_l3_len, 20);
	CU_ASSERT_EQUAL(m->l2_len, 8 + 8 + 14);	/* l2_len was 0: inner Ethernet assumed */
	CU_ASSERT_EQUAL(m->ol_flags, tun);
	rte_pktmbuf_free(m);
	assert_pool_full();
}

static void
test_encap_errors(void)
{
	struct vs_encap_tmpl t;
	struct rte_mbuf *m;
	struct rte_mbuf *c;
	char *p;

	build_tmpl1(&t);

	/* 49 bytes of headroom: -ENOSPC, nothing changed. */
	m = rte_pktmbuf_alloc(pool);
	CU_ASSERT_FATAL(m != NULL);
	m->data_off = 49;
	p = rte_pktmbuf_append(m, sizeof(inner60));
	CU_ASSERT_FATAL(p != NULL);
	memcpy(p, inner60, sizeof(inner60));
	CU_ASSERT_EQUAL(vs_encap(m, &t, 0), -ENOSPC);
	CU_ASSERT_EQUAL(m->data_off, 49);
	CU_ASSERT(mbuf_is(m, inner60, sizeof(inner60)));
	rte_pktmbuf_free(m);

	/* Exactly 50: fits. */
	m = rte_pktmbuf_alloc(pool);
	CU_ASSERT_FATAL(m != NULL);
	m->data_off = 50;
	p = rte_pktmbuf_append(m, sizeof(inner60));
	CU_ASSERT_FATAL(p != NULL);
	memcpy(p, inner60, sizeof(inner60));
	CU_ASSERT_EQUAL(vs_encap(m, &t, 0), 0);
	CU_ASSERT_EQUAL(m->data_off, 0);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 110);
	rte_pktmbuf_free(m);

	/* A clone shares its headroom: refused for the clone and for the original. */
	m = mbuf_from(inner60, sizeof(inner60));
	CU_ASSERT_FATAL(m != NULL);
	c = rte_pktmbuf_clone(m, pool);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(vs_encap(c, &t, 0), -EPERM);
	CU_ASSERT_EQUAL(vs_encap(m, &t, 0), -EPERM);
	CU_ASSERT(mbuf_is(c, inner60, sizeof(inner60)));
	CU_ASSERT(mbuf_is(m, inner60, sizeof(inner60)));
	rte_pktmbuf_free(c);
	CU_ASSERT_EQUAL(vs_encap(m, &t, 0), 0);
	rte_pktmbuf_free(m);

	/* A second reference to the same mbuf: refused. */
	m = mbuf_from(inner60, sizeof(inner60));
	CU_ASSERT_FATAL(m != NULL);
	rte_mbuf_refcnt_update(m, 1);
	CU_ASSERT_EQUAL(vs_encap(m, &t, 0), -EPERM);
	rte_mbuf_refcnt_update(m, -1);
	CU_ASSERT(mbuf_is(m, inner60, sizeof(inner60)));
	rte_pktmbuf_free(m);
	assert_pool_full();
}

/* --- UDP source port ------------------------------------------------------------------ */

static uint8_t port_seen[65536];

/* Inner frame kinds the spread test varies. */
enum flow_kind { FLOW_TCP4_SPORT, FLOW_IP4_SRC, FLOW_UDP6_DST, FLOW_L2_SRC };

static uint32_t
flow_frame(uint8_t *f, enum flow_kind kind, uint32_t i)
{
	memcpy(f, inner60, sizeof(inner60));
	switch (kind) {
	case FLOW_TCP4_SPORT:	/* TCP 10.0.0.1:(10000+i) -> 10.0.0.2:5678 */
		f[23] = IPPROTO_TCP;
		f[34] = (uint8_t)((10000 + i) >> 8);
		f[35] = (uint8_t)(10000 + i);
		return 60;
	case FLOW_IP4_SRC:	/* UDP from 10.0.x.y */
		f[28] = (uint8_t)(i >> 8);
		f[29] = (uint8_t)i;
		return 60;
	case FLOW_UDP6_DST:	/* UDP over IPv6 to 2001:db8::(i) */
		memset(f + 12, 0, 62);
		f[12] = 0x86;
		f[13] = 0xdd;
		f[14] = 0x60;
		f[19] = 8;
		f[20] = IPPROTO_UDP;
		f[21] = 64;
		f[22] = 0x20;
		f[23] = 0x01;
		f[24] = 0x0d;
		f[25] = 0xb8;
		f[37] = 1;
		f[38] = 0x20;
		f[39] = 0x01;
		f[40] = 0x0d;
		f[41] = 0xb8;
		f[52] = (uint8_t)(i >> 8);
		f[53] = (uint8_t)i;
		f[54] = 0x30;
		f[55] = 0x39;
		f[56] = 0x30;
		f[57] = 0x39;
		return 74;
	case FLOW_L2_SRC:	/* non-IP frames from 52:54:00:00:x:y */
		f[10] = (uint8_t)(i >> 8);
		f[11] = (uint8_t)i;
		f[12] = 0x88;
		f[13] = 0xb5;
		return 60;
	}
	return 0;
}

static void
test_sport_spread(void)
{
	static const enum flow_kind kinds[] = {
		FLOW_TCP4_SPORT, FLOW_IP4_SRC, FLOW_UDP6_DST, FLOW_L2_SRC,
	};
	uint8_t f[80];
	uint32_t bucket[16];
	struct rte_mbuf *m;
	unsigned int k;
	uint32_t distinct;
	uint32_t i;
	uint32_t len;
	uint16_t port;
	double chi2;

	for (k = 0; k < RTE_DIM(kinds); k++) {
		memset(port_seen, 0, sizeof(port_seen));
		memset(bucket, 0, sizeof(bucket));
		distinct = 0;
		for (i = 0; i < 1000; i++) {
			len = flow_frame(f, kinds[k], i);
			m = mbuf_from(f, len);
			CU_ASSERT_FATAL(m != NULL);
			port = vs_encap_src_port(m);
			rte_pktmbuf_free(m);
			CU_ASSERT(port >= VS_ENCAP_SPORT_MIN);
			if (!port_seen[port])
				distinct++;
			port_seen[port] = 1;
			bucket[(port - VS_ENCAP_SPORT_MIN) >> 10]++;
		}
		/* 1000 random draws from 16384 ports leave ~970 distinct. */
		CU_ASSERT(distinct >= 900);
		/* 16 equal ranges, 62.5 expected in each; chi-square, 15 dof, p=0.001: 37.7. */
		chi2 = 0;
		for (i = 0; i < 16; i++)
			chi2 += (bucket[i] - 62.5) * (bucket[i] - 62.5) / 62.5;
		CU_ASSERT(chi2 < 37.7);
		if (distinct < 900 || chi2 >= 37.7)
			printf("\n  flow kind %u: %u distinct, chi2 %.1f\n",
				(unsigned int)kinds[k], distinct, chi2);
	}
	assert_pool_full();
}

static void
test_sport_stable(void)
{
	uint8_t f[200];
	uint8_t g[60];
	struct rte_mbuf *m;
	uint16_t segs[2];
	uint16_t port;
	uint16_t p2;
	uint32_t split;

	m = mbuf_from(inner60, sizeof(inner60));
	CU_ASSERT_FATAL(m != NULL);
	port = vs_encap_src_port(m);
	CU_ASSERT(port >= VS_ENCAP_SPORT_MIN);
	CU_ASSERT_EQUAL(vs_encap_src_port(m), port);
	rte_pktmbuf_free(m);

	/* Same flow, other payload and length: same port. */
	memcpy(f, inner60, sizeof(inner60));
	memset(f + 42, 0x5a, sizeof(f) - 42);
	m = mbuf_from(f, sizeof(f));
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vs_encap_src_port(m), port);
	rte_pktmbuf_free(m);

	/* Any segment layout: same port. */
	for (split = 1; split < sizeof(inner60); split++) {
		segs[0] = split;
		segs[1] = sizeof(inner60) - split;
		m = mbuf_segs(inner60, sizeof(inner60), segs, 2);
		CU_ASSERT_FATAL(m != NULL);
		CU_ASSERT_EQUAL(vs_encap_src_port(m), port);
		rte_pktmbuf_free(m);
	}

	/* Other destination port: another flow, another source port (for these values). */
	memcpy(g, inner60, sizeof(g));
	g[37] = 0x2f;
	m = mbuf_from(g, sizeof(g));
	CU_ASSERT_FATAL(m != NULL);
	p2 = vs_encap_src_port(m);
	CU_ASSERT_NOT_EQUAL(p2, port);
	rte_pktmbuf_free(m);

	/* IPv4 fragments: "ports" are not hashed, so every fragment of one datagram agrees. */
	memcpy(g, inner60, sizeof(g));
	g[20] = 0x20;	/* MF */
	m = mbuf_from(g, sizeof(g));
	CU_ASSERT_FATAL(m != NULL);
	port = vs_encap_src_port(m);
	rte_pktmbuf_free(m);
	g[20] = 0x00;
	g[21] = 0xb9;	/* a later fragment: payload bytes where the ports were */
	g[34] = 0xde;
	g[35] = 0xad;
	g[36] = 0xbe;
	g[37] = 0xef;
	m = mbuf_from(g, sizeof(g));
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vs_encap_src_port(m), port);
	rte_pktmbuf_free(m);

	/* Runt frame: still a port in range, no crash. */
	m = mbuf_from(inner60, 5);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT(vs_encap_src_port(m) >= VS_ENCAP_SPORT_MIN);
	rte_pktmbuf_free(m);
	assert_pool_full();
}

/* --- decapsulation -------------------------------------------------------------------- */

struct patch {
	uint16_t off;
	uint8_t val;
};

struct decap_case {
	const char *name;
	int len;			/* frame length, or WHOLE: BASE_LEN */
	bool fix_cksum;			/* recompute the outer IPv4 checksum after patching */
	uint64_t ol_flags;
	enum vs_decap_verdict verdict;
	enum vs_drop_reason drop;
	unsigned int npatch;
	struct patch patch[6];
};

#define P(o, v) { (o), (v) }
#define WHOLE (-1)

static const struct decap_case decap_cases[] = {
	{ "runt", 13, false, 0, VS_DECAP_DROP, VS_DROP_RUNT, 0, { P(0, 0) } },
	{ "empty", 0, false, 0, VS_DECAP_DROP, VS_DROP_RUNT, 0, { P(0, 0) } },
	{ "ARP", WHOLE, false, 0, VS_DECAP_EXC_ARP, VS_DROP_MAX, 2, { P(12, 0x08), P(13, 0x06) } },
	{ "ARP runt", 13, false, 0, VS_DECAP_DROP, VS_DROP_RUNT, 2,
		{ P(12, 0x08), P(13, 0x06) } },
	{ "IPv6 underlay", WHOLE, false, 0, VS_DECAP_DROP, VS_DROP_UNDERLAY_PROTO, 2,
		{ P(12, 0x86), P(13, 0xdd) } },
	{ "VLAN-tagged underlay", WHOLE, false, 0, VS_DECAP_DROP, VS_DROP_UNDERLAY_PROTO, 2,
		{ P(12, 0x81), P(13, 0x00) } },
	{ "IPv4 header cut", 33, false, 0, VS_DECAP_DROP, VS_DROP_IP_MALFORMED, 0, { P(0, 0) } },
	{ "Ethernet header only", 14, false, 0, VS_DECAP_DROP, VS_DROP_IP_MALFORMED, 0,
		{ P(0, 0) } },
	{ "version 6", WHOLE, true, 0, VS_DECAP_DROP, VS_DROP_IP_MALFORMED, 1, { P(14, 0x65) } },
	{ "IHL 4", WHOLE, true, 0, VS_DECAP_DROP, VS_DROP_IP_MALFORMED, 1, { P(14, 0x44) } },
	{ "total length past frame", WHOLE, true, 0, VS_DECAP_DROP, VS_DROP_IP_MALFORMED, 1,
		{ P(17, 0x61) } },
	{ "total length below IHL", WHOLE, true, 0, VS_DECAP_DROP, VS_DROP_IP_MALFORMED, 1,
		{ P(17, 0x13) } },
	{ "frame cut inside packet", 80, false, 0, VS_DECAP_DROP, VS_DROP_IP_MALFORMED, 0,
		{ P(0, 0) } },
	{ "bad checksum", WHOLE, false, 0, VS_DECAP_DROP, VS_DROP_IP_MALFORMED, 1,
		{ P(25, 0x54) } },
	{ "NIC: checksum bad", WHOLE, false, RTE_MBUF_F_RX_IP_CKSUM_BAD, VS_DECAP_DROP,
		VS_DROP_IP_MALFORMED, 0, { P(0, 0) } },
	{ "NIC: checksum good", WHOLE, false, RTE_MBUF_F_RX_IP_CKSUM_GOOD, VS_DECAP_ACCEPT,
		VS_DROP_MAX, 1, { P(25, 0x54) } },
	{ "options", WHOLE, true, 0, VS_DECAP_DROP, VS_DROP_IP_OPTIONS, 1, { P(14, 0x46) } },
	{ "options and version 5", WHOLE, true, 0, VS_DECAP_DROP, VS_DROP_IP_MALFORMED, 1,
		{ P(14, 0x56) } },
	{ "more fragments", WHOLE, true, 0, VS_DECAP_DROP, VS_DROP_IP_FRAGMENT, 1,
		{ P(20, 0x20) } },
	{ "fragment offset", WHOLE, true, 0, VS_DECAP_DROP, VS_DROP_IP_FRAGMENT, 2,
		{ P(20, 0x00), P(21, 0x01) } },
	{ "fragment offset high bits", WHOLE, true, 0, VS_DECAP_DROP, VS_DROP_IP_FRAGMENT, 1,
		{ P(20, 0x50) } },
	{ "fragment not for us", WHOLE, true, 0, VS_DECAP_DROP, VS_DROP_IP_FRAGMENT, 2,
		{ P(20, 0x20), P(33, 0x03) } },
	{ "not our IP", WHOLE, true, 0, VS_DECAP_DROP, VS_DROP_NOT_OUR_IP, 1, { P(33, 0x03) } },
	{ "ICMP", WHOLE, true, 0, VS_DECAP_EXC_ICMP, VS_DROP_MAX, 1, { P(23, 0x01) } },
	{ "ICMP not for us", WHOLE, true, 0, VS_DECAP_DROP, VS_DROP_NOT_OUR_IP, 2,
		{ P(23, 0x01), P(30, 0x0a) } },
	{ "TCP", WHOLE, true, 0, VS_DECAP_DROP, VS_DROP_NOT_UDP, 1, { P(23, 0x06) } },
	{ "GRE", WHOLE, true, 0, VS_DECAP_DROP, VS_DROP_NOT_UDP, 1, { P(23, 0x2f) } },
	{ "UDP header truncated", WHOLE, true, 0, VS_DECAP_DROP, VS_DROP_VXLAN_TRUNC, 1,
		{ P(17, 0x18) } },
	{ "UDP header cut, short frame", 38, true, 0, VS_DECAP_DROP, VS_DROP_VXLAN_TRUNC, 1,
		{ P(17, 0x18) } },
	{ "wrong port", WHOLE, false, 0, VS_DECAP_DROP, VS_DROP_WRONG_PORT, 2,
		{ P(36, 0x17), P(37, 0xc1) } },
	{ "port byte-swapped", WHOLE, false, 0, VS_DECAP_DROP, VS_DROP_WRONG_PORT, 2,
		{ P(36, 0xb5), P(37, 0x12) } },
	{ "wrong port and I flag clear", WHOLE, false, 0, VS_DECAP_DROP, VS_DROP_WRONG_PORT, 2,
		{ P(37, 0xb6), P(42, 0x00) } },
	{ "UDP length below 16", WHOLE, false, 0, VS_DECAP_DROP, VS_DROP_VXLAN_TRUNC, 1,
		{ P(39, 0x0f) } },
	{ "UDP length past IPv4", WHOLE, false, 0, VS_DECAP_DROP, VS_DROP_VXLAN_TRUNC, 1,
		{ P(39, 0x4d) } },
	{ "VXLAN header cut", 46, true, 0, VS_DECAP_DROP, VS_DROP_VXLAN_TRUNC, 2,
		{ P(17, 0x20), P(39, 0x0c) } },
	{ "I flag clear", WHOLE, false, 0, VS_DECAP_DROP, VS_DROP_VXLAN_NO_I, 1, { P(42, 0x00) } },
	{ "reserved flags only", WHOLE, false, 0, VS_DECAP_DROP, VS_DROP_VXLAN_NO_I, 1,
		{ P(42, 0xf7) } },
	{ "I flag clear, inner VLAN", WHOLE, false, 0, VS_DECAP_DROP, VS_DROP_VXLAN_NO_I, 3,
		{ P(42, 0x00), P(62, 0x81), P(63, 0x00) } },
	{ "reserved bits set", WHOLE, false, 0, VS_DECAP_ACCEPT, VS_DROP_MAX, 5,
		{ P(42, 0xff), P(43, 0xff), P(44, 0xff), P(45, 0xff), P(49, 0xff) } },
	{ "inner runt", 63, true, 0, VS_DECAP_DROP, VS_DROP_INNER_RUNT, 2,
		{ P(17, 0x31), P(39, 0x1d) } },
	{ "inner empty", 50, true, 0, VS_DECAP_DROP, VS_DROP_INNER_RUNT, 2,
		{ P(17, 0x24), P(39, 0x10) } },
	{ "inner runt, padded frame", WHOLE, false, 0, VS_DECAP_DROP, VS_DROP_INNER_RUNT, 1,
		{ P(39, 0x1d) } },
	{ "inner 802.1Q", WHOLE, false, 0, VS_DECAP_DROP, VS_DROP_INNER_VLAN, 2,
		{ P(62, 0x81), P(63, 0x00) } },
	{ "inner 802.1ad", WHOLE, false, 0, VS_DECAP_DROP, VS_DROP_INNER_VLAN, 2,
		{ P(62, 0x88), P(63, 0xa8) } },
};

static void
test_decap_table(void)
{
	uint8_t f[BASE_LEN];
	const struct decap_case *c;
	struct vs_decap_meta meta;
	enum vs_decap_verdict v;
	struct rte_mbuf *m;
	unsigned int i;
	unsigned int j;
	uint16_t len;
	uint16_t data_off;
	bool ok;

	for (i = 0; i < RTE_DIM(decap_cases); i++) {
		c = &decap_cases[i];
		memcpy(f, base110, sizeof(f));
		for (j = 0; j < c->npatch; j++)
			f[c->patch[j].off] = c->patch[j].val;
		if (c->fix_cksum)
			fix_outer_cksum(f);
		len = c->len == WHOLE ? BASE_LEN : (uint16_t)c->len;
		m = mbuf_from(f, len);
		CU_ASSERT_FATAL(m != NULL);
		m->ol_flags = c->ol_flags;
		data_off = m->data_off;

		memset(&meta, 0xa5, sizeof(meta));
		v = vs_decap(m, IP_US, VXLAN_PORT, &meta);
		ok = v == c->verdict;
		if (v == VS_DECAP_DROP)
			ok = ok && meta.drop == c->drop;
		else
			ok = ok && meta.drop == VS_DROP_MAX;
		if (v == VS_DECAP_ACCEPT)
			ok = ok && meta.vni == 100 && meta.outer_src == IP_PEER &&
				mbuf_is(m, base110 + VS_VXLAN_OUTER_LEN, 60);
		else
			/* Drops and exceptions leave the frame as it was. */
			ok = ok && mbuf_is(m, f, len) && m->data_off == data_off;
		CU_ASSERT(ok);
		if (!ok)
			printf("\n  case \"%s\": verdict %d drop %s (%d)\n", c->name, v,
				vs_drop_name(meta.drop), meta.drop);
		rte_pktmbuf_free(m);
	}
	assert_pool_full();
}

/* Table sanity: the patched checksums the table relies on are right, base is valid. */
static void
test_decap_vectors(void)
{
	CU_ASSERT_EQUAL(ref_cksum(base110 + 14, 20), 0);
	CU_ASSERT_EQUAL(ref_cksum(inner60 + 14, 20), 0);
}

static void
test_decap_accept(void)
{
	struct vs_decap_meta meta;
	struct rte_mbuf *m;
	uint8_t f[BASE_LEN];

	m = mbuf_from(base110, BASE_LEN);
	CU_ASSERT_FATAL(m != NULL);
	m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD |
		RTE_MBUF_F_RX_RSS_HASH;
	m->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_UDP;
	CU_ASSERT_EQUAL(vs_decap(m, IP_US, VXLAN_PORT, &meta), VS_DECAP_ACCEPT);
	CU_ASSERT_EQUAL(meta.vni, 100);
	CU_ASSERT_EQUAL(meta.outer_src, IP_PEER);
	CU_ASSERT_EQUAL(meta.drop, VS_DROP_MAX);
	CU_ASSERT_EQUAL(m->pkt_len, 60);
	CU_ASSERT_EQUAL(m->data_len, 60);
	CU_ASSERT_EQUAL(m->nb_segs, 1);
	CU_ASSERT(memcmp(rte_pktmbuf_mtod(m, const uint8_t *), inner60, 60) == 0);
	CU_ASSERT_EQUAL(m->packet_type, RTE_PTYPE_UNKNOWN);
	CU_ASSERT_EQUAL(m->ol_flags, RTE_MBUF_F_RX_RSS_HASH);
	rte_pktmbuf_free(m);

	/* Largest VNI, another port and VTEP address. */
	memcpy(f, base110, sizeof(f));
	f[30] = 10;
	f[31] = 9;
	f[32] = 8;
	f[33] = 7;
	f[36] = 0x21;
	f[37] = 0x18;
	f[46] = 0xff;
	f[47] = 0xff;
	f[48] = 0xff;
	fix_outer_cksum(f);
	m = mbuf_from(f, BASE_LEN);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vs_decap(m, IP_US, VXLAN_PORT, &meta), VS_DECAP_DROP);
	CU_ASSERT_EQUAL(meta.drop, VS_DROP_NOT_OUR_IP);
	CU_ASSERT_EQUAL(vs_decap(m, RTE_BE32(RTE_IPV4(10, 9, 8, 7)), VXLAN_PORT, &meta),
		VS_DECAP_DROP);
	CU_ASSERT_EQUAL(meta.drop, VS_DROP_WRONG_PORT);
	CU_ASSERT_EQUAL(vs_decap(m, RTE_BE32(RTE_IPV4(10, 9, 8, 7)), 8472, &meta),
		VS_DECAP_ACCEPT);
	CU_ASSERT_EQUAL(meta.vni, 0xffffff);
	CU_ASSERT(mbuf_is(m, inner60, 60));
	rte_pktmbuf_free(m);
	assert_pool_full();
}

/* Ethernet padding and bytes past the UDP length are trimmed. */
static void
test_decap_trim(void)
{
	uint8_t f[BASE_LEN + 64];
	struct vs_decap_meta meta;
	struct rte_mbuf *m;
	const uint16_t segs[] = {60, 10, 30};

	/* 20-byte inner frame (UDP 36, IPv4 56) in a frame padded with 10 bytes. */
	memcpy(f, base110, 70);
	f[17] = 56;
	f[39] = 36;
	fix_outer_cksum(f);
	CU_ASSERT_EQUAL(f[24], 0xa4);	/* 0xa47d by hand */
	CU_ASSERT_EQUAL(f[25], 0x7d);
	memset(f + 70, 0xee, 10);
	m = mbuf_from(f, 80);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vs_decap(m, IP_US, VXLAN_PORT, &meta), VS_DECAP_ACCEPT);
	CU_ASSERT(mbuf_is(m, base110 + 50, 20));
	CU_ASSERT_EQUAL(m->data_len, 20);
	rte_pktmbuf_free(m);

	/* UDP length 75 in an IPv4 packet of 96: the byte after the UDP datagram goes. */
	memcpy(f, base110, BASE_LEN);
	f[39] = 75;
	m = mbuf_from(f, BASE_LEN);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vs_decap(m, IP_US, VXLAN_PORT, &meta), VS_DECAP_ACCEPT);
	CU_ASSERT(mbuf_is(m, base110 + 50, 59));
	rte_pktmbuf_free(m);

	/* Padding spread over segments: the ones left empty are freed. */
	memcpy(f, base110, 70);
	f[17] = 56;
	f[39] = 36;
	fix_outer_cksum(f);
	memset(f + 70, 0xee, 30);
	m = mbuf_segs(f, 100, segs, 3);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(m->nb_segs, 3);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), NB_MBUF - 3);
	CU_ASSERT_EQUAL(vs_decap(m, IP_US, VXLAN_PORT, &meta), VS_DECAP_ACCEPT);
	CU_ASSERT(mbuf_is(m, base110 + 50, 20));
	CU_ASSERT_EQUAL(m->nb_segs, 2);
	CU_ASSERT(mbuf_sane(m));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), NB_MBUF - 2);
	rte_pktmbuf_free(m);
	assert_pool_full();
}

/* Every two- and three-segment layout of the base frame (and of a padded one) decaps. */
static void
test_decap_multiseg(void)
{
	uint8_t f[BASE_LEN + 20];
	struct vs_decap_meta meta;
	struct rte_mbuf *m;
	uint16_t segs[3];
	uint32_t a;
	uint32_t b;
	uint32_t len;
	unsigned int fails = 0;

	memcpy(f, base110, BASE_LEN);
	memset(f + BASE_LEN, 0, 20);	/* padding after the IPv4 packet */

	for (len = BASE_LEN; len <= BASE_LEN + 20; len += 20) {
		for (a = 1; a < len; a++) {
			segs[0] = a;
			segs[1] = len - a;
			m = mbuf_segs(f, len, segs, 2);
			CU_ASSERT_FATAL(m != NULL);
			if (vs_decap(m, IP_US, VXLAN_PORT, &meta) != VS_DECAP_ACCEPT ||
					meta.vni != 100 || !mbuf_is(m, inner60, 60) ||
					!mbuf_sane(m) || m->data_len < RTE_ETHER_HDR_LEN ||
					memcmp(rte_pktmbuf_mtod(m, const uint8_t *), inner60,
						RTE_ETHER_HDR_LEN) != 0)
				fails++;
			rte_pktmbuf_free(m);
		}
		for (a = 0; a < 70; a += 3) {
			for (b = 0; a + b < len; b += 7) {
				segs[0] = a;
				segs[1] = b;
				segs[2] = len - a - b;
				m = mbuf_segs(f, len, segs, 3);
				CU_ASSERT_FATAL(m != NULL);
				if (vs_decap(m, IP_US, VXLAN_PORT, &meta) != VS_DECAP_ACCEPT ||
						!mbuf_is(m, inner60, 60) || !mbuf_sane(m) ||
						m->data_len < RTE_ETHER_HDR_LEN)
					fails++;
				rte_pktmbuf_free(m);
			}
		}
	}
	CU_ASSERT_EQUAL(fails, 0);
	assert_pool_full();
}

/*
 * A clone's first segment shares its buffer: when it is too short to hold the headers,
 * they cannot be pulled up into it. Dropped, and the original is untouched.
 */
static void
test_decap_shared_head(void)
{
	struct vs_decap_meta meta;
	struct rte_mbuf *m;
	struct rte_mbuf *c;
	const uint16_t short_head[] = {20, 90};
	const uint16_t long_head[] = {70, 40};

	m = mbuf_segs(base110, BASE_LEN, short_head, 2);
	CU_ASSERT_FATAL(m != NULL);
	c = rte_pktmbuf_clone(m, pool);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(vs_decap(c, IP_US, VXLAN_PORT, &meta), VS_DECAP_DROP);
	CU_ASSERT_EQUAL(meta.drop, VS_DROP_VXLAN_TRUNC);
	CU_ASSERT(mbuf_is(c, base110, BASE_LEN));
	CU_ASSERT(mbuf_is(m, base110, BASE_LEN));
	rte_pktmbuf_free(c);
	rte_pktmbuf_free(m);

	/* Headers within the shared first segment: fine, the buffer is only read. */
	m = mbuf_segs(base110, BASE_LEN, long_head, 2);
	CU_ASSERT_FATAL(m != NULL);
	c = rte_pktmbuf_clone(m, pool);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(vs_decap(c, IP_US, VXLAN_PORT, &meta), VS_DECAP_ACCEPT);
	CU_ASSERT(mbuf_is(c, inner60, 60));
	CU_ASSERT(mbuf_is(m, base110, BASE_LEN));
	rte_pktmbuf_free(c);
	rte_pktmbuf_free(m);
	assert_pool_full();
}

/* What encap sends, decap takes back: the inner frame, VNI and our address. */
static void
test_roundtrip(void)
{
	struct vs_encap_tmpl t;
	struct vs_decap_meta meta;
	struct rte_mbuf *m;

	vs_encap_tmpl_build(&t, &mac_nh, &mac_us, IP_PEER, IP_US, VXLAN_PORT, 4242, true);
	m = mbuf_from(inner60, sizeof(inner60));
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vs_encap(m, &t, 0), 0);
	CU_ASSERT_EQUAL(vs_decap(m, IP_US, VXLAN_PORT, &meta), VS_DECAP_ACCEPT);
	CU_ASSERT_EQUAL(meta.vni, 4242);
	CU_ASSERT_EQUAL(meta.outer_src, IP_PEER);
	CU_ASSERT(mbuf_is(m, inner60, sizeof(inner60)));
	rte_pktmbuf_free(m);
	assert_pool_full();
}

/* --- main ----------------------------------------------------------------------------- */

/*
 * vs_encap_fast(), the worker's inlined path, against vs_encap() and the VNI written: the
 * same bytes and lengths for every flow kind and size; and the frames it must leave to the
 * general path come back unchanged.
 */
static void
test_encap_fast(void)
{
	static const enum flow_kind kinds[] = {
		FLOW_TCP4_SPORT, FLOW_IP4_SRC, FLOW_UDP6_DST, FLOW_L2_SRC,
	};
	const rte_be32_t vni_field = rte_cpu_to_be_32(0x123456 << 8);
	struct vs_encap_tmpl t;
	struct rte_mbuf *a, *b, *c;
	uint8_t f[80];
	unsigned int k;
	uint32_t i, len;

	build_tmpl1(&t);
	for (k = 0; k < RTE_DIM(kinds); k++) {
		for (i = 0; i < 64; i++) {
			len = flow_frame(f, kinds[k], i);
			/* Cut some: frames shorter than the flat hash reads take the general one. */
			if (i % 8 == 7)
				len = 14 + i % 30;
			a = mbuf_from(f, len);
			b = mbuf_from(f, len);
			CU_ASSERT_FATAL(a != NULL && b != NULL);
			CU_ASSERT_EQUAL(vs_encap(a, &t, 0), 0);
			rte_pktmbuf_mtod(a, struct vs_vxlan_outer *)->vxlan.vni_rsvd = vni_field;
			CU_ASSERT(vs_encap_fast(b, &t, vni_field, VS_ENCAP_INNER_MAX));
			CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(b), rte_pktmbuf_pkt_len(a));
			CU_ASSERT_EQUAL(rte_pktmbuf_data_len(b), rte_pktmbuf_data_len(a));
			CU_ASSERT_EQUAL(b->data_off, a->data_off);
			CU_ASSERT_EQUAL(b->ol_flags, a->ol_flags);
			CU_ASSERT(memcmp(rte_pktmbuf_mtod(a, void *), rte_pktmbuf_mtod(b, void *),
				rte_pktmbuf_pkt_len(a)) == 0);
			rte_pktmbuf_free(a);
			rte_pktmbuf_free(b);
		}
	}

	/* Longer than max_inner, or any offload request: left alone. */
	a = mbuf_from(inner60, sizeof(inner60));
	CU_ASSERT_FATAL(a != NULL);
	CU_ASSERT_FALSE(vs_encap_fast(a, &t, vni_field, sizeof(inner60) - 1));
	CU_ASSERT(mbuf_is(a, inner60, sizeof(inner60)));
	CU_ASSERT(vs_encap_fast(a, &t, vni_field, sizeof(inner60)));
	rte_pktmbuf_free(a);
	for (k = 0; k < 3; k++) {
		static const uint64_t ol[] = {
			RTE_MBUF_F_TX_TCP_SEG, RTE_MBUF_F_TX_UDP_CKSUM, RTE_MBUF_F_TX_IP_CKSUM,
		};

		a = mbuf_from(inner60, sizeof(inner60));
		CU_ASSERT_FATAL(a != NULL);
		a->ol_flags = ol[k];
		CU_ASSERT_FALSE(vs_encap_fast(a, &t, vni_field, VS_ENCAP_INNER_MAX));
		CU_ASSERT(mbuf_is(a, inner60, sizeof(inner60)));
		rte_pktmbuf_free(a);
	}
	/* Less than 50 bytes of headroom. */
	a = rte_pktmbuf_alloc(pool);
	CU_ASSERT_FATAL(a != NULL);
	a->data_off = VS_VXLAN_OUTER_LEN - 1;
	memcpy(rte_pktmbuf_append(a, sizeof(inner60)), inner60, sizeof(inner60));
	CU_ASSERT_FALSE(vs_encap_fast(a, &t, vni_field, VS_ENCAP_INNER_MAX));
	CU_ASSERT(mbuf_is(a, inner60, sizeof(inner60)));
	rte_pktmbuf_free(a);
	/* Shared headroom: a clone, its original, a second reference. */
	a = mbuf_from(inner60, sizeof(inner60));
	CU_ASSERT_FATAL(a != NULL);
	c = rte_pktmbuf_clone(a, pool);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_FALSE(vs_encap_fast(c, &t, vni_field, VS_ENCAP_INNER_MAX));
	CU_ASSERT_FALSE(vs_encap_fast(a, &t, vni_field, VS_ENCAP_INNER_MAX));
	CU_ASSERT(mbuf_is(c, inner60, sizeof(inner60)));
	rte_pktmbuf_free(c);
	rte_mbuf_refcnt_update(a, 1);
	CU_ASSERT_FALSE(vs_encap_fast(a, &t, vni_field, VS_ENCAP_INNER_MAX));
	rte_mbuf_refcnt_update(a, -1);
	CU_ASSERT(mbuf_is(a, inner60, sizeof(inner60)));
	rte_pktmbuf_free(a);
	assert_pool_full();
}

int
main(void)
{
	char *eal_args[] = {
		"test_overlay", "--no-huge", "--no-pci", "--no-shconf",
		"--file-prefix=vsoverlay", "-l", "0", "--log-level=warning",
	};
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "encap template bytes", test_encap_template },
		{ "encap basic", test_encap_basic },
		{ "encap multi-segment", test_encap_multiseg },
		{ "encap maximum length", test_encap_max_len },
		{ "encap offload flags", test_encap_offload_flags },
		{ "encap errors", test_encap_errors },
		{ "encap fast path", test_encap_fast },
		{ "source port spread", test_sport_spread },
		{ "source port stable", test_sport_stable },
		{ "decap vectors", test_decap_vectors },
		{ "decap table", test_decap_table },
		{ "decap accept", test_decap_accept },
		{ "decap trim", test_decap_trim },
		{ "decap multi-segment", test_decap_multiseg },
		{ "decap shared head", test_decap_shared_head },
		{ "encap/decap round trip", test_roundtrip },
	};
	CU_pSuite suite;
	unsigned int failures;
	unsigned int i;

	if (rte_eal_init((int)RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	vs_eal_files_save(&eal_files);
	pool = rte_pktmbuf_pool_create("vs_overlay_test", NB_MBUF, 0, 0,
		SEG_ROOM + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "mbuf pool: %s\n", rte_strerror(rte_errno));
		return 1;
	}

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("overlay", NULL, NULL);
	if (suite == NULL)
		goto err;
	for (i = 0; i < RTE_DIM(tests); i++)
		if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL)
			goto err;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	rte_mempool_free(pool);
	rte_eal_cleanup();
	/* EAL leaves its runtime directory (and hugepage files) behind. */
	vs_eal_files_remove(&eal_files);
	return failures == 0 ? 0 : 1;
err:
	CU_cleanup_registry();
	return 1;
}
