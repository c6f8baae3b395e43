/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs-guestemu: emulated guests for vseal's tests.
 *
 *   vs-guestemu [EAL options] -- --guest NAME,SOCKET,TAP,MAC[,server][,mtu=N][,queues=1] ...
 *               [--idle-sleep US] [--stats-file FILE] [--queue-size N] [--mbufs N]
 *
 * Each guest is a virtio-user port (the vhost-user frontend, as QEMU would be) bridged to a
 * Linux tap opened with IFF_VNET_HDR, so the kernel's TCP/IP stack behind the tap, usually
 * in a network namespace, is the guest OS, with its 64 KB TSO frames and partial checksums
 * carried across in the virtio-net header. One lcore polls every guest. See docs/guestemu.md.
 *
 * Threads: the main lcore forwards (tap <-> port) for guests whose port is up; a control
 * thread creates, and for client-mode guests re-creates, the ports. A guest's port belongs
 * to exactly one of them at a time, handed over through the guest's state with
 * acquire/release: DOWN and GONE belong to the control thread, UP to the main lcore.
 *
 * Exit status: 0 after SIGINT/SIGTERM, 1 if a tap or the mempool cannot be set up, 2 for a
 * usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>

#include <bsd/string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "vs_eal_files.h"
#include "vs_parse.h"

#define EXIT_USAGE 2

#define GEMU_MAX_GUESTS 16
#define GEMU_BURST 32
/*
 * Mbuf data room: 16 KB. A kernel GSO frame is at most 64 KB (gso_max_size 65536), and
 * data_len is 16 bits, so a large frame is a chain either way; 16 KB segments make it at
 * most 5 segments (one readv of 6 iovecs, one virtio descriptor chain of 5), while a full
 * 1024-entry virtio RX ring takes 16 MB. Small frames waste buffer space, not bandwidth.
 */
#define GEMU_SEG_ROOM 16384
#define GEMU_TAP_SEGS 5			/* 80 KB per tap read: more than any tap frame */
#define GEMU_MAX_IOV 64			/* segments of one port frame written to the tap */
#define GEMU_VNET_HDR_LEN 12		/* struct virtio_net_hdr_mrg_rxbuf */
#define GEMU_MTU_MAX 65000
#define GEMU_IDLE_LOOPS 64
#define GEMU_RETRY_MS 1000		/* re-probe a client-mode port */
#define GEMU_LINK_CHECK_MS 200
#define GEMU_QUEUE_SIZE 1024		/* virtio ring entries, as QEMU's rx_queue_size=1024 */

_Static_assert(sizeof(struct virtio_net_hdr_mrg_rxbuf) == GEMU_VNET_HDR_LEN,
	"vnet header is 12 bytes");
_Static_assert(GEMU_SEG_ROOM * GEMU_TAP_SEGS > 65536 + RTE_ETHER_HDR_LEN,
	"a tap read holds any frame");

/* X(ENUM, "name", "description"): drops, per guest. */
#define GEMU_DROPS(X) \
	X(PORT_DOWN,      "port_down",      "tap frame while the guest's port or link is down") \
	X(TAP_READ,       "tap_read",       "read() on the tap failed") \
	X(TAP_SHORT,      "tap_short",      "tap frame shorter than vnet header + Ethernet") \
	X(BAD_VNET_HDR,   "bad_vnet_hdr",   "tap vnet header not mappable (GSO type, csum offsets)") \
	X(NO_TSO,         "no_tso",         "GSO frame from the tap but the port has no TSO") \
	X(NO_MBUF,        "no_mbuf",        "mempool empty") \
	X(TX_PREPARE,     "tx_prepare",     "rte_eth_tx_prepare refused the frame") \
	X(RX_BAD_OFFLOAD, "rx_bad_offload", "port frame flagged LRO/partial csum but not TCP/UDP") \
	X(TOO_MANY_SEGS,  "too_many_segs",  "port frame with more segments than one writev") \
	X(TAP_WRITE,      "tap_write",      "write() to the tap failed (tap down?)")

/* GEMU_DROP_NONE (0) is "not dropped", so mapping functions can return a reason or 0. */
enum gemu_drop {
	GEMU_DROP_NONE,
#define GEMU_DROP_ENUM_(e, n, d) GEMU_DROP_ ## e,
	GEMU_DROPS(GEMU_DROP_ENUM_)
#undef GEMU_DROP_ENUM_
	GEMU_DROP_MAX
};

static const char *const gemu_drop_names[] = {
	"none",
#define GEMU_DROP_NAME_(e, n, d) n,
	GEMU_DROPS(GEMU_DROP_NAME_)
#undef GEMU_DROP_NAME_
};

/* Counters of the main lcore (the only writer). */
struct gemu_stats {
	uint64_t to_port_frames;	/* tap -> port, sent */
	uint64_t to_port_bytes;
	uint64_t to_port_gso;		/* ... of which TSO frames */
	uint64_t to_port_csum_hw;	/* ... checksum left to the port */
	uint64_t to_port_csum_sw;	/* ... checksum completed here */
	uint64_t to_tap_frames;		/* port -> tap, written */
	uint64_t to_tap_bytes;
	uint64_t to_tap_gso;		/* ... with a GSO vnet header */
	uint64_t to_tap_csum_partial;	/* ... NEEDS_CSUM */
	uint64_t to_tap_csum_valid;	/* ... DATA_VALID */
	uint64_t pool_waits;		/* tap left unread: every mbuf was in flight */
	uint64_t drops[GEMU_DROP_MAX];
};

/* The counters above by name, as --stats-file lists them. */
static const struct {
	const char *name;
	size_t off;
} gemu_stat_fields[] = {
#define GEMU_STAT_(f) { #f, offsetof(struct gemu_stats, f) }
	GEMU_STAT_(to_port_frames), GEMU_STAT_(to_port_bytes), GEMU_STAT_(to_port_gso),
	GEMU_STAT_(to_port_csum_hw), GEMU_STAT_(to_port_csum_sw),
	GEMU_STAT_(to_tap_frames), GEMU_STAT_(to_tap_bytes), GEMU_STAT_(to_tap_gso),
	GEMU_STAT_(to_tap_csum_partial), GEMU_STAT_(to_tap_csum_valid),
	GEMU_STAT_(pool_waits),
#undef GEMU_STAT_
};

/* What a tap frame asked of the port, counted once the port has taken it. */
enum gemu_kind {
	GEMU_KIND_PLAIN,	/* complete frame */
	GEMU_KIND_GSO,		/* TSO */
	GEMU_KIND_CSUM_PORT,	/* partial checksum, completed by the port */
	GEMU_KIND_CSUM_SW,	/* partial checksum, completed here */
};

enum gemu_state {
	GEMU_DOWN,	/* no port: the control thread creates one */
	GEMU_UP,	/* port started: the main lcore forwards */
	GEMU_GONE,	/* client-mode link lost: the control thread removes the port */
};

struct gemu_guest {
	/* From the command line. */
	char name[32];
	char sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char tap[IFNAMSIZ];
	struct rte_ether_addr mac;
	bool server;
	uint32_t mtu;
	/* Runtime. */
	int tap_fd;
	char vdev[RTE_DEV_NAME_MAX_LEN];
	uint32_t state;			/* enum gemu_state, __atomic */
	uint16_t port_id;		/* valid while UP or GONE */
	bool tso;			/* port takes TCP_SEG */
	bool tx_tcp_csum;
	bool tx_udp_csum;
	bool tx_ip_csum;
	bool link_up;			/* main lcore: last link status seen */
	uint64_t next_link_check;	/* TSC, main lcore */
	uint64_t next_probe_ms;		/* control thread */
	uint64_t reconnects;		/* control thread, __atomic */
	struct rte_mbuf *stash[GEMU_TAP_SEGS];	/* buffers for the next tap read */
	struct rte_mbuf *pending[GEMU_BURST];	/* prepared, not yet taken by the port */
	uint32_t pending_len[GEMU_BURST];
	uint8_t pending_kind[GEMU_BURST];	/* enum gemu_kind */
	unsigned int nb_pending;
	struct gemu_stats st;
} __rte_cache_aligned;

static struct gemu_guest guests[GEMU_MAX_GUESTS];
static unsigned int nb_guests;
static struct rte_mempool *pool;
static uint32_t idle_sleep_us = 50;
static uint32_t nb_mbufs;
static uint32_t queue_size = GEMU_QUEUE_SIZE;
static const char *stats_file;
static struct vs_eal_files eal_files;

static volatile sig_atomic_t got_quit;
static volatile sig_atomic_t got_dump;
static uint32_t ctl_done;		/* __atomic */

/* Scratch for tap frames read while a guest's port is down. */
static uint8_t discard_buf[GEMU_SEG_ROOM * GEMU_TAP_SEGS];

#define GEMU_LOG(fmt, ...) printf("vs-guestemu: " fmt "\n", ##__VA_ARGS__)
#define GEMU_ERR(fmt, ...) fprintf(stderr, "vs-guestemu: " fmt "\n", ##__VA_ARGS__)

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_dump = 1;
	else if (sig == SIGINT || sig == SIGTERM)
		got_quit = 1;
	/* SIGUSR2 only interrupts a blocking accept() in the control thread. */
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* ---------------------------------------------------------------- tap */

static int
tap_set_offload(struct gemu_guest *g, bool tso)
{
	unsigned int off = TUN_F_CSUM | (tso ? TUN_F_TSO4 | TUN_F_TSO6 : 0);

	if (ioctl(g->tap_fd, TUNSETOFFLOAD, off) < 0)
		return -errno;
	return 0;
}

/* Creates the tap: vnet header, offloads, MAC, MTU, up. */
static int
tap_create(struct gemu_guest *g)
{
	int hdr_len = GEMU_VNET_HDR_LEN;
	struct ifreq ifr;
	int fd, s, ret;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strlcpy(ifr.ifr_name, g->tap, sizeof(ifr.ifr_name));
	/* Single queue (no IFF_MULTI_QUEUE): safe to move into a namespace. */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	g->tap_fd = fd;
	ret = tap_set_offload(g, true);
	if (ret < 0)
		return ret;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strlcpy(ifr.ifr_name, g->tap, sizeof(ifr.ifr_name));
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, g->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	if (ioctl(s, SIOCSIFHWADDR, &ifr) < 0)
		goto fail;
	ifr.ifr_mtu = (int)g->mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr) < 0)
		goto fail;
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		goto fail;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		goto fail;
	close(s);
	return 0;
fail:
	ret = -errno;
	close(s);
	return ret;
}

/* ---------------------------------------------------------------- headers */

/* Where the L3 header starts and its ethertype (host order), past up to two VLAN tags. */
static int
parse_l2(const struct rte_mbuf *m, uint16_t *l2_len, uint16_t *ethertype)
{
	const struct rte_ether_hdr *eh;
	const struct rte_vlan_hdr *vh;
	uint16_t len = sizeof(*eh), type;
	int i;

	if (rte_pktmbuf_data_len(m) < len)
		return -EINVAL;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	type = rte_be_to_cpu_16(eh->ether_type);
	for (i = 0; i < 2 && (type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ); i++) {
		if (rte_pktmbuf_data_len(m) < len + sizeof(*vh))
			return -EINVAL;
		vh = rte_pktmbuf_mtod_offset(m, const struct rte_vlan_hdr *, len);
		type = rte_be_to_cpu_16(vh->eth_proto);
		len += sizeof(*vh);
	}
	*l2_len = len;
	*ethertype = type;
	return 0;
}

/*
 * L3 header length and L4 protocol of a plain IPv4 (any options) or IPv6 (no extension
 * headers) packet at l2_len, all within the first segment. -ENOTSUP otherwise.
 */
static int
parse_l3(const struct rte_mbuf *m, uint16_t l2_len, uint16_t ethertype, uint16_t *l3_len,
	uint8_t *proto)
{
	const struct rte_ipv4_hdr *ip4;
	const struct rte_ipv6_hdr *ip6;

	if (ethertype == RTE_ETHER_TYPE_IPV4) {
		if (rte_pktmbuf_data_len(m) < l2_len + sizeof(*ip4))
			return -EINVAL;
		ip4 = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l2_len);
		*l3_len = (ip4->version_ihl & 0x0f) * 4;
		if (*l3_len < sizeof(*ip4) || (ip4->version_ihl >> 4) != 4)
			return -EINVAL;
		*proto = ip4->next_proto_id;
		return 0;
	}
	if (ethertype == RTE_ETHER_TYPE_IPV6) {
		if (rte_pktmbuf_data_len(m) < l2_len + sizeof(*ip6))
			return -EINVAL;
		ip6 = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, l2_len);
		*l3_len = sizeof(*ip6);
		*proto = ip6->proto;
		return 0;
	}
	return -ENOTSUP;
}

/* TCP header length at off, -EINVAL if it is not all in the first segment. */
static int
tcp_hdr_len(const struct rte_mbuf *m, uint32_t off)
{
	const struct rte_tcp_hdr *th;
	uint32_t len;

	if (rte_pktmbuf_data_len(m) < off + sizeof(*th))
		return -EINVAL;
	th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, off);
	len = (th->data_off >> 4) * 4;
	if (len < sizeof(*th) || rte_pktmbuf_data_len(m) < off + len)
		return -EINVAL;
	return (int)len;
}

/*
 * Completes a partial checksum as the virtio spec says: the one's complement sum from
 * csum_start to the end, the field (holding the pseudo-header sum) included, stored at
 * csum_start + csum_offset. 0 is sent as 0xffff, as the kernel does.
 */
static int
sw_csum(struct rte_mbuf *m, uint32_t start, uint32_t offset)
{
	uint16_t sum;

	if (start + offset + 2 > rte_pktmbuf_data_len(m))
		return -EINVAL;
	if (rte_raw_cksum_mbuf(m, start, rte_pktmbuf_pkt_len(m) - start, &sum) < 0)
		return -EINVAL;
	sum = (uint16_t)~sum;
	if (sum == 0)
		sum = 0xffff;
	*rte_pktmbuf_mtod_offset(m, uint16_t *, start + offset) = sum;
	return 0;
}

/*
 * Tap -> port: turns the vnet header the kernel wrote into mbuf offload requests, and says
 * which in *kind. Returns GEMU_DROP_NONE or why the frame must be dropped.
 */
static enum gemu_drop
tap_hdr_to_mbuf(const struct gemu_guest *g, struct rte_mbuf *m, const struct virtio_net_hdr *h,
	enum gemu_kind *kind)
{
	uint16_t l2_len, l3_len, ethertype, cs, co;
	uint8_t proto = 0;
	bool v4, offloadable;
	int l4_len;

	*kind = GEMU_KIND_PLAIN;
	if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE && !(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return GEMU_DROP_NONE;
	/* We never offer TUN_F_UFO/USO/TSO_ECN, and the kernel marks every GSO frame partial. */
	if ((h->gso_type != VIRTIO_NET_HDR_GSO_NONE && h->gso_type != VIRTIO_NET_HDR_GSO_TCPV4 &&
			h->gso_type != VIRTIO_NET_HDR_GSO_TCPV6) ||
			!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return GEMU_DROP_BAD_VNET_HDR;
	if (parse_l2(m, &l2_len, &ethertype) < 0)
		return GEMU_DROP_BAD_VNET_HDR;
	cs = h->csum_start;
	co = h->csum_offset;
	if (cs < l2_len + sizeof(struct rte_ipv4_hdr) ||
			(uint32_t)cs + co + 2 > rte_pktmbuf_data_len(m))
		return GEMU_DROP_BAD_VNET_HDR;
	/*
	 * Offload only what the port (and tx_prepare's pseudo-header code) understands: TCP
	 * or UDP right after a plain IPv4/IPv6 header. Anything else is summed here.
	 */
	offloadable = parse_l3(m, l2_len, ethertype, &l3_len, &proto) == 0 &&
		cs == l2_len + l3_len &&
		((proto == IPPROTO_TCP && co == offsetof(struct rte_tcp_hdr, cksum)) ||
		 (proto == IPPROTO_UDP && co == offsetof(struct rte_udp_hdr, dgram_cksum)));
	v4 = ethertype == RTE_ETHER_TYPE_IPV4;

	if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		if (!g->tso)
			return GEMU_DROP_NO_TSO;
		if (!offloadable || proto != IPPROTO_TCP || h->gso_size == 0 ||
				v4 != (h->gso_type == VIRTIO_NET_HDR_GSO_TCPV4))
			return GEMU_DROP_BAD_VNET_HDR;
		l4_len = tcp_hdr_len(m, cs);
		if (l4_len < 0)
			return GEMU_DROP_BAD_VNET_HDR;
		m->l2_len = l2_len;
		m->l3_len = l3_len;
		m->l4_len = (uint16_t)l4_len;
		m->tso_segsz = h->gso_size;
		m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM |
			(v4 ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6);
		/* The kernel's IPv4 header checksum is valid; have it redone only if we can. */
		if (v4 && g->tx_ip_csum)
			m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
		*kind = GEMU_KIND_GSO;
		return GEMU_DROP_NONE;
	}

	if (offloadable && ((proto == IPPROTO_TCP && g->tx_tcp_csum) ||
			(proto == IPPROTO_UDP && g->tx_udp_csum))) {
		if (proto == IPPROTO_TCP) {
			l4_len = tcp_hdr_len(m, cs);
			if (l4_len < 0)
				return GEMU_DROP_BAD_VNET_HDR;
			m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
		} else {
			l4_len = sizeof(struct rte_udp_hdr);
			m->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM;
		}
		m->ol_flags |= v4 ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6;
		m->l2_len = l2_len;
		m->l3_len = l3_len;
		m->l4_len = (uint16_t)l4_len;
		*kind = GEMU_KIND_CSUM_PORT;
		return GEMU_DROP_NONE;
	}
	if (sw_csum(m, cs, co) < 0)
		return GEMU_DROP_BAD_VNET_HDR;
	*kind = GEMU_KIND_CSUM_SW;
	return GEMU_DROP_NONE;
}

/*
 * Port -> tap: builds the vnet header from the offload flags the virtio PMD set from the
 * backend's header. Returns GEMU_DROP_NONE or why the frame must be dropped.
 */
static enum gemu_drop
mbuf_to_tap_hdr(const struct rte_mbuf *m, struct virtio_net_hdr *h)
{
	uint64_t l4 = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	bool lro = (m->ol_flags & RTE_MBUF_F_RX_LRO) && m->tso_segsz != 0;
	uint16_t l2_len, l3_len, ethertype;
	uint8_t proto;
	int l4_len;

	memset(h, 0, sizeof(*h));
	if (!lro && l4 != RTE_MBUF_F_RX_L4_CKSUM_NONE) {
		/*
		 * GOOD: the backend vouched for the data. UNKNOWN: the backend sent no flags,
		 * so the checksum in the frame is complete and the kernel checks it. BAD: let
		 * the kernel see it and drop it.
		 */
		if (l4 == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
			h->flags = VIRTIO_NET_HDR_F_DATA_VALID;
		return GEMU_DROP_NONE;
	}
	/* Partial checksum (and, with LRO, a GSO frame): say where the L4 header is. */
	if (parse_l2(m, &l2_len, &ethertype) < 0 ||
			parse_l3(m, l2_len, ethertype, &l3_len, &proto) < 0)
		return GEMU_DROP_RX_BAD_OFFLOAD;
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->csum_start = l2_len + l3_len;
	if (proto == IPPROTO_TCP)
		h->csum_offset = offsetof(struct rte_tcp_hdr, cksum);
	else if (proto == IPPROTO_UDP && !lro)
		h->csum_offset = offsetof(struct rte_udp_hdr, dgram_cksum);
	else
		return GEMU_DROP_RX_BAD_OFFLOAD;
	if (!lro)
		return GEMU_DROP_NONE;
	l4_len = tcp_hdr_len(m, h->csum_start);
	if (l4_len < 0)
		return GEMU_DROP_RX_BAD_OFFLOAD;
	h->gso_type = ethertype == RTE_ETHER_TYPE_IPV4 ?
		VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
	h->gso_size = m->tso_segsz;
	h->hdr_len = h->csum_start + (uint16_t)l4_len;
	return GEMU_DROP_NONE;
}

/* ---------------------------------------------------------------- data path */

static int
stash_fill(struct gemu_guest *g)
{
	struct rte_mbuf *fresh[GEMU_TAP_SEGS];
	unsigned int i, n = 0, k = 0;

	for (i = 0; i < GEMU_TAP_SEGS; i++)
		if (g->stash[i] == NULL)
			n++;
	if (n == 0)
		return 0;
	if (rte_pktmbuf_alloc_bulk(pool, fresh, n) != 0)
		return -ENOMEM;
	for (i = 0; i < GEMU_TAP_SEGS; i++)
		if (g->stash[i] == NULL)
			g->stash[i] = fresh[k++];
	return 0;
}

/* Reads and discards one tap frame. 1 if there was one. */
static int
tap_discard(struct gemu_guest *g, enum gemu_drop why)
{
	ssize_t r = read(g->tap_fd, discard_buf, sizeof(discard_buf));

	if (r < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			g->st.drops[GEMU_DROP_TAP_READ]++;
		return 0;
	}
	g->st.drops[why]++;
	return 1;
}

/*
 * Reads one tap frame straight into the stash's mbufs and chains the ones it filled.
 * Returns 1 with *out set (or NULL if the frame was dropped), 0 when the tap is empty.
 */
static int
tap_read_one(struct gemu_guest *g, struct rte_mbuf **out, enum gemu_kind *kind)
{
	struct virtio_net_hdr_mrg_rxbuf hdr;
	struct iovec iov[1 + GEMU_TAP_SEGS];
	struct rte_mbuf *head, *prev = NULL, *m;
	uint32_t len, left, n;
	unsigned int i;
	ssize_t r;
	enum gemu_drop why;

	*out = NULL;
	if (stash_fill(g) < 0) {
		/*
		 * Every mbuf is in flight, most of them in the port's TX ring, already taken
		 * by the backend but reclaimed by virtio only on a transmit. A guest driver
		 * would stop its queue here, not drop: reclaim them and leave the frame in
		 * the tap (its queue, then the guest's qdisc, hold the backlog).
		 */
		rte_eth_tx_burst(g->port_id, 0, NULL, 0);	/* reclaims, sends nothing */
		if (stash_fill(g) < 0) {
			g->st.pool_waits++;
			return 0;
		}
	}
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	for (i = 0; i < GEMU_TAP_SEGS; i++) {
		iov[1 + i].iov_base = rte_pktmbuf_mtod(g->stash[i], void *);
		iov[1 + i].iov_len = rte_pktmbuf_tailroom(g->stash[i]);
	}
	r = readv(g->tap_fd, iov, RTE_DIM(iov));
	if (r < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			g->st.drops[GEMU_DROP_TAP_READ]++;
		return 0;
	}
	if ((size_t)r < sizeof(hdr) + RTE_ETHER_HDR_LEN) {
		g->st.drops[GEMU_DROP_TAP_SHORT]++;
		return 1;
	}
	len = (uint32_t)r - sizeof(hdr);
	head = g->stash[0];
	for (i = 0, left = len; left > 0; i++) {
		m = g->stash[i];
		g->stash[i] = NULL;
		n = RTE_MIN(left, (uint32_t)rte_pktmbuf_tailroom(m));
		m->data_len = (uint16_t)n;
		left -= n;
		if (prev != NULL)
			prev->next = m;
		prev = m;
	}
	head->nb_segs = (uint16_t)i;
	head->pkt_len = len;
	why = tap_hdr_to_mbuf(g, head, &hdr.hdr, kind);
	if (why != GEMU_DROP_NONE) {
		g->st.drops[why]++;
		rte_pktmbuf_free(head);
		return 1;
	}
	*out = head;
	return 1;
}

/* Drops the frames waiting for the port (its link went down). */
static void
pending_flush(struct gemu_guest *g)
{
	unsigned int i;

	for (i = 0; i < g->nb_pending; i++)
		rte_pktmbuf_free(g->pending[i]);
	g->st.drops[GEMU_DROP_PORT_DOWN] += g->nb_pending;
	g->nb_pending = 0;
}

/*
 * Hands the pending frames to the port. As a virtio-net driver stops its queue when the
 * ring is full rather than dropping, what the port does not take stays pending, and the
 * tap is not read until it has gone: the kernel's tap queue absorbs the backlog.
 */
static unsigned int
pending_send(struct gemu_guest *g)
{
	unsigned int i;
	uint16_t nsent;

	if (g->nb_pending == 0)
		return 0;
	/* Once sent, an mbuf is the PMD's and may be freed already: lengths were kept. */
	nsent = rte_eth_tx_burst(g->port_id, 0, g->pending, (uint16_t)g->nb_pending);
	g->st.to_port_frames += nsent;
	for (i = 0; i < nsent; i++) {
		g->st.to_port_bytes += g->pending_len[i];
		g->st.to_port_gso += g->pending_kind[i] == GEMU_KIND_GSO;
		g->st.to_port_csum_hw += g->pending_kind[i] == GEMU_KIND_CSUM_PORT;
		g->st.to_port_csum_sw += g->pending_kind[i] == GEMU_KIND_CSUM_SW;
	}
	g->nb_pending -= nsent;
	if (nsent != 0 && g->nb_pending != 0) {
		memmove(g->pending, g->pending + nsent, g->nb_pending * sizeof(g->pending[0]));
		memmove(g->pending_len, g->pending_len + nsent,
			g->nb_pending * sizeof(g->pending_len[0]));
		memmove(g->pending_kind, g->pending_kind + nsent,
			g->nb_pending * sizeof(g->pending_kind[0]));
	}
	return nsent;
}

/* Tap -> port, up to one burst. Returns the amount of work done (frames). */
static unsigned int
tap_to_port(struct gemu_guest *g, bool up)
{
	struct rte_mbuf **pkts = g->pending;
	uint8_t *kinds = g->pending_kind;
	unsigned int n = 0, done = 0, i;
	uint16_t nprep, off = 0;

	if (!up) {
		pending_flush(g);
		while (done < GEMU_BURST && tap_discard(g, GEMU_DROP_PORT_DOWN) > 0)
			done++;
		return done;
	}
	done = pending_send(g);
	if (g->nb_pending != 0)
		return done;
	while (n < GEMU_BURST) {
		enum gemu_kind kind;
		struct rte_mbuf *m;

		if (tap_read_one(g, &m, &kind) == 0)
			break;
		done++;
		if (m != NULL) {
			kinds[n] = (uint8_t)kind;
			pkts[n++] = m;
		}
	}
	/* tx_prepare stops at the first frame it refuses: drop that one, go on. */
	while (off < n) {
		nprep = rte_eth_tx_prepare(g->port_id, 0, pkts + off, n - off);
		if (off + nprep == n)
			break;
		rte_pktmbuf_free(pkts[off + nprep]);
		g->st.drops[GEMU_DROP_TX_PREPARE]++;
		memmove(pkts + off + nprep, pkts + off + nprep + 1,
			(n - off - nprep - 1) * sizeof(pkts[0]));
		memmove(kinds + off + nprep, kinds + off + nprep + 1,
			(n - off - nprep - 1) * sizeof(kinds[0]));
		n--;
		off += nprep;
	}
	for (i = 0; i < n; i++)
		g->pending_len[i] = rte_pktmbuf_pkt_len(pkts[i]);
	g->nb_pending = n;
	return done + pending_send(g);
}

/* Port -> tap, one burst. Returns the number of frames received. */
static unsigned int
port_to_tap(struct gemu_guest *g)
{
	struct rte_mbuf *pkts[GEMU_BURST];
	struct virtio_net_hdr_mrg_rxbuf hdr;
	struct iovec iov[1 + GEMU_MAX_IOV];
	const struct rte_mbuf *s;
	uint16_t nb, i;
	unsigned int k;
	enum gemu_drop why;
	ssize_t r;

	nb = rte_eth_rx_burst(g->port_id, 0, pkts, GEMU_BURST);
	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + 1 < nb)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		if (m->nb_segs > GEMU_MAX_IOV) {
			g->st.drops[GEMU_DROP_TOO_MANY_SEGS]++;
			goto next;
		}
		why = mbuf_to_tap_hdr(m, &hdr.hdr);
		if (why != GEMU_DROP_NONE) {
			g->st.drops[why]++;
			goto next;
		}
		hdr.num_buffers = 0;
		iov[0].iov_base = &hdr;
		iov[0].iov_len = sizeof(hdr);
		for (s = m, k = 1; s != NULL; s = s->next, k++) {
			iov[k].iov_base = rte_pktmbuf_mtod(s, void *);
			iov[k].iov_len = rte_pktmbuf_data_len(s);
		}
		r = writev(g->tap_fd, iov, (int)k);
		if (r < 0) {
			g->st.drops[GEMU_DROP_TAP_WRITE]++;
			goto next;
		}
		g->st.to_tap_frames++;
		g->st.to_tap_bytes += rte_pktmbuf_pkt_len(m);
		g->st.to_tap_gso += hdr.hdr.gso_type != VIRTIO_NET_HDR_GSO_NONE;
		g->st.to_tap_csum_partial += (hdr.hdr.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) != 0;
		g->st.to_tap_csum_valid += (hdr.hdr.flags & VIRTIO_NET_HDR_F_DATA_VALID) != 0;
next:
		rte_pktmbuf_free(m);
	}
	return nb;
}

/* ---------------------------------------------------------------- ports */

static void
print_offloads(struct gemu_guest *g, uint64_t tx, uint64_t rx)
{
	GEMU_LOG("%s: port %u (%s) up, tx offloads:%s%s%s%s%s, rx offloads:%s%s%s%s",
		g->name, g->port_id, g->vdev,
		tx & RTE_ETH_TX_OFFLOAD_TCP_TSO ? " tcp_tso" : "",
		tx & RTE_ETH_TX_OFFLOAD_TCP_CKSUM ? " tcp_cksum" : "",
		tx & RTE_ETH_TX_OFFLOAD_UDP_CKSUM ? " udp_cksum" : "",
		tx & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM ? " ipv4_cksum" : "",
		tx & RTE_ETH_TX_OFFLOAD_MULTI_SEGS ? " multi_segs" : "",
		rx & RTE_ETH_RX_OFFLOAD_TCP_LRO ? " tcp_lro" : "",
		rx & RTE_ETH_RX_OFFLOAD_TCP_CKSUM ? " tcp_cksum" : "",
		rx & RTE_ETH_RX_OFFLOAD_UDP_CKSUM ? " udp_cksum" : "",
		rx & RTE_ETH_RX_OFFLOAD_SCATTER ? " scatter" : "");
}

/* Probes, configures and starts the guest's virtio-user port. Blocks in server mode. */
static int
port_setup(struct gemu_guest *g)
{
	const uint64_t want_tx = RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
		RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	const uint64_t want_rx = RTE_ETH_RX_OFFLOAD_TCP_LRO | RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
		RTE_ETH_RX_OFFLOAD_UDP_CKSUM | RTE_ETH_RX_OFFLOAD_SCATTER;
	struct rte_eth_dev_info info;
	struct rte_eth_txconf txconf;
	struct rte_eth_conf conf;
	char devargs[512], mac[RTE_ETHER_ADDR_FMT_SIZE];
	uint16_t port;
	int ret, sock;

	rte_ether_format_addr(mac, sizeof(mac), &g->mac);
	snprintf(devargs, sizeof(devargs),
		"%s,path=%s,queues=1,server=%d,mrg_rxbuf=1,in_order=0,queue_size=%u,mac=%s",
		g->vdev, g->sock, g->server ? 1 : 0, queue_size, mac);
	if (g->server)
		GEMU_LOG("%s: waiting for the backend on %s", g->name, g->sock);
	ret = rte_dev_probe(devargs);
	if (ret < 0)
		return ret;
	ret = rte_eth_dev_get_port_by_name(g->vdev, &port);
	if (ret < 0)
		goto remove;
	g->port_id = port;
	ret = rte_eth_dev_info_get(port, &info);
	if (ret < 0)
		goto remove;
	memset(&conf, 0, sizeof(conf));
	conf.txmode.offloads = info.tx_offload_capa & want_tx;
	conf.rxmode.offloads = info.rx_offload_capa & want_rx;
	/* Server mode reconnects from the LSC interrupt: ask for it when the port has it. */
	conf.intr_conf.lsc = 1;
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == -EINVAL) {
		conf.intr_conf.lsc = 0;
		ret = rte_eth_dev_configure(port, 1, 1, &conf);
	}
	if (ret < 0)
		goto remove;
	sock = rte_eth_dev_socket_id(port);
	if (sock < 0)
		sock = (int)rte_socket_id();
	ret = rte_eth_rx_queue_setup(port, 0, 0, (unsigned int)sock, NULL, pool);
	if (ret < 0)
		goto remove;
	/*
	 * virtio reclaims transmitted descriptors (and frees their mbufs) only once fewer
	 * than tx_free_thresh are free: with 64 KB frames of 5 mbufs each the pool would be
	 * empty long before. Reclaim on every transmit instead, as a guest driver does.
	 */
	txconf = info.default_txconf;
	txconf.offloads = conf.txmode.offloads;
	txconf.tx_free_thresh = (uint16_t)(queue_size - 4);
	ret = rte_eth_tx_queue_setup(port, 0, 0, (unsigned int)sock, &txconf);
	if (ret < 0)
		goto remove;
	ret = rte_eth_dev_start(port);
	if (ret < 0)
		goto remove;

	g->tso = (conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_TCP_TSO) != 0;
	g->tx_tcp_csum = (conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) != 0;
	g->tx_udp_csum = (conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) != 0;
	g->tx_ip_csum = (conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0;
	/* No TSO on the port: the kernel segments before the tap instead. */
	ret = tap_set_offload(g, g->tso);
	if (ret < 0)
		GEMU_ERR("%s: TUNSETOFFLOAD: %s", g->name, strerror(-ret));
	print_offloads(g, conf.txmode.offloads, conf.rxmode.offloads);
	if (!g->tso)
		GEMU_LOG("%s: port has no TSO: tap TSO off, the kernel segments", g->name);
	return 0;
remove:
	GEMU_ERR("%s: port setup: %s", g->name, strerror(-ret));
	rte_eal_hotplug_remove("vdev", g->vdev);
	return ret;
}

static void
port_teardown(struct gemu_guest *g)
{
	int ret;

	rte_eth_dev_stop(g->port_id);
	ret = rte_eal_hotplug_remove("vdev", g->vdev);
	if (ret < 0)
		GEMU_ERR("%s: removing %s: %s", g->name, g->vdev, strerror(-ret));
}

/* Removes a socket file left by a dead server-mode run (nothing accepts on it). */
static void
unlink_stale_socket(const char *path)
{
	struct sockaddr_un sa;
	struct stat sb;
	int fd;

	if (stat(path, &sb) < 0 || !S_ISSOCK(sb.st_mode))
		return;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno == ECONNREFUSED)
		unlink(path);
	close(fd);
}

static bool
socket_present(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISSOCK(sb.st_mode);
}

/*
 * The control thread: creates ports, and re-creates client-mode ports whose link the main
 * lcore found down (virtio-user in client mode never reconnects by itself in 22.11).
 */
static void *
ctl_main(void *arg __rte_unused)
{
	unsigned int i;

	while (!got_quit) {
		for (i = 0; i < nb_guests && !got_quit; i++) {
			struct gemu_guest *g = &guests[i];
			uint32_t st = __atomic_load_n(&g->state, __ATOMIC_ACQUIRE);

			if (st == GEMU_GONE) {
				GEMU_LOG("%s: backend gone, removing %s", g->name, g->vdev);
				port_teardown(g);
				__atomic_fetch_add(&g->reconnects, 1, __ATOMIC_RELAXED);
				__atomic_store_n(&g->state, GEMU_DOWN, __ATOMIC_RELEASE);
				g->next_probe_ms = now_ms() + GEMU_RETRY_MS;
				continue;
			}
			if (st != GEMU_DOWN || now_ms() < g->next_probe_ms)
				continue;
			g->next_probe_ms = now_ms() + GEMU_RETRY_MS;
			if (!g->server && !socket_present(g->sock))
				continue;
			if (port_setup(g) == 0)
				__atomic_store_n(&g->state, GEMU_UP, __ATOMIC_RELEASE);
		}
		sleep_ms(50);
	}
	__atomic_store_n(&ctl_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* ---------------------------------------------------------------- stats */

static const char *
state_name(uint32_t st)
{
	return st == GEMU_UP ? "up" : st == GEMU_GONE ? "gone" : "down";
}

static void
stats_print(FILE *f, bool terse)
{
	unsigned int i, d;

	for (i = 0; i < nb_guests; i++) {
		const struct gemu_guest *g = &guests[i];
		const struct gemu_stats *s = &g->st;
		uint32_t st = __atomic_load_n(&g->state, __ATOMIC_ACQUIRE);
		uint64_t rc = __atomic_load_n(&g->reconnects, __ATOMIC_RELAXED);

		if (terse) {
			fprintf(f, "%s state %s\n", g->name, state_name(st));
			for (d = 0; d < RTE_DIM(gemu_stat_fields); d++)
				fprintf(f, "%s %s %" PRIu64 "\n", g->name, gemu_stat_fields[d].name,
					*(const uint64_t *)((const char *)s +
						gemu_stat_fields[d].off));
			fprintf(f, "%s reconnects %" PRIu64 "\n", g->name, rc);
			for (d = GEMU_DROP_NONE + 1; d < GEMU_DROP_MAX; d++)
				fprintf(f, "%s drop_%s %" PRIu64 "\n", g->name,
					gemu_drop_names[d], s->drops[d]);
			continue;
		}
		fprintf(f, "guest %s (tap %s, %s, %s): reconnects %" PRIu64 "\n"
			"  tap->port: %" PRIu64 " frames, %" PRIu64 " bytes, %" PRIu64
			" gso; checksums: %" PRIu64 " to the port, %" PRIu64 " done here\n"
			"  port->tap: %" PRIu64 " frames, %" PRIu64 " bytes, %" PRIu64
			" gso; checksums: %" PRIu64 " partial, %" PRIu64 " valid\n"
			"  pool waits %" PRIu64 "; drops:",
			g->name, g->tap, g->server ? "server" : "client", state_name(st), rc,
			s->to_port_frames, s->to_port_bytes, s->to_port_gso,
			s->to_port_csum_hw, s->to_port_csum_sw,
			s->to_tap_frames, s->to_tap_bytes, s->to_tap_gso,
			s->to_tap_csum_partial, s->to_tap_csum_valid, s->pool_waits);
		for (d = GEMU_DROP_NONE + 1; d < GEMU_DROP_MAX; d++)
			if (s->drops[d] != 0)
				fprintf(f, " %s %" PRIu64, gemu_drop_names[d], s->drops[d]);
		fprintf(f, "\n");
	}
	fflush(f);
}

/* Writes the counters to --stats-file, atomically (temp file + rename). */
static void
stats_write_file(void)
{
	char tmp[PATH_MAX];
	FILE *f;

	if (stats_file == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", stats_file);
	f = fopen(tmp, "w");
	if (f == NULL) {
		GEMU_ERR("%s: %s", tmp, strerror(errno));
		return;
	}
	stats_print(f, true);
	if (fclose(f) != 0 || rename(tmp, stats_file) != 0)
		GEMU_ERR("%s: %s", stats_file, strerror(errno));
}

static void
stats_dump(void)
{
	stats_print(stdout, false);
	stats_write_file();
}

/* ---------------------------------------------------------------- main loop */

static void
main_loop(void)
{
	const uint64_t hz = rte_get_tsc_hz();
	unsigned int idle = 0, i;

	while (!got_quit) {
		uint64_t now = rte_rdtsc();
		unsigned int busy = 0;

		if (got_dump) {
			got_dump = 0;
			stats_dump();
		}
		for (i = 0; i < nb_guests; i++) {
			struct gemu_guest *g = &guests[i];
			uint32_t st = __atomic_load_n(&g->state, __ATOMIC_ACQUIRE);
			struct rte_eth_link link;

			if (st == GEMU_UP && now >= g->next_link_check) {
				g->next_link_check = now + hz * GEMU_LINK_CHECK_MS / 1000;
				if (rte_eth_link_get_nowait(g->port_id, &link) == 0)
					g->link_up = link.link_status == RTE_ETH_LINK_UP;
				/* Client mode: virtio-user never comes back by itself. */
				if (!g->link_up && !g->server) {
					pending_flush(g);
					__atomic_store_n(&g->state, GEMU_GONE, __ATOMIC_RELEASE);
					st = GEMU_GONE;
				}
			}
			if (st != GEMU_UP) {
				g->link_up = false;
				g->next_link_check = 0;
			}
			/* Server mode, backend away: frames would wait in a ring nobody reads. */
			busy += tap_to_port(g, st == GEMU_UP && g->link_up);
			if (st == GEMU_UP)
				busy += port_to_tap(g);
		}
		if (busy != 0) {
			idle = 0;
		} else if (idle < GEMU_IDLE_LOOPS) {
			idle++;
		} else if (idle_sleep_us != 0) {
			usleep(idle_sleep_us);
		}
	}
}

/* ---------------------------------------------------------------- command line */

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [EAL options] -- --guest NAME,SOCKET,TAP,MAC[,server][,mtu=N][,queues=1]\n"
		"          [--guest ...] [--idle-sleep US] [--stats-file FILE] [--queue-size N]\n"
		"          [--mbufs N]\n"
		"  --guest       one emulated guest (up to %d): a virtio-user port on the\n"
		"                vhost-user SOCKET bridged to a new tap TAP with MAC and MTU N\n"
		"                (default 1500, at most %d). 'server': create SOCKET and let\n"
		"                the backend connect (vseal's default); otherwise connect to\n"
		"                the backend's SOCKET, and again whenever it goes away.\n"
		"  --idle-sleep  microseconds to sleep when idle (default 50, 0 = busy poll)\n"
		"  --stats-file  counters written here on SIGUSR1 and at exit\n"
		"  --queue-size  virtio ring entries, a power of 2 in 64..1024 (default %d)\n"
		"  --mbufs       mbufs of 16 KB in the pool (default 2 x queue-size per guest\n"
		"                + 512)\n"
		"EAL needs --single-file-segments (or --in-memory / --no-huge) for virtio-user.\n"
		"Signals: SIGINT/SIGTERM exit cleanly, SIGUSR1 prints the counters.\n",
		prog, GEMU_MAX_GUESTS, GEMU_MTU_MAX, GEMU_QUEUE_SIZE);
}

static bool
name_ok(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= max)
		return false;
	for (i = 0; i < n; i++)
		if (!(s[i] == '-' || s[i] == '_' || s[i] == '.' ||
				(s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
				(s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return true;
}

/* NAME,SOCKET,TAP,MAC[,server][,mtu=N][,queues=1] */
static int
parse_guest(const char *spec, struct gemu_guest *g, char *err, size_t errlen)
{
	char buf[512], *save = NULL, *tok;
	unsigned int field = 0;
	uint32_t q;

	if (strlcpy(buf, spec, sizeof(buf)) >= sizeof(buf)) {
		snprintf(err, errlen, "--guest too long");
		return -EINVAL;
	}
	memset(g, 0, sizeof(*g));
	g->mtu = RTE_ETHER_MTU;
	g->tap_fd = -1;
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		switch (field++) {
		case 0:
			if (!name_ok(tok, sizeof(g->name))) {
				snprintf(err, errlen, "bad guest name '%s'", tok);
				return -EINVAL;
			}
			strlcpy(g->name, tok, sizeof(g->name));
			continue;
		case 1:
			if (tok[0] == '\0' || strlen(tok) >= sizeof(g->sock)) {
				snprintf(err, errlen, "%s: socket path empty or longer than %zu",
					g->name, sizeof(g->sock) - 1);
				return -EINVAL;
			}
			strlcpy(g->sock, tok, sizeof(g->sock));
			continue;
		case 2:
			if (!name_ok(tok, sizeof(g->tap))) {
				snprintf(err, errlen, "%s: bad tap name '%s'", g->name, tok);
				return -EINVAL;
			}
			strlcpy(g->tap, tok, sizeof(g->tap));
			continue;
		case 3:
			if (vs_parse_mac(tok, &g->mac) < 0 ||
					!rte_is_unicast_ether_addr(&g->mac) ||
					rte_is_zero_ether_addr(&g->mac)) {
				snprintf(err, errlen, "%s: bad unicast MAC '%s'", g->name, tok);
				return -EINVAL;
			}
			continue;
		default:
			break;
		}
		if (strcmp(tok, "server") == 0) {
			g->server = true;
		} else if (strncmp(tok, "mtu=", 4) == 0) {
			if (vs_parse_u32(tok + 4, RTE_ETHER_MIN_MTU, GEMU_MTU_MAX, &g->mtu) < 0) {
				snprintf(err, errlen, "%s: mtu must be %u..%u", g->name,
					RTE_ETHER_MIN_MTU, GEMU_MTU_MAX);
				return -EINVAL;
			}
		} else if (strncmp(tok, "queues=", 7) == 0) {
			if (vs_parse_u32(tok + 7, 1, 1, &q) < 0) {
				snprintf(err, errlen, "%s: only queues=1 is supported", g->name);
				return -EINVAL;
			}
		} else {
			snprintf(err, errlen, "%s: unknown option '%s'", g->name, tok);
			return -EINVAL;
		}
	}
	if (field < 4) {
		snprintf(err, errlen, "--guest needs NAME,SOCKET,TAP,MAC: '%s'", spec);
		return -EINVAL;
	}
	return 0;
}

static int
parse_args(int argc, char **argv, char *err, size_t errlen)
{
	static const struct option opts[] = {
		{ "guest", required_argument, NULL, 'g' },
		{ "idle-sleep", required_argument, NULL, 's' },
		{ "stats-file", required_argument, NULL, 'f' },
		{ "mbufs", required_argument, NULL, 'm' },
		{ "queue-size", required_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int i, j;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			if (nb_guests == GEMU_MAX_GUESTS) {
				snprintf(err, errlen, "at most %d guests", GEMU_MAX_GUESTS);
				return -EINVAL;
			}
			if (parse_guest(optarg, &guests[nb_guests], err, errlen) < 0)
				return -EINVAL;
			nb_guests++;
			break;
		case 's':
			if (vs_parse_u32(optarg, 0, 1000000, &idle_sleep_us) < 0) {
				snprintf(err, errlen, "--idle-sleep must be 0..1000000");
				return -EINVAL;
			}
			break;
		case 'f':
			stats_file = optarg;
			break;
		case 'm':
			if (vs_parse_u32(optarg, 256, 1u << 22, &nb_mbufs) < 0) {
				snprintf(err, errlen, "--mbufs must be 256..4194304");
				return -EINVAL;
			}
			break;
		case 'q':
			if (vs_parse_u32(optarg, 64, 1024, &queue_size) < 0 ||
					!rte_is_power_of_2(queue_size)) {
				snprintf(err, errlen, "--queue-size must be a power of 2 in 64..1024");
				return -EINVAL;
			}
			break;
		case 'h':
			return 1;
		default:
			snprintf(err, errlen, "unknown or incomplete option '%s'",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (nb_guests == 0) {
		snprintf(err, errlen, "no --guest given");
		return -EINVAL;
	}
	for (i = 0; i < nb_guests; i++)
		for (j = 0; j < i; j++)
			if (strcmp(guests[i].name, guests[j].name) == 0 ||
					strcmp(guests[i].tap, guests[j].tap) == 0 ||
					strcmp(guests[i].sock, guests[j].sock) == 0) {
				snprintf(err, errlen, "guests %.31s and %.31s share a name, tap or socket",
					guests[j].name, guests[i].name);
				return -EINVAL;
			}
	return 0;
}

/* ---------------------------------------------------------------- main */

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: a blocking accept() must see EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* EAL cleanup plus what DPDK 22.11 leaves behind (runtime directory, hugepage files). */
static void
eal_cleanup(void)
{
	rte_eal_cleanup();
	vs_eal_files_remove(&eal_files);
}

static void
cleanup(pthread_t *ctl)
{
	unsigned int i, j;

	got_quit = 1;
	if (ctl != NULL) {
		/* Interrupt a server-mode probe blocked in accept(), until the thread is out. */
		while (!__atomic_load_n(&ctl_done, __ATOMIC_ACQUIRE)) {
			pthread_kill(*ctl, SIGUSR2);
			sleep_ms(20);
		}
		pthread_join(*ctl, NULL);
	}
	for (i = 0; i < nb_guests; i++) {
		struct gemu_guest *g = &guests[i];
		uint32_t st = __atomic_load_n(&g->state, __ATOMIC_ACQUIRE);

		pending_flush(g);	/* the main lcore is done: its frames are ours */
		if (st == GEMU_UP || st == GEMU_GONE)
			port_teardown(g);
		for (j = 0; j < GEMU_TAP_SEGS; j++)
			rte_pktmbuf_free(g->stash[j]);
		if (g->tap_fd >= 0)
			close(g->tap_fd);	/* a non-persistent tap goes away with its fd */
		if (g->server)
			unlink_stale_socket(g->sock);
	}
	if (nb_guests != 0)
		stats_dump();
	rte_mempool_free(pool);
	eal_cleanup();
}

int
main(int argc, char **argv)
{
	char err[256] = "";
	sigset_t block, old_mask;
	pthread_t ctl;
	unsigned int i, n;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Before EAL: a SIGUSR1 during a slow start must not kill the process. */
	install_signals();
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		GEMU_ERR("EAL init failed: %s", rte_strerror(rte_errno));
		return EXIT_USAGE;
	}
	vs_eal_files_save(&eal_files);
	argc -= ret;
	argv += ret;
	ret = parse_args(argc, argv, err, sizeof(err));
	if (ret != 0) {
		if (ret < 0)
			GEMU_ERR("%s", err);
		usage(argv[0]);
		eal_cleanup();
		return ret < 0 ? EXIT_USAGE : 0;
	}

	/* Per guest: a full RX ring, as much again in flight on TX; then the taps' stashes. */
	n = nb_mbufs != 0 ? nb_mbufs : nb_guests * 2 * queue_size + 512;
	pool = rte_pktmbuf_pool_create("gemu_pool", n, 256, 0,
		GEMU_SEG_ROOM + RTE_PKTMBUF_HEADROOM, (int)rte_socket_id());
	if (pool == NULL) {
		GEMU_ERR("mempool of %u x %u B: %s", n, GEMU_SEG_ROOM, rte_strerror(rte_errno));
		cleanup(NULL);
		return 1;
	}
	/* Taps first, all of them: a test script waits for them to move them to namespaces. */
	for (i = 0; i < nb_guests; i++) {
		struct gemu_guest *g = &guests[i];

		snprintf(g->vdev, sizeof(g->vdev), "net_virtio_user%u", i);
		ret = tap_create(g);
		if (ret < 0) {
			GEMU_ERR("%s: tap %s: %s", g->name, g->tap, strerror(-ret));
			cleanup(NULL);
			return 1;
		}
		GEMU_LOG("%s: tap %s mac " RTE_ETHER_ADDR_PRT_FMT " mtu %u, socket %s (%s)",
			g->name, g->tap, RTE_ETHER_ADDR_BYTES(&g->mac), g->mtu, g->sock,
			g->server ? "server: we listen" : "client: we connect");
		if (g->server)
			unlink_stale_socket(g->sock);
	}
	/*
	 * The control thread may wait in accept() for a backend: keep the user's signals away
	 * from it (they would abort the wait), so only cleanup()'s SIGUSR2 reaches it.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &block, &old_mask);
	ret = rte_ctrl_thread_create(&ctl, "gemu-ctl", NULL, ctl_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	if (ret != 0) {
		GEMU_ERR("control thread: %s", strerror(-ret));
		cleanup(NULL);
		return 1;
	}
	main_loop();
	GEMU_LOG("exiting");
	cleanup(&ctl);
	return 0;
}
