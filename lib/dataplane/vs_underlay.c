/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control lcore, underlay side: remote VTEPs and their encapsulation templates, the
 * neighbour cache that resolves each VTEP's next hop by ARP (the VTEP itself on the
 * underlay subnet, the gateway otherwise), and the answers to ARP and ICMP echo for our VTEP
 * address. Hand-written: DPDK has no ARP/neighbour library; this is the small part of one a
 * VTEP needs (request, reply, re-probe, expiry), kept off the data path.
 *
 * A template is never edited: a new one is published with release ordering and the old one
 * freed after an RCU grace period, so a worker never sends with a half-written header, and
 * never with a MAC the neighbour cache no longer trusts (unresolved -> NULL -> counted drop).
 */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "vs_ctrl.h"
#include "vs_log.h"
#include "vs_parse.h"

static void
ctrl_send(struct vs_ctrl *c, struct rte_mbuf *m)
{
	/* The uplink's tx queue 0 owner drains this ring every loop. */
	if (rte_ring_mp_enqueue(c->dp->ports[VS_PORT_UPLINK].handoff[0], m) != 0) {
		c->stats.ctrl_tx_full++;
		rte_pktmbuf_free(m);
	}
}

static struct vs_neigh *
neigh_find(struct vs_ctrl *c, rte_be32_t ip)
{
	unsigned int i;

	for (i = 0; i < c->nb_neigh; i++)
		if (c->neigh[i].ip == ip)
			return &c->neigh[i];
	return NULL;
}

static void
vtep_publish(struct vs_ctrl *c, unsigned int idx, const struct rte_ether_addr *mac)
{
	struct vs_dp *dp = c->dp;
	struct vs_encap_tmpl *t = NULL, *old;

	if (mac != NULL) {
		t = rte_zmalloc("vs_tmpl", sizeof(*t), RTE_CACHE_LINE_SIZE);
		if (t == NULL) {
			VS_LOG(ERR, ctl, "out of memory for an encapsulation template");
			return;
		}
		/* VNI 0 here: the worker writes each frame's VNI. */
		vs_encap_tmpl_build(t, &c->mac, mac, dp->vtep_ip, dp->vteps[idx].ip,
			dp->vxlan_port, 0, true);
	}
	old = (struct vs_encap_tmpl *)__atomic_exchange_n(
		(struct vs_encap_tmpl **)&dp->vteps[idx].tmpl, t, __ATOMIC_ACQ_REL);
	if (old != NULL) {
		rte_rcu_qsbr_synchronize(dp->qsbr, RTE_QSBR_THRID_INVALID);
		rte_free(old);
	}
}

/* The next hop's MAC changed (or became unknown): rebuild every template through it. */
static void
neigh_changed(struct vs_ctrl *c, const struct vs_neigh *n, bool resolved)
{
	uint32_t i, nb = __atomic_load_n(&c->dp->nb_vteps, __ATOMIC_RELAXED);
	char ip[16], mac[RTE_ETHER_ADDR_FMT_SIZE];

	VS_LOG(INFO, ctl, "neighbour %s %s %s", vs_ipv4_str(n->ip, ip, sizeof(ip)),
		resolved ? "is-at" : "unresolved",
		resolved ? vs_mac_str(&n->mac, mac, sizeof(mac)) : "");
	for (i = 0; i < nb; i++)
		if (c->vtep_nexthop[i] == n->ip)
			vtep_publish(c, i, resolved ? &n->mac : NULL);
}

static void
send_arp(struct vs_ctrl *c, uint16_t op, rte_be32_t tip, const struct rte_ether_addr *tha)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(c->dp->pool);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (m == NULL)
		return;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN);
	memset(eth, 0, RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN);
	if (op == RTE_ARP_OP_REQUEST)
		memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	else
		eth->dst_addr = *tha;
	eth->src_addr = c->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(op);
	arp->arp_data.arp_sha = c->mac;
	arp->arp_data.arp_sip = c->dp->vtep_ip;
	if (tha != NULL)
		arp->arp_data.arp_tha = *tha;
	arp->arp_data.arp_tip = tip;
	if (op == RTE_ARP_OP_REQUEST)
		c->stats.arp_requests_sent++;
	else
		c->stats.arp_replies_sent++;
	ctrl_send(c, m);
}

static struct vs_neigh *
neigh_add(struct vs_ctrl *c, rte_be32_t ip)
{
	struct vs_neigh *n = neigh_find(c, ip);

	if (n != NULL)
		return n;
	if (c->nb_neigh == VS_MAX_NEIGHBOURS)
		return NULL;
	n = &c->neigh[c->nb_neigh++];
	memset(n, 0, sizeof(*n));
	n->ip = ip;
	n->state = VS_NEIGH_INCOMPLETE;
	n->next_probe = 0;   /* probe at the next poll */
	return n;
}

int
vs_ctrl_neigh_set(struct vs_dp *dp, rte_be32_t ip, const struct rte_ether_addr *mac,
		bool is_static)
{
	struct vs_ctrl *c = dp->ctrl;
	struct vs_neigh *n = neigh_add(c, ip);
	bool changed;

	if (n == NULL)
		return -ENOSPC;
	changed = n->state == VS_NEIGH_INCOMPLETE || !rte_is_same_ether_addr(&n->mac, mac);
	n->mac = *mac;
	n->state = is_static ? VS_NEIGH_STATIC : VS_NEIGH_REACHABLE;
	n->probes = 0;
	n->confirmed = rte_get_tsc_cycles();
	if (changed)
		neigh_changed(c, n, true);
	return 0;
}

int
vs_ctrl_vtep(struct vs_dp *dp, rte_be32_t ip)
{
	struct vs_ctrl *c = dp->ctrl;
	uint32_t i, nb = __atomic_load_n(&dp->nb_vteps, __ATOMIC_RELAXED);
	rte_be32_t nexthop;
	struct vs_neigh *n;

	for (i = 0; i < nb; i++)
		if (dp->vteps[i].ip == ip)
			return (int)i;
	if (nb == VS_MAX_VTEPS) {
		c->stats.vteps_full++;
		return -ENOSPC;
	}
	if ((ip & c->netmask) == (dp->vtep_ip & c->netmask))
		nexthop = ip;
	else if (c->has_gateway)
		nexthop = c->gateway;
	else
		nexthop = 0;
	dp->vteps[nb].ip = ip;
	dp->vteps[nb].tmpl = NULL;
	c->vtep_nexthop[nb] = nexthop;
	__atomic_store_n(&dp->nb_vteps, nb + 1, __ATOMIC_RELEASE);
	if (nexthop == 0) {
		char s[16];

		c->stats.vtep_unreachable++;
		VS_LOG(WARNING, ctl, "VTEP %s is off the underlay subnet and there is no gateway",
			vs_ipv4_str(ip, s, sizeof(s)));
		return (int)nb;
	}
	n = neigh_add(c, nexthop);
	if (n == NULL)
		return -ENOSPC;
	if (n->state != VS_NEIGH_INCOMPLETE)
		vtep_publish(c, nb, &n->mac);
	return (int)nb;
}

void
vs_ctrl_neigh_poll(struct vs_dp *dp, uint64_t now)
{
	struct vs_ctrl *c = dp->ctrl;
	uint64_t hz = rte_get_tsc_hz();
	unsigned int i;

	for (i = 0; i < c->nb_neigh; i++) {
		struct vs_neigh *n = &c->neigh[i];

		switch (n->state) {
		case VS_NEIGH_STATIC:
			break;
		case VS_NEIGH_REACHABLE:
			if (now - n->confirmed < VS_NEIGH_REACHABLE_S * hz)
				break;
			n->state = VS_NEIGH_PROBE;
			n->probes = 0;
			n->next_probe = now;
			/* fall through */
		case VS_NEIGH_PROBE:
			if (now < n->next_probe)
				break;
			if (n->probes >= VS_NEIGH_PROBES) {
				n->state = VS_NEIGH_INCOMPLETE;
				n->probes = 0;
				neigh_changed(c, n, false);
				break;
			}
			send_arp(c, RTE_ARP_OP_REQUEST, n->ip, NULL);
			n->probes++;
			n->next_probe = now + hz;
			break;
		case VS_NEIGH_INCOMPLETE:
		default:
			if (now < n->next_probe)
				break;
			send_arp(c, RTE_ARP_OP_REQUEST, n->ip, NULL);
			n->next_probe = now + hz;
			break;
		}
	}
}

static void
handle_arp(struct vs_ctrl *c, struct rte_mbuf *m, uint64_t now)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	struct vs_neigh *n;
	rte_be32_t sip, tip;
	struct rte_ether_addr sha;

	c->stats.arp_rx++;
	if (m->data_len < sizeof(*eth) + sizeof(*arp) ||
			arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
			arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4) {
		c->stats.exc_ignored++;
		rte_pktmbuf_free(m);
		return;
	}
	sip = arp->arp_data.arp_sip;
	tip = arp->arp_data.arp_tip;
	sha = arp->arp_data.arp_sha;
	rte_pktmbuf_free(m);

	/* Requests and replies (gratuitous ones too) confirm a neighbour we track. */
	n = neigh_find(c, sip);
	if (n != NULL && n->state != VS_NEIGH_STATIC && sip != 0) {
		bool changed = n->state == VS_NEIGH_INCOMPLETE ||
			!rte_is_same_ether_addr(&n->mac, &sha);

		n->mac = sha;
		n->state = VS_NEIGH_REACHABLE;
		n->probes = 0;
		n->confirmed = now;
		if (changed)
			neigh_changed(c, n, true);
	}
	if (arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) && tip == c->dp->vtep_ip &&
			sip != 0)
		send_arp(c, RTE_ARP_OP_REPLY, sip, &sha);
}

static void
handle_icmp(struct vs_ctrl *c, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip + 1);
	struct rte_ether_addr tmp;
	uint16_t len;
	rte_be32_t a;

	/* vs_decap checked the IPv4 header: no options, total length within the frame. */
	len = rte_be_to_cpu_16(ip->total_length);
	if (m->nb_segs != 1 || len < sizeof(*ip) + sizeof(*icmp) ||
			m->data_len < sizeof(*eth) + len ||
			icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0) {
		c->stats.exc_ignored++;
		rte_pktmbuf_free(m);
		return;
	}
	rte_pktmbuf_trim(m, (uint16_t)(m->data_len - sizeof(*eth) - len));
	tmp = eth->src_addr;
	eth->src_addr = c->mac;
	eth->dst_addr = tmp;
	a = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, len - sizeof(*ip));
	m->ol_flags = 0;
	c->stats.icmp_echo_replies++;
	ctrl_send(c, m);
}

void
vs_ctrl_exception(struct vs_dp *dp, struct rte_mbuf *m, uint64_t now)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
		handle_arp(dp->ctrl, m, now);
	else
		handle_icmp(dp->ctrl, m);
}

int
vs_ctrl_flood_set(struct vs_dp *dp, unsigned int vi, const rte_be32_t *ips, unsigned int n)
{
	struct vs_flood *f, *old;
	unsigned int i;
	int idx;

	if (n > VS_MAX_FLOOD)
		return -E2BIG;
	f = rte_zmalloc("vs_flood", sizeof(*f), 0);
	if (f == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		idx = vs_ctrl_vtep(dp, ips[i]);
		if (idx < 0) {
			rte_free(f);
			return idx;
		}
		f->vtep[f->n++] = (uint16_t)idx;
	}
	old = (struct vs_flood *)__atomic_exchange_n((struct vs_flood **)&dp->vnis[vi].flood, f,
		__ATOMIC_ACQ_REL);
	if (old != NULL) {
		rte_rcu_qsbr_synchronize(dp->qsbr, RTE_QSBR_THRID_INVALID);
		rte_free(old);
	}
	return 0;
}
