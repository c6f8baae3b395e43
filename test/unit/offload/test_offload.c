/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/overlay's large-frame functions (vs_offload.h, vs_frag.h). Frames are
 * built by hand with checksums from a reference one's-complement sum written here (never
 * DPDK's or the code under test's), and results are read back into flat buffers and checked
 * byte by byte. Every test ends with every mempool full again (no leaked mbuf).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include <CUnit/Basic.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_gso.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_random.h>

#include "vs_cksum.h"
#include "vs_decap.h"
#include "vs_drop.h"
#include "vs_eal_files.h"
#include "vs_encap.h"
#include "vs_frag.h"
#include "vs_offload.h"
#include "vs_vxlan.h"

#define NB_MBUF 4095
#define NB_IND 4095
#define NB_BIG 4
#define SEG_ROOM 2048
#define BIG_ROOM (UINT16_MAX - RTE_PKTMBUF_HEADROOM)

static struct vs_eal_files eal_files;

static struct rte_mempool *pool;	/* 2 KB mbufs, as vhost and PMDs deliver */
static struct rte_mempool *ind_pool;	/* data room 0, for indirect mbufs */
static struct rte_mempool *big_pool;	/* 64 KB single-segment frames */

static uint8_t fbuf[70000];	/* frame under construction */
static uint8_t rbuf[70000];	/* frame read back */
static uint8_t pbuf[70000];	/* concatenated payload */
static uint8_t ebuf[70000];	/* expected frame */

static const struct rte_ether_addr mac_us = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
static const struct rte_ether_addr mac_nh = {{0x02, 0x00, 0x00, 0x00, 0x00, 0xfe}};
static const uint8_t mac_g1[6] = {0x52, 0x54, 0x00, 0x00, 0x01, 0x01};
static const uint8_t mac_g2[6] = {0x52, 0x54, 0x00, 0x00, 0x02, 0x02};

/* Hex, not RTE_IPV4(): 22.11's macro shifts an int by 24 (undefined for 192). */
#define IP_US	RTE_BE32(0xc0000201u)	/* 192.0.2.1 */
#define IP_PEER	RTE_BE32(0xc0000202u)	/* 192.0.2.2 */
#define VXLAN_PORT 4789

#define ETH 14
#define IP4 20
#define IP6 40
#define TCPH 32		/* TCP header with NOP NOP timestamps */
#define UDPH 8
#define OUTER 50

/* --- reference checksum (RFC 1071), big-endian words over flat bytes -------------------- */

static uint32_t
ref_add(uint32_t s, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

static uint16_t
ref_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
wr32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static bool
is_v6(const uint8_t *l3)
{
	return (l3[0] >> 4) == 6;
}

static uint32_t
l3_hlen(const uint8_t *l3)
{
	return is_v6(l3) ? IP6 : (uint32_t)(l3[0] & 0xf) * 4;
}

static uint32_t
l4_len_of(const uint8_t *l3)
{
	return is_v6(l3) ? rd16(l3 + 4) : rd16(l3 + 2) - l3_hlen(l3);
}

/* Pseudo-header sum (not complemented); with_len = false gives the TSO form (length 0). */
static uint16_t
ref_pseudo(const uint8_t *l3, bool with_len)
{
	uint32_t s;
	uint32_t len = with_len ? l4_len_of(l3) : 0;

	if (is_v6(l3)) {
		s = ref_add(0, l3 + 8, 32);
		s += l3[6];
	} else {
		s = ref_add(0, l3 + 12, 8);
		s += l3[9];
	}
	s += (len >> 16) + (len & 0xffff);
	return ref_fold(s);
}

/* True if the IPv4 header at l3 has a valid checksum. */
static bool
ref_ip_ok(const uint8_t *l3)
{
	return ref_add(0, l3, l3_hlen(l3)) == 0xffff;
}

/* True if the TCP/UDP (pseudo-header) or ICMP checksum of the packet at l3 is valid. */
static bool
ref_l4_ok(const uint8_t *l3)
{
	const uint8_t *l4 = l3 + l3_hlen(l3);
	uint8_t proto = is_v6(l3) ? l3[6] : l3[9];
	uint32_t s = 0;

	if (proto != IPPROTO_ICMP)
		s = ref_pseudo(l3, true);
	return ref_fold(ref_add(s, l4, l4_len_of(l3))) == 0xffff;
}

/* --- frames ----------------------------------------------------------------------------- */

static uint8_t
pat(uint32_t i)
{
	return (uint8_t)(i * 131u + (i >> 8) * 7u + (i >> 16) + 1u);
}

struct fspec {
	bool v6;
	uint8_t proto;		/* IPPROTO_TCP, _UDP or _ICMP */
	uint32_t payload;	/* bytes after the L4 header */
	bool df;
	uint16_t id;
	uint32_t seq;
	uint8_t tcp_flags;
	uint8_t icmp_type;
};

static uint32_t
l4_hdr_len(uint8_t proto)
{
	return proto == IPPROTO_TCP ? TCPH : UDPH;	/* ICMP header is 8 too */
}

/* Write the full, correct L4 checksum of the packet at l3. */
static void
ref_l4_fill(uint8_t *l3)
{
	uint8_t *l4 = l3 + l3_hlen(l3);
	uint8_t proto = is_v6(l3) ? l3[6] : l3[9];
	uint32_t off = proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 2;
	uint32_t s = 0;
	uint16_t c;

	wr16(l4 + off, 0);
	if (proto != IPPROTO_ICMP)
		s = ref_pseudo(l3, true);
	c = (uint16_t)~ref_fold(ref_add(s, l4, l4_len_of(l3)));
	if (c == 0 && proto == IPPROTO_UDP)
		c = 0xffff;
	wr16(l4 + off, c);
}

static void
ref_ip_fill(uint8_t *l3)
{
	wr16(l3 + 10, 0);
	wr16(l3 + 10, (uint16_t)~ref_fold(ref_add(0, l3, l3_hlen(l3))));
}

/* An inner Ethernet frame from guest 1 to guest 2, every checksum right. Returns its length. */
static uint32_t
build(uint8_t *b, const struct fspec *s)
{
	uint32_t l3h = s->v6 ? IP6 : IP4;
	uint32_t l4h = l4_hdr_len(s->proto);
	uint32_t l4len = l4h + s->payload;
	uint8_t *l3 = b + ETH;
	uint8_t *l4 = l3 + l3h;
	uint32_t i;

	memcpy(b, mac_g2, 6);
	memcpy(b + 6, mac_g1, 6);
	wr16(b + 12, s->v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	memset(l3, 0, l3h + l4h);
	if (s->v6) {
		l3[0] = 0x60;
		wr16(l3 + 4, (uint16_t)l4len);
		l3[6] = s->proto;
		l3[7] = 64;
		l3[8] = 0xfd;
		l3[23] = 1;
		l3[24] = 0xfd;
		l3[39] = 2;
	} else {
		l3[0] = 0x45;
		wr16(l3 + 2, (uint16_t)(IP4 + l4len));
		wr16(l3 + 4, s->id);
		wr16(l3 + 6, s->df ? 0x4000 : 0);
		l3[8] = 64;
		l3[9] = s->proto;
		wr32(l3 + 12, RTE_IPV4(10, 0, 0, 1));
		wr32(l3 + 16, RTE_IPV4(10, 0, 0, 2));
	}
	if (s->proto == IPPROTO_TCP) {
		wr16(l4, 40000);
		wr16(l4 + 2, 5201);
		wr32(l4 + 4, s->seq);
		wr32(l4 + 8, 0x01020304);
		l4[12] = (TCPH / 4) << 4;
		l4[13] = s->tcp_flags;
		wr16(l4 + 14, 0xffff);
		l4[20] = 1;		/* NOP */
		l4[21] = 1;		/* NOP */
		l4[22] = 8;		/* timestamps */
		l4[23] = 10;
		wr32(l4 + 24, 0x11223344);
		wr32(l4 + 28, 0x55667788);
	} else if (s->proto == IPPROTO_UDP) {
		wr16(l4, 40000);
		wr16(l4 + 2, 5201);
		wr16(l4 + 4, (uint16_t)l4len);
	} else {
		l4[0] = s->icmp_type;
	}
	for (i = 0; i < s->payload; i++)
		l4[l4h + i] = pat(i);
	ref_l4_fill(l3);
	if (!s->v6)
		ref_ip_fill(l3);
	return ETH + l3h + l4len;
}

/* Replace the L4 checksum with the pseudo-header sum, as a guest asking for offload does. */
static void
make_partial(uint8_t *b)
{
	uint8_t *l3 = b + ETH;
	uint8_t proto = is_v6(l3) ? l3[6] : l3[9];
	uint8_t *field = l3 + l3_hlen(l3) + (proto == IPPROTO_TCP ? 16 : 6);

	wr16(field, ref_pseudo(l3, true));
}

/* A chain of pool mbufs holding data; segment sizes cycle through segs (0 = fill). */
static struct rte_mbuf *
chain(struct rte_mempool *mp, const uint8_t *data, uint32_t len, const uint16_t *segs,
		unsigned int nsegs)
{
	struct rte_mbuf *head = NULL;
	struct rte_mbuf *m;
	uint32_t off = 0;
	uint32_t n;
	unsigned int k = 0;
	char *p;

	while (off < len || head == NULL) {
		m = rte_pktmbuf_alloc(mp);
		if (m == NULL)
			goto fail;
		n = rte_pktmbuf_tailroom(m);
		if (nsegs > 0 && segs[k % nsegs] != 0 && segs[k % nsegs] < n)
			n = segs[k % nsegs];
		k++;
		if (n > len - off)
			n = len - off;
		p = rte_pktmbuf_append(m, (uint16_t)n);
		if (p == NULL) {
			rte_pktmbuf_free(m);
			goto fail;
		}
		memcpy(p, data + off, n);
		off += n;
		if (head == NULL) {
			head = m;
		} else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			goto fail;
		}
	}
	return head;
fail:
	rte_pktmbuf_free(head);
	return NULL;
}

/* Copy a chain into buf (walking segments by hand); returns pkt_len, or 0 on a mismatch. */
static uint32_t
flat(const struct rte_mbuf *m, uint8_t *buf)
{
	const struct rte_mbuf *s;
	uint32_t off = 0;
	uint16_t nb = 0;

	for (s = m; s != NULL; s = s->next) {
		memcpy(buf + off, rte_pktmbuf_mtod(s, const uint8_t *), s->data_len);
		off += s->data_len;
		nb++;
	}
	if (off != m->pkt_len || nb != m->nb_segs)
		return 0;
	return off;
}

/* Offload requests as vhost's legacy dequeue sets them. */
static void
set_req(struct rte_mbuf *m, const struct fspec *s, uint64_t l4req, uint16_t mss)
{
	m->l2_len = ETH;
	m->l3_len = s->v6 ? IP6 : IP4;
	m->ol_flags = (s->v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4) | l4req;
	if (mss != 0) {
		m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
		m->l4_len = TCPH;
		m->tso_segsz = mss;
	}
}

static void
assert_pools_full(void)
{
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), NB_MBUF);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(ind_pool), NB_IND);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(big_pool), NB_BIG);
}

static void
tmpl(struct vs_encap_tmpl *t, bool df)
{
	vs_encap_tmpl_build(t, &mac_us, &mac_nh, IP_US, IP_PEER, VXLAN_PORT, 100, df);
}

/* --- checksums in software -------------------------------------------------------------- */

static const uint16_t segs_2k[] = {0};
static const uint16_t segs_odd[] = {200, 1, 777, 1999, 3, 1024};

static void
check_cksum_sw(const struct fspec *s, uint64_t l4req, bool ipreq, const uint16_t *segs,
		unsigned int nsegs, struct rte_mempool *mp)
{
	struct rte_mbuf *m;
	uint32_t len;
	uint32_t rlen;

	len = build(fbuf, s);
	memcpy(ebuf, fbuf, len);	/* the right answer */
	make_partial(fbuf);
	if (ipreq) {
		fbuf[ETH + 10] = 0xde;	/* garbage the header checksum */
		fbuf[ETH + 11] = 0xad;
	}
	m = chain(mp, fbuf, len, segs, nsegs);
	CU_ASSERT_FATAL(m != NULL);
	set_req(m, s, l4req, 0);
	if (ipreq)
		m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
	CU_ASSERT(memcmp(fbuf, ebuf, len) != 0 || s->payload == 0);
	CU_ASSERT_EQUAL(vs_offload_cksum_sw(m), 0);
	rlen = flat(m, rbuf);
	CU_ASSERT_EQUAL(rlen, len);
	CU_ASSERT(memcmp(rbuf, ebuf, len) == 0);
	CU_ASSERT(ref_l4_ok(rbuf + ETH));
	if (!s->v6)
		CU_ASSERT(ref_ip_ok(rbuf + ETH));
	CU_ASSERT_EQUAL(m->ol_flags & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK |
		RTE_MBUF_F_TX_TCP_SEG), 0);
	CU_ASSERT_EQUAL(vs_offload_cksum_check(m), 1);
	rte_pktmbuf_free(m);
}

/* vs_cksum_raw() against the reference and against rte_raw_cksum(): every length 0..600 at
 * every alignment 0..7 over random bytes, all-zero and all-0xff buffers, and 64 KB. */
static void
test_cksum_raw(void)
{
	static uint8_t buf[65536 + 8];
	unsigned int len, off, bad = 0, n = 0;
	uint16_t got;
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rte_rand();
	for (off = 0; off < 8; off++) {
		for (len = 0; len <= 600; len++) {
			got = vs_cksum_raw(buf + off, len);
			if (got != rte_raw_cksum(buf + off, len) ||
					got != rte_cpu_to_be_16(ref_fold(ref_add(0, buf + off, len))))
				bad++;
			n++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(n, 8 * 601);
	CU_ASSERT_EQUAL(vs_cksum_raw(buf, 65536), rte_raw_cksum(buf, 65536));
	CU_ASSERT_EQUAL(vs_cksum_raw(buf + 3, 65533), rte_raw_cksum(buf + 3, 65533));
	memset(buf, 0, sizeof(buf));
	CU_ASSERT_EQUAL(vs_cksum_raw(buf, 1500), 0);
	memset(buf, 0xff, sizeof(buf));
	CU_ASSERT_EQUAL(vs_cksum_raw(buf, 1500), 0xffff);
	CU_ASSERT_EQUAL(vs_cksum_raw(buf, 65536), rte_raw_cksum(buf, 65536));
	CU_ASSERT_EQUAL(vs_cksum_raw(buf, 1), rte_raw_cksum(buf, 1));
	/* A header whose words sum to exactly 0xffff with carries on the way. */
	memset(buf, 0, 20);
	buf[0] = 0xff; buf[1] = 0xfe; buf[2] = 0x00; buf[3] = 0x01;
	CU_ASSERT_EQUAL(vs_cksum_raw(buf, 20), rte_raw_cksum(buf, 20));
}

static void
test_cksum_sw(void)
{
	struct fspec s = { .proto = IPPROTO_TCP, .payload = 1000, .df = true, .id = 7,
		.seq = 1000, .tcp_flags = 0x18 };

	check_cksum_sw(&s, RTE_MBUF_F_TX_TCP_CKSUM, true, segs_2k, 1, pool);
	/* 64000-byte frame in 2 KB segments, then in odd ones (odd offsets across segments) */
	s.payload = 64000 - ETH - IP4 - TCPH;
	check_cksum_sw(&s, RTE_MBUF_F_TX_TCP_CKSUM, false, segs_2k, 1, pool);
	check_cksum_sw(&s, RTE_MBUF_F_TX_TCP_CKSUM, true, segs_odd, RTE_DIM(segs_odd), pool);
	check_cksum_sw(&s, RTE_MBUF_F_TX_TCP_CKSUM, true, NULL, 0, big_pool);
	s.payload = 12345;	/* odd length */
	check_cksum_sw(&s, RTE_MBUF_F_TX_TCP_CKSUM, false, segs_odd, RTE_DIM(segs_odd), pool);

	s.proto = IPPROTO_UDP;
	s.payload = 3001;
	check_cksum_sw(&s, RTE_MBUF_F_TX_UDP_CKSUM, true, segs_odd, RTE_DIM(segs_odd), pool);
	s.v6 = true;
	check_cksum_sw(&s, RTE_MBUF_F_TX_UDP_CKSUM, false, segs_2k, 1, pool);
	s.proto = IPPROTO_TCP;
	s.payload = 40000;
	check_cksum_sw(&s, RTE_MBUF_F_TX_TCP_CKSUM, false, segs_odd, RTE_DIM(segs_odd), pool);
	assert_pools_full();
}

/* A TSO frame is finished as one packet: checksum over everything, TCP_SEG cleared. */
static void
test_cksum_sw_tso(void)
{
	struct fspec s = { .proto = IPPROTO_TCP, .payload = 30000, .df = true, .id = 9,
		.seq = 5, .tcp_flags = 0x10 };
	struct rte_mbuf *m;
	uint32_t len;

	len = build(fbuf, &s);
	memcpy(ebuf, fbuf, len);
	make_partial(fbuf);
	m = chain(pool, fbuf, len, segs_2k, 1);
	CU_ASSERT_FATAL(m != NULL);
	set_req(m, &s, RTE_MBUF_F_TX_TCP_CKSUM, 1448);
	CU_ASSERT_EQUAL(vs_offload_cksum_sw(m), 0);
	CU_ASSERT_EQUAL(flat(m, rbuf), len);
	CU_ASSERT(memcmp(rbuf, ebuf, len) == 0);
	CU_ASSERT_EQUAL(m->ol_flags & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_L4_MASK), 0);
	CU_ASSERT((m->ol_flags & RTE_MBUF_F_TX_IPV4) != 0);
	rte_pktmbuf_free(m);
	assert_pools_full();
}

/* On an encapsulated frame (VS_ENCAP_F_OL_TUNNEL) the inner frame is finished. */
static void
test_cksum_sw_tunnel(void)
{
	struct fspec s = { .proto = IPPROTO_TCP, .payload = 5000, .df = true, .id = 3,
		.seq = 77, .tcp_flags = 0x18 };
	struct vs_encap_tmpl t;
	struct rte_mbuf *m;
	uint8_t outer[OUTER];
	uint32_t len;

	tmpl(&t, true);
	len = build(fbuf, &s);
	memcpy(ebuf, fbuf, len);
	make_partial(fbuf);
	m = chain(pool, fbuf, len, segs_2k, 1);
	CU_ASSERT_FATAL(m != NULL);
	set_req(m, &s, RTE_MBUF_F_TX_TCP_CKSUM, 0);
	CU_ASSERT_EQUAL_FATAL(vs_encap(m, &t, VS_ENCAP_F_OL_TUNNEL), 0);
	memcpy(outer, rte_pktmbuf_mtod(m, uint8_t *), OUTER);
	CU_ASSERT_EQUAL(vs_offload_cksum_sw(m), 0);
	CU_ASSERT_EQUAL(flat(m, rbuf), len + OUTER);
	CU_ASSERT(memcmp(rbuf, outer, OUTER) == 0);
	CU_ASSERT(memcmp(rbuf + OUTER, ebuf, len) == 0);
	CU_ASSERT_EQUAL(m->ol_flags & RTE_MBUF_F_TX_L4_MASK, 0);
	CU_ASSERT((m->ol_flags & RTE_MBUF_F_TX_TUNNEL_VXLAN) != 0);
	CU_ASSERT((m->ol_flags & RTE_MBUF_F_TX_OUTER_IPV4) != 0);
	rte_pktmbuf_free(m);
	assert_pools_full();
}

static void
test_cksum_sw_errors(void)
{
	struct fspec s = { .proto = IPPROTO_UDP, .payload = 500, .df = false, .id = 1 };
	static const uint16_t split[] = {20, 0};
	struct rte_mbuf *m;
	struct rte_mbuf *c;
	uint32_t len;

	len = build(fbuf, &s);
	make_partial(fbuf);

	/* TCP checksum asked for a UDP packet: refused, nothing written */
	m = chain(pool, fbuf, len, segs_2k, 1);
	CU_ASSERT_FATAL(m != NULL);
	set_req(m, &s, RTE_MBUF_F_TX_TCP_CKSUM, 0);
	CU_ASSERT_EQUAL(vs_offload_cksum_sw(m), -EINVAL);
	CU_ASSERT_EQUAL(flat(m, rbuf), len);
	CU_ASSERT(memcmp(rbuf, fbuf, len) == 0);
	CU_ASSERT_EQUAL(m->ol_flags & RTE_MBUF_F_TX_L4_MASK, RTE_MBUF_F_TX_TCP_CKSUM);
	/* SCTP is not done in software */
	m->ol_flags = (m->ol_flags & ~RTE_MBUF_F_TX_L4_MASK) | RTE_MBUF_F_TX_SCTP_CKSUM;
	CU_ASSERT_EQUAL(vs_offload_cksum_sw(m), -ENOTSUP);
	/* no requests: nothing to do */
	m->ol_flags = RTE_MBUF_F_TX_IPV4;
	CU_ASSERT_EQUAL(vs_offload_cksum_sw(m), 0);
	CU_ASSERT_EQUAL(flat(m, rbuf), len);
	CU_ASSERT(memcmp(rbuf, fbuf, len) == 0);
	/* a clone shares the data: refused for both */
	m->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM;
	c = rte_pktmbuf_clone(m, ind_pool);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(vs_offload_cksum_sw(c), -EPERM);
	CU_ASSERT_EQUAL(vs_offload_cksum_sw(m), -EPERM);
	rte_pktmbuf_free(c);
	/* truncated: the IPv4 total length says more than the frame holds */
	rte_pktmbuf_trim(m, 10);
	CU_ASSERT_EQUAL(vs_offload_cksum_sw(m), -EINVAL);
	rte_pktmbuf_free(m);

	/* IP checksum request on IPv6 */
	s.v6 = true;
	len = build(fbuf, &s);
	m = chain(pool, fbuf, len, segs_2k, 1);
	CU_ASSERT_FATAL(m != NULL);
	set_req(m, &s, 0, 0);
	m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
	CU_ASSERT_EQUAL(vs_offload_cksum_sw(m), -EINVAL);
	rte_pktmbuf_free(m);

	/* headers split over two segments */
	s.v6 = false;
	len = build(fbuf, &s);
	m = chain(pool, fbuf, len, split, RTE_DIM(split));
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(m->nb_segs, 2);
	set_req(m, &s, RTE_MBUF_F_TX_UDP_CKSUM, 0);
	CU_ASSERT_EQUAL(vs_offload_cksum_sw(m), -EINVAL);
	rte_pktmbuf_free(m);

	/* an L4 checksum of an IPv4 fragment cannot be computed */
	fbuf[ETH + 6] |= 0x20;	/* MF */
	ref_ip_fill(fbuf + ETH);
	m = chain(pool, fbuf, len, segs_2k, 1);
	CU_ASSERT_FATAL(m != NULL);
	set_req(m, &s, RTE_MBUF_F_TX_UDP_CKSUM, 0);
	CU_ASSERT_EQUAL(vs_offload_cksum_sw(m), -EINVAL);
	rte_pktmbuf_free(m);
	assert_pools_full();
}

static void
test_cksum_check(void)
{
	struct fspec s = { .proto = IPPROTO_TCP, .payload = 7000, .df = true, .id = 1,
		.seq = 1, .tcp_flags = 0x10 };
	struct rte_mbuf *m;
	uint32_t len;

	len = build(fbuf, &s);
	m = chain(pool, fbuf, len, segs_odd, RTE_DIM(segs_odd));
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vs_offload_cksum_check(m), 1);
	rte_pktmbuf_free(m);
	fbuf[len - 100] ^= 0x01;	/* one payload bit flipped */
	m = chain(pool, fbuf, len, segs_odd, RTE_DIM(segs_odd));
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vs_offload_cksum_check(m), 0);
	rte_pktmbuf_free(m);
	fbuf[len - 100] ^= 0x01;
	fbuf[ETH + 8] = 1;	/* TTL changed, header checksum now wrong */
	m = chain(pool, fbuf, len, segs_2k, 1);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vs_offload_cksum_check(m), 0);
	rte_pktmbuf_free(m);
	assert_pools_full();
}

/* --- tunnel TSO preparation ------------------------------------------------------------- */

#define CAPA_TNL (RTE_ETH_TX_OFFLOAD_VXLAN_TNL_TSO | RTE_ETH_TX_OFFLOAD_OUTER_IPV4_CKSUM | \
	RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_TSO)

static struct rte_mbuf *
tso_frame(const struct fspec *s, uint16_t mss, uint32_t encap_flags, uint32_t *len)
{
	struct vs_encap_tmpl t;
	struct rte_mbuf *m;

	tmpl(&t, true);
	*len = build(fbuf, s);
	make_partial(fbuf);
	m = chain(pool, fbuf, *len, segs_2k, 1);
	if (m == NULL)
		return NULL;
	set_req(m, s, RTE_MBUF_F_TX_TCP_CKSUM, mss);
	if (vs_encap(m, &t, encap_flags) != 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	return m;
}

static void
check_tso_prepare(bool v6, uint16_t mtu, uint16_t guest_mss, uint16_t want_mss,
		uint32_t encap_flags)
{
	struct fspec s = { .v6 = v6, .proto = IPPROTO_TCP, .payload = 60000, .df = true,
		.id = 0x4242, .seq = 0xfffff000, .tcp_flags = 0x19 };
	uint32_t l3h = v6 ? IP6 : IP4;
	struct rte_mbuf *m;
	uint8_t *in;
	uint32_t len;

	m = tso_frame(&s, guest_mss, encap_flags, &len);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vs_offload_tnl_tso_prepare(m, mtu, CAPA_TNL), 0);
	CU_ASSERT_EQUAL(m->tso_segsz, want_mss);
	/* every outer packet fits: 36 + inner Ethernet + L3 + TCP header + MSS */
	CU_ASSERT(20 + 8 + 8 + ETH + l3h + TCPH + m->tso_segsz <= mtu);
	CU_ASSERT_EQUAL(m->outer_l2_len, ETH);
	CU_ASSERT_EQUAL(m->outer_l3_len, IP4);
	CU_ASSERT_EQUAL(m->l2_len, 16 + ETH);
	CU_ASSERT_EQUAL(m->l3_len, l3h);
	CU_ASSERT_EQUAL(m->l4_len, TCPH);
	CU_ASSERT((m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) != 0);
	CU_ASSERT((m->ol_flags & RTE_MBUF_F_TX_OUTER_IPV4) != 0);
	CU_ASSERT((m->ol_flags & RTE_MBUF_F_TX_OUTER_IP_CKSUM) != 0);
	CU_ASSERT_EQUAL(m->ol_flags & RTE_MBUF_F_TX_TUNNEL_MASK, RTE_MBUF_F_TX_TUNNEL_VXLAN);
	CU_ASSERT_EQUAL(m->ol_flags & RTE_MBUF_F_TX_L4_MASK, RTE_MBUF_F_TX_TCP_CKSUM);
	if (v6) {
		CU_ASSERT((m->ol_flags & RTE_MBUF_F_TX_IPV6) != 0);
		CU_ASSERT_EQUAL(m->ol_flags & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM), 0);
	} else {
		CU_ASSERT_EQUAL(m->ol_flags & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM),
			RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM);
	}
	CU_ASSERT_EQUAL(flat(m, rbuf), len + OUTER);
	in = rbuf + OUTER + ETH;
	CU_ASSERT_EQUAL(rd16(rbuf + ETH + 10), 0);		/* outer IPv4 checksum */
	if (!v6)
		CU_ASSERT_EQUAL(rd16(in + 10), 0);		/* inner IPv4 checksum */
	/* TCP: pseudo-header sum without the length (mbuf_lib.rst TSO contract) */
	CU_ASSERT_EQUAL(rd16(in + l3h + 16), ref_pseudo(in, false));
	/* payload untouched */
	CU_ASSERT(memcmp(in + l3h + TCPH, fbuf + ETH + l3h + TCPH, s.payload) == 0);
	rte_pktmbuf_free(m);
}

static void
test_tso_prepare(void)
{
	struct fspec s = { .proto = IPPROTO_TCP, .payload = 3000, .df = true, .id = 1,
		.seq = 1, .tcp_flags = 0x10 };
	struct rte_mbuf *m;
	uint32_t len;

	/* 1500: 1500 - 20 - 8 - 8 - 14 - 20 - 32 = 1398 */
	check_tso_prepare(false, 1500, 65000, 1398, VS_ENCAP_F_OL_TUNNEL);
	check_tso_prepare(false, 1500, 65000, 1398, VS_ENCAP_F_OL_OUTER_CKSUM);
	/* 9000: 8898 */
	check_tso_prepare(false, 9000, 65000, 8898, VS_ENCAP_F_OL_OUTER_CKSUM);
	/* a smaller guest MSS (its peer's) is kept */
	check_tso_prepare(false, 1500, 1000, 1000, VS_ENCAP_F_OL_TUNNEL);
	check_tso_prepare(false, 9000, 1448, 1448, VS_ENCAP_F_OL_TUNNEL);
	/* inner IPv6: 1500 - 36 - 14 - 40 - 32 = 1378 */
	check_tso_prepare(true, 1500, 65000, 1378, VS_ENCAP_F_OL_TUNNEL);
	check_tso_prepare(true, 9000, 65000, 8878, VS_ENCAP_F_OL_TUNNEL);

	/* capabilities missing */
	m = tso_frame(&s, 1448, VS_ENCAP_F_OL_TUNNEL, &len);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vs_offload_tnl_tso_prepare(m, 1500, RTE_ETH_TX_OFFLOAD_TCP_TSO),
		-ENOTSUP);
	CU_ASSERT_EQUAL(vs_offload_tnl_tso_prepare(m, 1500, RTE_ETH_TX_OFFLOAD_VXLAN_TNL_TSO),
		-ENOTSUP);
	/* an MTU with no room for payload */
	CU_ASSERT_EQUAL(vs_offload_tnl_tso_prepare(m, 100, CAPA_TNL), -EINVAL);
	CU_ASSERT_EQUAL(m->tso_segsz, 1448);
	/* not a TSO frame */
	m->ol_flags &= ~RTE_MBUF_F_TX_TCP_SEG;
	CU_ASSERT_EQUAL(vs_offload_tnl_tso_prepare(m, 1500, CAPA_TNL), -EINVAL);
	rte_pktmbuf_free(m);
	/* not encapsulated with tunnel metadata */
	m = tso_frame(&s, 1448, 0, &len);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vs_offload_tnl_tso_prepare(m, 1500, CAPA_TNL), -EINVAL);
	rte_pktmbuf_free(m);
	assert_pools_full();
}

/* --- software GSO ------------------------------------------------------------------------ */

/*
 * Segment a TSO frame of the given total inner length and check every segment against the
 * original: sizes, outer/inner headers, IDs, sequence numbers, flags, checksums, payload.
 */
static void
check_gso(uint16_t mtu, uint32_t inner_len, uint16_t guest_mss, const uint16_t *segs,
		unsigned int nsegs, struct rte_mempool *mp)
{
	struct fspec s = { .proto = IPPROTO_TCP, .df = true, .id = 0x7000, .seq = 0xffff0000u,
		.tcp_flags = 0x19 /* FIN PSH ACK */ };
	struct rte_mbuf *out[VS_OFFLOAD_OUT_MAX];
	struct rte_gso_ctx ctx;
	struct vs_encap_tmpl t;
	struct rte_mbuf *m;
	uint32_t hdr = OUTER + ETH + IP4 + TCPH;
	uint32_t unit;
	uint32_t len;
	uint32_t rlen;
	uint32_t got = 0;
	uint32_t seq;
	uint16_t sport;
	uint8_t *ip;
	uint8_t *tcp;
	int n;
	int i;

	s.payload = inner_len - ETH - IP4 - TCPH;
	CU_ASSERT_EQUAL_FATAL(vs_offload_gso_ctx_init(&ctx, pool, ind_pool, mtu), 0);
	CU_ASSERT_EQUAL(ctx.gso_size, mtu + 14);
	tmpl(&t, true);
	len = build(fbuf, &s);
	memcpy(ebuf, fbuf, len);
	make_partial(fbuf);
	m = chain(mp, fbuf, len, segs, nsegs);
	CU_ASSERT_FATAL(m != NULL);
	set_req(m, &s, RTE_MBUF_F_TX_TCP_CKSUM, guest_mss);
	CU_ASSERT_EQUAL_FATAL(vs_encap(m, &t, VS_ENCAP_F_OL_TUNNEL), 0);
	sport = rd16(rte_pktmbuf_mtod(m, uint8_t *) + 34);

	unit = RTE_MIN((uint32_t)guest_mss, (uint32_t)mtu + 14 - hdr);
	n = vs_offload_gso(m, &ctx, out, RTE_DIM(out));
	CU_ASSERT_EQUAL_FATAL(n, (int)((s.payload + unit - 1) / unit));
	seq = s.seq;
	for (i = 0; i < n; i++) {
		rlen = flat(out[i], rbuf);
		CU_ASSERT_FATAL(rlen > hdr);
		CU_ASSERT(rlen <= (uint32_t)mtu + 14);
		if (i < n - 1)
			CU_ASSERT_EQUAL(rlen - hdr, unit);
		/* outer Ethernet/IPv4/UDP/VXLAN */
		CU_ASSERT(memcmp(rbuf, t.hdr.eth.dst_addr.addr_bytes, 6) == 0);
		CU_ASSERT_EQUAL(rd16(rbuf + ETH + 2), rlen - ETH);
		CU_ASSERT_EQUAL(rd16(rbuf + ETH + 4), i);		/* template ID 0, +1 */
		CU_ASSERT((rbuf[ETH + 6] & 0x40) != 0);			/* DF */
		CU_ASSERT(ref_ip_ok(rbuf + ETH));
		CU_ASSERT_EQUAL(rd16(rbuf + 34), sport);
		CU_ASSERT_EQUAL(rd16(rbuf + 36), VXLAN_PORT);
		CU_ASSERT_EQUAL(rd16(rbuf + 38), rlen - 34);
		CU_ASSERT_EQUAL(rd16(rbuf + 40), 0);			/* UDP checksum 0 */
		CU_ASSERT(memcmp(rbuf + 42, &t.hdr.vxlan, 8) == 0);
		/* inner Ethernet, IPv4, TCP */
		CU_ASSERT(memcmp(rbuf + OUTER, ebuf, ETH) == 0);
		ip = rbuf + OUTER + ETH;
		tcp = ip + IP4;
		CU_ASSERT_EQUAL(rd16(ip + 2), rlen - OUTER - ETH);
		CU_ASSERT_EQUAL(rd16(ip + 4), (uint16_t)(s.id + i));
		CU_ASSERT(ref_ip_ok(ip));
		CU_ASSERT_EQUAL(rd32(tcp + 4), seq);
		CU_ASSERT_EQUAL(tcp[13], i == n - 1 ? 0x19 : 0x10);
		CU_ASSERT(memcmp(tcp + 20, ebuf + ETH + IP4 + 20, TCPH - 20) == 0);
		CU_ASSERT(ref_l4_ok(ip));
		CU_ASSERT_EQUAL(out[i]->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK, 0);
		memcpy(pbuf + got, rbuf + hdr, rlen - hdr);
		got += rlen - hdr;
		seq += rlen - hdr;
	}
	CU_ASSERT_EQUAL(got, s.payload);
	CU_ASSERT(memcmp(pbuf, ebuf + ETH + IP4 + TCPH, s.payload) == 0);
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(out[i]);
	/* the input was freed by vs_offload_gso(): everything is back */
	assert_pools_full();
}

static void
test_gso(void)
{
	check_gso(1500, 64000, 65000, segs_2k, 1, pool);
	check_gso(1500, 64000, 1448, segs_odd, RTE_DIM(segs_odd), pool);
	check_gso(1500, 64000, 1000, segs_2k, 1, pool);		/* guest MSS below the MTU */
	check_gso(1500, 9000, 65000, NULL, 0, big_pool);		/* one segment in */
	check_gso(1500, 3000, 1448, segs_2k, 1, pool);		/* two segments out */
	check_gso(9000, 64000, 65000, segs_2k, 1, pool);
	check_gso(9000, 64000, 8948, NULL, 0, big_pool);
	check_gso(1280, 65000, 65000, segs_odd, RTE_DIM(segs_odd), pool);
}

static void
test_gso_edges(void)
{
	struct fspec s = { .proto = IPPROTO_TCP, .df = true, .id = 1, .seq = 1,
		.tcp_flags = 0x10 };
	struct rte_mbuf *out[VS_OFFLOAD_OUT_MAX];
	struct rte_mempool *tiny;
	struct rte_gso_ctx ctx;
	struct rte_mbuf *m;
	uint64_t flags;
	uint32_t len;

	CU_ASSERT_EQUAL(vs_offload_gso_ctx_init(&ctx, pool, ind_pool, 100), -EINVAL);
	CU_ASSERT_EQUAL(vs_offload_gso_ctx_init(&ctx, NULL, ind_pool, 1500), -EINVAL);
	CU_ASSERT_EQUAL_FATAL(vs_offload_gso_ctx_init(&ctx, pool, ind_pool, 1500), 0);

	/* fits in one segment: 0, untouched */
	s.payload = 1398;
	m = tso_frame(&s, 1448, VS_ENCAP_F_OL_TUNNEL, &len);
	CU_ASSERT_FATAL(m != NULL);
	flags = m->ol_flags;
	CU_ASSERT_EQUAL(flat(m, ebuf), len + OUTER);
	CU_ASSERT_EQUAL(vs_offload_gso(m, &ctx, out, RTE_DIM(out)), 0);
	CU_ASSERT_EQUAL(m->ol_flags, flags);
	CU_ASSERT_EQUAL(flat(m, rbuf), len + OUTER);
	CU_ASSERT(memcmp(rbuf, ebuf, len + OUTER) == 0);
	/* ... and vs_offload_cksum_sw() then finishes it */
	CU_ASSERT_EQUAL(vs_offload_cksum_sw(m), 0);
	CU_ASSERT_EQUAL(flat(m, rbuf), len + OUTER);
	CU_ASSERT(ref_l4_ok(rbuf + OUTER + ETH));
	rte_pktmbuf_free(m);
	/* the guest's MSS says two segments although the MTU would take one */
	s.payload = 1200;
	m = tso_frame(&s, 1000, VS_ENCAP_F_OL_TUNNEL, &len);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vs_offload_gso(m, &ctx, out, RTE_DIM(out)), 2);
	CU_ASSERT_EQUAL(out[0]->pkt_len, OUTER + ETH + IP4 + TCPH + 1000);
	rte_pktmbuf_free(out[0]);
	rte_pktmbuf_free(out[1]);

	/* output array too small: -ENOSPC, m kept and unchanged */
	s.payload = 20000;
	m = tso_frame(&s, 1448, VS_ENCAP_F_OL_TUNNEL, &len);
	CU_ASSERT_FATAL(m != NULL);
	flags = m->ol_flags;
	CU_ASSERT_EQUAL(vs_offload_gso(m, &ctx, out, 4), -ENOSPC);
	CU_ASSERT_EQUAL(m->ol_flags, flags);
	/* header pool runs dry: -ENOMEM, m kept, nothing leaked */
	tiny = rte_pktmbuf_pool_create("vs_offload_tiny", 7, 0, 0, 512, SOCKET_ID_ANY);
	CU_ASSERT_FATAL(tiny != NULL);
	CU_ASSERT_EQUAL_FATAL(vs_offload_gso_ctx_init(&ctx, tiny, ind_pool, 1500), 0);
	CU_ASSERT_EQUAL(vs_offload_gso(m, &ctx, out, RTE_DIM(out)), -ENOMEM);
	CU_ASSERT_EQUAL(m->ol_flags, flags);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(tiny), 7);
	CU_ASSERT_EQUAL(rte_mbuf_refcnt_read(m), 1);
	rte_mempool_free(tiny);
	CU_ASSERT_EQUAL_FATAL(vs_offload_gso_ctx_init(&ctx, pool, ind_pool, 1500), 0);
	/* not tunnel-flagged: not ours to segment */
	m->ol_flags &= ~RTE_MBUF_F_TX_TUNNEL_MASK;
	CU_ASSERT_EQUAL(vs_offload_gso(m, &ctx, out, RTE_DIM(out)), -ENOTSUP);
	rte_pktmbuf_free(m);

	/* inner IPv6: librte_gso (22.11) cannot, -ENOTSUP and m kept */
	s.v6 = true;
	m = tso_frame(&s, 1448, VS_ENCAP_F_OL_TUNNEL, &len);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vs_offload_gso(m, &ctx, out, RTE_DIM(out)), -ENOTSUP);
	rte_pktmbuf_free(m);
	assert_pools_full();
}

/* --- ICMP fragmentation needed ----------------------------------------------------------- */

static void
test_icmp_frag_needed(void)
{
	struct fspec s = { .proto = IPPROTO_TCP, .payload = 2000, .df = true, .id = 0x1234,
		.seq = 42, .tcp_flags = 0x18 };
	static const uint16_t split[] = {40, 7, 0};
	struct rte_mbuf *m;
	struct rte_mbuf *r;
	uint8_t *ip;
	uint8_t *icmp;
	uint32_t len;
	uint32_t rlen;

	len = build(fbuf, &s);
	m = chain(pool, fbuf, len, split, RTE_DIM(split));	/* quote spans segments */
	CU_ASSERT_FATAL(m != NULL);
	r = vs_offload_icmp_frag_needed(m, 1450, pool);
	CU_ASSERT_FATAL(r != NULL);
	rlen = flat(r, rbuf);
	CU_ASSERT_EQUAL(rlen, ETH + IP4 + 8 + IP4 + 8);
	/* Ethernet back to the guest */
	CU_ASSERT(memcmp(rbuf, mac_g1, 6) == 0);
	CU_ASSERT(memcmp(rbuf + 6, mac_g2, 6) == 0);
	CU_ASSERT_EQUAL(rd16(rbuf + 12), RTE_ETHER_TYPE_IPV4);
	/* IPv4 from the original destination to the original source */
	ip = rbuf + ETH;
	CU_ASSERT_EQUAL(ip[0], 0x45);
	CU_ASSERT_EQUAL(rd16(ip + 2), IP4 + 8 + IP4 + 8);
	CU_ASSERT_EQUAL(ip[8], 64);
	CU_ASSERT_EQUAL(ip[9], IPPROTO_ICMP);
	CU_ASSERT(memcmp(ip + 12, fbuf + ETH + 16, 4) == 0);
	CU_ASSERT(memcmp(ip + 16, fbuf + ETH + 12, 4) == 0);
	CU_ASSERT(ref_ip_ok(ip));
	/* ICMP 3/4, unused 0, next-hop MTU, quote = header + 8 bytes */
	icmp = ip + IP4;
	CU_ASSERT_EQUAL(icmp[0], 3);
	CU_ASSERT_EQUAL(icmp[1], 4);
	CU_ASSERT_EQUAL(rd16(icmp + 4), 0);
	CU_ASSERT_EQUAL(rd16(icmp + 6), 1450);
	CU_ASSERT(memcmp(icmp + 8, fbuf + ETH, IP4 + 8) == 0);
	CU_ASSERT(ref_l4_ok(ip));
	rte_pktmbuf_free(r);
	/* m itself is untouched */
	CU_ASSERT_EQUAL(flat(m, rbuf), len);
	CU_ASSERT(memcmp(rbuf, fbuf, len) == 0);
	/* it fits: nothing to say */
	CU_ASSERT(vs_offload_icmp_frag_needed(m, 9000, pool) == NULL);
	CU_ASSERT_EQUAL(rte_errno, EINVAL);
	rte_pktmbuf_free(m);

	/* ICMP echo (not an error) with DF is answered */
	s.proto = IPPROTO_ICMP;
	s.icmp_type = 8;
	len = build(fbuf, &s);
	m = chain(pool, fbuf, len, segs_2k, 1);
	CU_ASSERT_FATAL(m != NULL);
	r = vs_offload_icmp_frag_needed(m, 1450, pool);
	CU_ASSERT(r != NULL);
	rte_pktmbuf_free(r);
	rte_pktmbuf_free(m);
	/* an ICMP error is never answered with one */
	s.icmp_type = 3;
	len = build(fbuf, &s);
	m = chain(pool, fbuf, len, segs_2k, 1);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT(vs_offload_icmp_frag_needed(m, 1450, pool) == NULL);
	rte_pktmbuf_free(m);

	/* DF clear: the packet may be fragmented, no ICMP */
	s.proto = IPPROTO_UDP;
	s.df = false;
	len = build(fbuf, &s);
	m = chain(pool, fbuf, len, segs_2k, 1);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT(vs_offload_icmp_frag_needed(m, 1450, pool) == NULL);
	rte_pktmbuf_free(m);
	/* non-first fragment */
	s.df = true;
	len = build(fbuf, &s);
	wr16(fbuf + ETH + 6, 0x4000 | 185);
	ref_ip_fill(fbuf + ETH);
	m = chain(pool, fbuf, len, segs_2k, 1);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT(vs_offload_icmp_frag_needed(m, 1450, pool) == NULL);
	rte_pktmbuf_free(m);
	/* to a multicast or broadcast destination, or from a non-unicast source */
	len = build(fbuf, &s);
	wr32(fbuf + ETH + 16, 0xef010101u /* 239.1.1.1 */);
	ref_ip_fill(fbuf + ETH);
	m = chain(pool, fbuf, len, segs_2k, 1);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT(vs_offload_icmp_frag_needed(m, 1450, pool) == NULL);
	rte_pktmbuf_free(m);
	len = build(fbuf, &s);
	wr32(fbuf + ETH + 12, 0);
	ref_ip_fill(fbuf + ETH);
	m = chain(pool, fbuf, len, segs_2k, 1);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT(vs_offload_icmp_frag_needed(m, 1450, pool) == NULL);
	rte_pktmbuf_free(m);
	/* not IPv4 */
	s.v6 = true;
	len = build(fbuf, &s);
	m = chain(pool, fbuf, len, segs_2k, 1);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT(vs_offload_icmp_frag_needed(m, 1450, pool) == NULL);
	CU_ASSERT_EQUAL(rte_errno, EINVAL);
	rte_pktmbuf_free(m);
	assert_pools_full();
}

/* --- GRO result to a guest TSO frame ----------------------------------------------------- */

static void
test_gro_to_tso(void)
{
	struct fspec s = { .proto = IPPROTO_TCP, .payload = 1448 * 7, .df = true, .id = 5,
		.seq = 100, .tcp_flags = 0x18 };
	struct rte_mbuf *m;
	uint32_t len;

	len = build(fbuf, &s);
	/* as librte_gro leaves it: total length right, IPv4 and TCP checksums stale */
	fbuf[ETH + 10] ^= 0x55;
	fbuf[ETH + IP4 + 16] ^= 0x33;
	m = chain(pool, fbuf, len, segs_2k, 1);
	CU_ASSERT_FATAL(m != NULL);
	m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	CU_ASSERT_EQUAL(vs_offload_gro_to_tso(m, 1448), 0);
	CU_ASSERT_EQUAL(m->l2_len, ETH);
	CU_ASSERT_EQUAL(m->l3_len, IP4);
	CU_ASSERT_EQUAL(m->l4_len, TCPH);
	CU_ASSERT_EQUAL(m->tso_segsz, 1448);
	CU_ASSERT_EQUAL(m->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK, RTE_MBUF_F_TX_TCP_SEG |
		RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM);
	CU_ASSERT_EQUAL(flat(m, rbuf), len);
	CU_ASSERT(ref_ip_ok(rbuf + ETH));
	/* partial checksum: pseudo-header with the TCP length, as Linux's CHECKSUM_PARTIAL */
	CU_ASSERT_EQUAL(rd16(rbuf + ETH + IP4 + 16), ref_pseudo(rbuf + ETH, true));
	/* completing it as a device does (sum over the TCP bytes, field included) is valid */
	wr16(rbuf + ETH + IP4 + 16, (uint16_t)~ref_fold(ref_add(0, rbuf + ETH + IP4,
		TCPH + s.payload)));
	CU_ASSERT(ref_l4_ok(rbuf + ETH));
	/* a frame no larger than one MSS: checksum partial, no TSO */
	CU_ASSERT_EQUAL(vs_offload_gro_to_tso(m, 20000), 0);
	CU_ASSERT_EQUAL(m->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK,
		RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM);
	rte_pktmbuf_free(m);

	/* UDP is not GRO's */
	s.proto = IPPROTO_UDP;
	len = build(fbuf, &s);
	m = chain(pool, fbuf, len, segs_2k, 1);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(vs_offload_gro_to_tso(m, 1448), -EINVAL);
	rte_pktmbuf_free(m);
	assert_pools_full();
}

/* --- outer fragmentation and reassembly ------------------------------------------------- */

/* Copy a frame into fresh 2 KB mbufs, as the receiving NIC would, and free the original. */
static struct rte_mbuf *
wire(struct rte_mbuf *m)
{
	uint32_t len = flat(m, rbuf);
	struct rte_mbuf *c;

	rte_pktmbuf_free(m);
	if (len == 0)
		return NULL;
	c = chain(pool, rbuf, len, segs_2k, 1);
	return c;
}

/*
 * Encapsulate an inner frame (checksum left to offload) with a DF-clear template, fragment
 * it for mtu, check the fragments, carry them over the "wire" in the given order, reassemble
 * and decapsulate, and compare with the inner frame as it should arrive.
 */
static void
check_frag_roundtrip(struct vs_reasm *r, uint16_t mtu, uint32_t inner_len, uint8_t proto,
		uint32_t encap_flags, bool reverse)
{
	struct fspec s = { .proto = proto, .df = false, .id = 0x2222, .seq = 9,
		.tcp_flags = 0x10 };
	struct rte_mbuf *out[VS_OFFLOAD_OUT_MAX];
	struct vs_reasm_stats st0;
	struct vs_reasm_stats st;
	struct vs_decap_meta meta;
	enum vs_drop_reason why;
	struct vs_encap_tmpl t;
	struct rte_mbuf *m;
	struct rte_mbuf *whole = NULL;
	uint64_t now = rte_get_tsc_cycles();
	uint32_t outer_total;
	uint32_t unit;
	uint32_t ofs = 0;
	uint32_t len;
	uint32_t rlen;
	uint16_t id = (uint16_t)(0x8000 + inner_len);
	int n;
	int i;
	int k;

	s.payload = inner_len - ETH - IP4 - l4_hdr_len(proto);
	tmpl(&t, false);
	len = build(fbuf, &s);
	memcpy(ebuf, fbuf, len);
	make_partial(fbuf);
	m = chain(pool, fbuf, len, segs_2k, 1);
	CU_ASSERT_FATAL(m != NULL);
	set_req(m, &s, proto == IPPROTO_TCP ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM,
		0);
	CU_ASSERT_EQUAL_FATAL(vs_encap(m, &t, encap_flags), 0);
	outer_total = len + OUTER - ETH;

	n = vs_frag_outer(m, mtu, id, pool, ind_pool, out, RTE_DIM(out));
	if (outer_total <= mtu) {
		CU_ASSERT_EQUAL(n, 0);
		rte_pktmbuf_free(m);
		assert_pools_full();
		return;
	}
	unit = (mtu - IP4) & ~7u;
	CU_ASSERT_EQUAL_FATAL(n, (int)((outer_total - IP4 + unit - 1) / unit));
	for (i = 0; i < n; i++) {
		rlen = flat(out[i], rbuf);
		CU_ASSERT(rlen <= (uint32_t)mtu + ETH);
		CU_ASSERT(memcmp(rbuf, &t.hdr.eth, ETH) == 0);
		CU_ASSERT_EQUAL(rd16(rbuf + ETH + 2), rlen - ETH);
		CU_ASSERT_EQUAL(rd16(rbuf + ETH + 4), id);
		CU_ASSERT_EQUAL(rd16(rbuf + ETH + 6) & 0x1fff, ofs / 8);
		CU_ASSERT_EQUAL(!!(rbuf[ETH + 6] & 0x20), i < n - 1);	/* MF */
		CU_ASSERT_EQUAL(rbuf[ETH + 6] & 0x40, 0);			/* DF */
		CU_ASSERT(ref_ip_ok(rbuf + ETH));
		if (i < n - 1)
			CU_ASSERT_EQUAL(rlen - ETH - IP4, unit);
		CU_ASSERT_EQUAL(out[i]->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK, 0);
		ofs += rlen - ETH - IP4;
	}
	CU_ASSERT_EQUAL(ofs, outer_total - IP4);

	vs_reasm_stats(r, &st0);
	for (k = 0; k < n; k++) {
		i = reverse ? n - 1 - k : k;
		out[i] = wire(out[i]);
		CU_ASSERT_FATAL(out[i] != NULL);
		whole = vs_reasm_feed(r, out[i], now, &why);
		if (k < n - 1) {
			CU_ASSERT(whole == NULL);
			CU_ASSERT_EQUAL(why, VS_DROP_MAX);
		}
	}
	CU_ASSERT_FATAL(whole != NULL);
	vs_reasm_stats(r, &st);
	CU_ASSERT_EQUAL(st.reassembled, st0.reassembled + 1);
	CU_ASSERT_EQUAL(st.flows, 0);
	CU_ASSERT_EQUAL(st.frags, 0);
	rlen = flat(whole, rbuf);
	CU_ASSERT_EQUAL(rlen, len + OUTER);
	CU_ASSERT_EQUAL(rd16(rbuf + ETH + 2), outer_total);
	CU_ASSERT_EQUAL(rd16(rbuf + ETH + 4), id);
	CU_ASSERT_EQUAL(rd16(rbuf + ETH + 6), 0);
	CU_ASSERT(ref_ip_ok(rbuf + ETH));
	/* the inner frame arrives complete, with the checksum the guest left to offload */
	CU_ASSERT(memcmp(rbuf + OUTER, ebuf, len) == 0);
	CU_ASSERT(ref_l4_ok(rbuf + OUTER + ETH));
	CU_ASSERT_EQUAL(vs_decap(whole, IP_PEER, VXLAN_PORT, &meta), VS_DECAP_ACCEPT);
	CU_ASSERT_EQUAL(meta.vni, 100);
	CU_ASSERT_EQUAL(flat(whole, rbuf), len);
	CU_ASSERT(memcmp(rbuf, ebuf, len) == 0);
	rte_pktmbuf_free(whole);
	assert_pools_full();
}

static void
test_frag_roundtrip(void)
{
	static const uint32_t sizes[] = {200, 1437, 1600, 9000, 30001, 60000, 65499};
	struct vs_reasm *r;
	unsigned int i;

	r = vs_reasm_create("vs_offload_rt", 64, 64, 1000, SOCKET_ID_ANY);
	CU_ASSERT_FATAL(r != NULL);
	for (i = 0; i < RTE_DIM(sizes); i++) {
		check_frag_roundtrip(r, 1500, sizes[i], IPPROTO_UDP, 0, false);
		check_frag_roundtrip(r, 1500, sizes[i], IPPROTO_TCP, VS_ENCAP_F_OL_TUNNEL, true);
		check_frag_roundtrip(r, 9000, sizes[i], IPPROTO_UDP, VS_ENCAP_F_OL_TUNNEL, i & 1);
		check_frag_roundtrip(r, 576, sizes[i] > 30000 ? 30000 : sizes[i], IPPROTO_TCP, 0,
			!(i & 1));
	}
	vs_reasm_free(r);
	assert_pools_full();
}

static void
test_frag_errors(void)
{
	struct fspec s = { .proto = IPPROTO_UDP, .payload = 5000, .df = false, .id = 1 };
	struct rte_mbuf *out[VS_OFFLOAD_OUT_MAX];
	struct vs_encap_tmpl t;
	struct rte_mbuf *m;
	struct rte_mbuf *c;
	uint32_t len;

	/* DF set in the template: not ours to fragment */
	tmpl(&t, true);
	len = build(fbuf, &s);
	m = chain(pool, fbuf, len, segs_2k, 1);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL_FATAL(vs_encap(m, &t, 0), 0);
	CU_ASSERT_EQUAL(vs_frag_outer(m, 1500, 1, pool, ind_pool, out, RTE_DIM(out)), -ENOTSUP);
	rte_pktmbuf_free(m);
	/* too small an output array, or MTU: m kept unchanged */
	tmpl(&t, false);
	m = chain(pool, fbuf, len, segs_2k, 1);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL_FATAL(vs_encap(m, &t, 0), 0);
	CU_ASSERT_EQUAL(flat(m, ebuf), len + OUTER);
	CU_ASSERT_EQUAL(vs_frag_outer(m, 1500, 1, pool, ind_pool, out, 3), -ENOSPC);
	CU_ASSERT_EQUAL(vs_frag_outer(m, 500, 1, pool, ind_pool, out, RTE_DIM(out)), -EINVAL);
	/* shared data */
	c = rte_pktmbuf_clone(m, ind_pool);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(vs_frag_outer(m, 1500, 1, pool, ind_pool, out, RTE_DIM(out)), -EPERM);
	rte_pktmbuf_free(c);
	CU_ASSERT_EQUAL(flat(m, rbuf), len + OUTER);
	CU_ASSERT(memcmp(rbuf, ebuf, len + OUTER) == 0);
	rte_pktmbuf_free(m);
	assert_pools_full();
}

/* One outer IPv4 fragment by hand: payload bytes [ofs, ofs + len) of a packet's pattern. */
static struct rte_mbuf *
frag_opt(rte_be32_t src, uint16_t id, uint32_t ofs, uint32_t len, bool mf, uint32_t pad,
		uint32_t opt)
{
	uint8_t *ip = fbuf + ETH;
	uint32_t hl = IP4 + opt;	/* opt: bytes of IPv4 options (NOPs), a multiple of 4 */
	uint32_t i;

	memcpy(fbuf, &mac_us, 6);
	memcpy(fbuf + 6, &mac_nh, 6);
	wr16(fbuf + 12, RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, IP4);
	memset(ip + IP4, 1, opt);
	ip[0] = (uint8_t)(0x40 | hl / 4);
	wr16(ip + 2, (uint16_t)(hl + len));
	wr16(ip + 4, id);
	wr16(ip + 6, (uint16_t)((mf ? 0x2000 : 0) | (ofs / 8)));
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &(rte_be32_t){IP_US}, 4);
	ref_ip_fill(ip);
	for (i = 0; i < len; i++)
		ip[hl + i] = pat(ofs + i);
	memset(ip + hl + len, 0xee, pad);	/* Ethernet padding */
	return chain(pool, fbuf, ETH + hl + len + pad, segs_2k, 1);
}

static struct rte_mbuf *
frag(rte_be32_t src, uint16_t id, uint32_t ofs, uint32_t len, bool mf, uint32_t pad)
{
	return frag_opt(src, id, ofs, len, mf, pad, 0);
}

/* Feed a hand-made fragment; returns what vs_reasm_feed() returned. */
static struct rte_mbuf *
feed(struct vs_reasm *r, uint16_t id, uint32_t ofs, uint32_t len, bool mf, uint64_t now,
		enum vs_drop_reason *why)
{
	struct rte_mbuf *m = frag(IP_PEER, id, ofs, len, mf, 0);

	CU_ASSERT_FATAL(m != NULL);
	return vs_reasm_feed(r, m, now, why);
}

/* A reassembled packet holds pattern bytes 0..end after its 20-byte header. */
static bool
payload_is(struct rte_mbuf *m, uint32_t end)
{
	uint32_t len = flat(m, rbuf);
	uint32_t i;

	if (len != ETH + IP4 + end || rd16(rbuf + ETH + 2) != IP4 + end ||
			(rd16(rbuf + ETH + 6) & 0x3fff) != 0 || !ref_ip_ok(rbuf + ETH))
		return false;
	for (i = 0; i < end; i++)
		if (rbuf[ETH + IP4 + i] != pat(i))
			return false;
	return true;
}

static void
flush_all(struct vs_reasm *r, uint64_t now)
{
	int i;

	for (i = 0; i < 10000; i++)
		vs_reasm_flush(r, now);
}

static void
test_reasm_bad(void)
{
	uint64_t t0 = rte_get_tsc_cycles();
	uint64_t tmo = 50 * rte_get_tsc_hz() / 1000;
	struct vs_reasm_stats st;
	enum vs_drop_reason why;
	struct vs_reasm *r;
	struct rte_mbuf *m;
	uint32_t i;

	r = vs_reasm_create("vs_offload_bad", 64, 8, 50, SOCKET_ID_ANY);
	CU_ASSERT_FATAL(r != NULL);

	/* not a fragment: handed back as it is */
	m = frag(IP_PEER, 1, 0, 100, false, 0);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT(vs_reasm_feed(r, m, t0, &why) == m);
	CU_ASSERT_EQUAL(why, VS_DROP_MAX);
	rte_pktmbuf_free(m);

	/* overlapping: the whole packet goes */
	CU_ASSERT(feed(r, 2, 0, 1480, true, t0, &why) == NULL);
	CU_ASSERT_EQUAL(why, VS_DROP_MAX);
	CU_ASSERT(feed(r, 2, 1000, 1480, true, t0, &why) == NULL);
	CU_ASSERT_EQUAL(why, VS_REASM_DROP_INVALID);
	vs_reasm_stats(r, &st);
	CU_ASSERT_EQUAL(st.invalid, 2);
	CU_ASSERT_EQUAL(st.flows, 0);
	assert_pools_full();

	/* duplicate: dropped alone, the packet still completes (out of order, padded) */
	CU_ASSERT(feed(r, 3, 1480, 1480, true, t0, &why) == NULL);
	CU_ASSERT_EQUAL(why, VS_DROP_MAX);
	CU_ASSERT(feed(r, 3, 1480, 1480, true, t0, &why) == NULL);
	CU_ASSERT_EQUAL(why, VS_REASM_DROP_INVALID);
	CU_ASSERT(feed(r, 3, 0, 1480, true, t0, &why) == NULL);
	CU_ASSERT_EQUAL(why, VS_DROP_MAX);
	m = frag(IP_PEER, 3, 2960, 17, false, 29);	/* 80-byte frame, 29 bytes of padding */
	CU_ASSERT_FATAL(m != NULL);
	m = vs_reasm_feed(r, m, t0, &why);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT(payload_is(m, 2977));
	rte_pktmbuf_free(m);
	vs_reasm_stats(r, &st);
	CU_ASSERT_EQUAL(st.invalid, 3);
	CU_ASSERT_EQUAL(st.reassembled, 1);
	assert_pools_full();

	/* MF with a length that is not a multiple of 8 */
	CU_ASSERT(feed(r, 4, 0, 1001, true, t0, &why) == NULL);
	CU_ASSERT_EQUAL(why, VS_REASM_DROP_INVALID);
	/* two last fragments with different ends */
	CU_ASSERT(feed(r, 4, 1480, 100, false, t0, &why) == NULL);
	CU_ASSERT_EQUAL(why, VS_DROP_MAX);
	CU_ASSERT(feed(r, 4, 1480, 200, false, t0, &why) == NULL);
	CU_ASSERT_EQUAL(why, VS_REASM_DROP_INVALID);
	/* a fragment beyond the end the last one set */
	CU_ASSERT(feed(r, 5, 2000, 100, false, t0, &why) == NULL);
	CU_ASSERT(feed(r, 5, 2200, 8, true, t0, &why) == NULL);
	CU_ASSERT_EQUAL(why, VS_REASM_DROP_INVALID);
	/* a last fragment before data already held */
	CU_ASSERT(feed(r, 6, 1480, 1480, true, t0, &why) == NULL);
	CU_ASSERT(feed(r, 6, 8, 1000, false, t0, &why) == NULL);
	CU_ASSERT_EQUAL(why, VS_REASM_DROP_INVALID);
	vs_reasm_stats(r, &st);
	CU_ASSERT_EQUAL(st.invalid, 3 + 1 + 2 + 2 + 2);
	CU_ASSERT_EQUAL(st.flows, 0);
	assert_pools_full();

	/* too many fragments for one packet (8 here) */
	for (i = 0; i < 8; i++) {
		CU_ASSERT(feed(r, 7, i * 8, 8, true, t0, &why) == NULL);
		CU_ASSERT_EQUAL(why, VS_DROP_MAX);
	}
	CU_ASSERT(feed(r, 7, 64, 8, true, t0, &why) == NULL);
	CU_ASSERT_EQUAL(why, VS_REASM_DROP_INVALID);
	vs_reasm_stats(r, &st);
	CU_ASSERT_EQUAL(st.flows, 0);
	CU_ASSERT_EQUAL(st.timeout_flows, 0);
	assert_pools_full();

	/* missing middle: a late fragment finds its packet timed out and starts anew */
	CU_ASSERT(feed(r, 8, 0, 1480, true, t0, &why) == NULL);
	CU_ASSERT(feed(r, 8, 2960, 100, false, t0, &why) == NULL);
	vs_reasm_stats(r, &st);
	CU_ASSERT_EQUAL(st.frags, 2);
	CU_ASSERT(feed(r, 8, 1480, 1480, true, t0 + tmo + 1, &why) == NULL);
	CU_ASSERT_EQUAL(why, VS_DROP_MAX);
	vs_reasm_stats(r, &st);
	CU_ASSERT_EQUAL(st.timeout_flows, 1);
	CU_ASSERT_EQUAL(st.timeout_frags, 2);
	CU_ASSERT_EQUAL(st.frags, 1);
	CU_ASSERT_EQUAL(st.reassembled, 1);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), NB_MBUF - 1);
	/* vs_reasm_flush() leaves it alone until its own timeout has passed */
	flush_all(r, t0 + tmo + 2);
	vs_reasm_stats(r, &st);
	CU_ASSERT_EQUAL(st.frags, 1);
	flush_all(r, t0 + 3 * tmo);
	vs_reasm_stats(r, &st);
	CU_ASSERT_EQUAL(st.timeout_flows, 2);
	CU_ASSERT_EQUAL(st.timeout_frags, 3);
	CU_ASSERT_EQUAL(st.flows, 0);
	CU_ASSERT_EQUAL(st.frags, 0);
	assert_pools_full();

	/* freeing a table frees what it holds */
	CU_ASSERT(feed(r, 9, 0, 1480, true, t0, &why) == NULL);
	vs_reasm_free(r);
	assert_pools_full();
}

static void
test_reasm_oversize(void)
{
	uint64_t t0 = rte_get_tsc_cycles();
	struct vs_reasm_stats st;
	enum vs_drop_reason why;
	struct vs_reasm *r;
	struct rte_mbuf *m = NULL;
	uint32_t ofs;
	uint32_t len;

	r = vs_reasm_create("vs_offload_big", 16, 64, 1000, SOCKET_ID_ANY);
	CU_ASSERT_FATAL(r != NULL);
	/* exactly 65535 bytes: 20 + 65515 of payload in 8976-byte pieces */
	for (ofs = 0; ofs < 65515; ofs += len) {
		len = RTE_MIN(8976u, 65515 - ofs);
		m = feed(r, 10, ofs, len, ofs + len < 65515, t0, &why);
		CU_ASSERT_EQUAL(why, VS_DROP_MAX);
	}
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT(payload_is(m, 65515));
	rte_pktmbuf_free(m);
	/* one byte more: rejected, with what is held of it */
	CU_ASSERT(feed(r, 11, 0, 8976, true, t0, &why) == NULL);
	CU_ASSERT(feed(r, 11, 8976, 8976, true, t0, &why) == NULL);
	CU_ASSERT(feed(r, 11, 65512, 4, false, t0, &why) == NULL);
	CU_ASSERT_EQUAL(why, VS_REASM_DROP_OVERSIZE);
	/* the largest offset the header can say, with a full fragment */
	CU_ASSERT(feed(r, 12, 65528, 1000, false, t0, &why) == NULL);
	CU_ASSERT_EQUAL(why, VS_REASM_DROP_OVERSIZE);
	/* 65515 bytes of payload fit only behind a 20-byte header: with options, rejected */
	for (ofs = 0; ofs < 65515; ofs += len) {
		len = RTE_MIN(8976u, 65515 - ofs);
		if (ofs == 0)
			m = vs_reasm_feed(r, frag_opt(IP_PEER, 13, ofs, len, true, 0, 8), t0, &why);
		else
			m = feed(r, 13, ofs, len, ofs + len < 65515, t0, &why);
		CU_ASSERT(m == NULL);
	}
	CU_ASSERT_EQUAL(why, VS_REASM_DROP_OVERSIZE);
	vs_reasm_stats(r, &st);
	CU_ASSERT_EQUAL(st.oversize, 4 + 8);
	CU_ASSERT_EQUAL(st.flows, 0);
	CU_ASSERT_EQUAL(st.reassembled, 1);
	vs_reasm_free(r);
	assert_pools_full();
}

static void
test_reasm_flood(void)
{
	uint64_t t0 = rte_get_tsc_cycles();
	uint64_t tmo = 100 * rte_get_tsc_hz() / 1000;
	struct vs_reasm_stats st;
	enum vs_drop_reason why;
	struct vs_reasm *r;
	struct rte_mbuf *m;
	uint32_t full = 0;
	uint32_t i;

	CU_ASSERT(vs_reasm_create("x", 0, 8, 100, SOCKET_ID_ANY) == NULL);
	CU_ASSERT_EQUAL(rte_errno, EINVAL);
	CU_ASSERT(vs_reasm_create("x", 16, 1, 100, SOCKET_ID_ANY) == NULL);
	CU_ASSERT(vs_reasm_create("x", 16, VS_REASM_FRAGS_MAX + 1, 100, SOCKET_ID_ANY) == NULL);
	CU_ASSERT(vs_reasm_create("x", 16, 8, 0, SOCKET_ID_ANY) == NULL);

	r = vs_reasm_create("vs_offload_flood", 1024, 45, 100, SOCKET_ID_ANY);
	CU_ASSERT_FATAL(r != NULL);
	for (i = 0; i < 10000; i++) {
		m = frag(rte_cpu_to_be_32(0xc6336401u /* 198.51.100.1 */ + (i >> 16)), (uint16_t)i,
			0, 64, true, 0);
		CU_ASSERT_FATAL(m != NULL);
		CU_ASSERT(vs_reasm_feed(r, m, t0, &why) == NULL);
		if (why == VS_REASM_DROP_TABLE_FULL)
			full++;
		else
			CU_ASSERT_EQUAL(why, VS_DROP_MAX);
	}
	vs_reasm_stats(r, &st);
	CU_ASSERT(st.flows <= 1024);
	CU_ASSERT(st.flows >= 1000);	/* 10000 keys over 128 buckets of 8: all but full */
	CU_ASSERT_EQUAL(st.frags, st.flows);
	CU_ASSERT_EQUAL(st.table_full, 10000 - st.flows);
	CU_ASSERT_EQUAL(full, st.table_full);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), NB_MBUF - st.frags);
	/* a complete packet still gets through once entries expire */
	flush_all(r, t0 + tmo + 1);
	vs_reasm_stats(r, &st);
	CU_ASSERT_EQUAL(st.flows, 0);
	CU_ASSERT_EQUAL(st.timeout_flows, 10000 - st.table_full);
	assert_pools_full();
	CU_ASSERT(feed(r, 1, 0, 1480, true, t0 + tmo + 2, &why) == NULL);
	m = feed(r, 1, 1480, 100, false, t0 + tmo + 2, &why);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT(payload_is(m, 1580));
	rte_pktmbuf_free(m);
	vs_reasm_free(r);
	assert_pools_full();
}

/* --- main ----------------------------------------------------------------------------- */

int
main(void)
{
	char *eal_args[] = {
		"test_offload", "--no-huge", "--no-pci", "--no-shconf",
		"--file-prefix=vsoffload", "-l", "0", "--log-level=warning", "-m", "128",
	};
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "cksum_raw against rte_raw_cksum and the reference", test_cksum_raw },
		{ "cksum_sw TCP/UDP, IPv4/IPv6, segments", test_cksum_sw },
		{ "cksum_sw TSO frame", test_cksum_sw_tso },
		{ "cksum_sw encapsulated", test_cksum_sw_tunnel },
		{ "cksum_sw errors", test_cksum_sw_errors },
		{ "cksum_check", test_cksum_check },
		{ "tunnel TSO prepare", test_tso_prepare },
		{ "GSO segments", test_gso },
		{ "GSO edges", test_gso_edges },
		{ "ICMP fragmentation needed", test_icmp_frag_needed },
		{ "GRO to TSO", test_gro_to_tso },
		{ "fragment/reassemble round trip", test_frag_roundtrip },
		{ "fragment errors", test_frag_errors },
		{ "reassembly bad input", test_reasm_bad },
		{ "reassembly 65535 limit", test_reasm_oversize },
		{ "reassembly flood", test_reasm_flood },
	};
	CU_pSuite suite;
	unsigned int failures;
	unsigned int i;

	if (rte_eal_init((int)RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	vs_eal_files_save(&eal_files);
	pool = rte_pktmbuf_pool_create("vs_offload_test", NB_MBUF, 0, 0,
		SEG_ROOM + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	ind_pool = rte_pktmbuf_pool_create("vs_offload_ind", NB_IND, 0, 0, 0, SOCKET_ID_ANY);
	big_pool = rte_pktmbuf_pool_create("vs_offload_big", NB_BIG, 0, 0,
		BIG_ROOM + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	if (pool == NULL || ind_pool == NULL || big_pool == NULL) {
		fprintf(stderr, "mbuf pool: %s\n", rte_strerror(rte_errno));
		return 1;
	}

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("offload", NULL, NULL);
	if (suite == NULL)
		goto err;
	for (i = 0; i < RTE_DIM(tests); i++)
		if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL)
			goto err;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	rte_mempool_free(big_pool);
	rte_mempool_free(ind_pool);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	/* EAL leaves its runtime directory (and hugepage files) behind. */
	vs_eal_files_remove(&eal_files);
	return failures == 0 ? 0 : 1;
err:
	CU_cleanup_registry();
	return 1;
}
