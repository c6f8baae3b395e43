/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Every reason vseal drops a frame, from one X-macro list (as VPP's vxlan_error.def): the
 * enum, the names `show drops` prints and the descriptions all come from here, so a drop is
 * never counted as an unnamed "other".
 */
#ifndef VS_DROP_H
#define VS_DROP_H

/* X(ENUM, "name", "description") */
#define VS_DROP_REASONS(X) \
	X(RUNT,            "runt",               "frame shorter than an Ethernet header") \
	X(GUEST_SPOOF,     "spoofed-src-mac",    "guest sent from a MAC it does not own") \
	X(GUEST_VLAN,      "vlan-tagged",        "guest sent a VLAN-tagged frame") \
	X(FLOOD_EMPTY,     "flood-empty",        "broadcast/unknown frame with no other port in its VNI") \
	X(HAIRPIN,         "hairpin",            "unicast addressed to the sending port itself") \
	X(DEST_DOWN,       "dest-down",          "destination guest is not connected") \
	X(TX_FULL,         "tx-full",            "transmit queue full") \
	X(HANDOFF_FULL,    "handoff-full",       "ring to the lcore owning the tx queue full") \
	X(NO_MBUF,         "no-mbuf",            "mbuf pool empty (copy or clone failed)") \
	X(UNDERLAY_PROTO,  "underlay-proto",     "uplink frame neither IPv4 nor ARP") \
	X(IP_MALFORMED,    "ip-malformed",       "bad IPv4 version, header or total length") \
	X(IP_OPTIONS,      "ip-options",         "IPv4 header with options") \
	X(IP_FRAGMENT,     "ip-fragment",        "IPv4 fragment (not reassembled)") \
	X(NOT_OUR_IP,      "not-our-vtep-ip",    "IPv4 destination is not our VTEP address") \
	X(NOT_UDP,         "not-udp",            "IPv4 to our VTEP that is not UDP, ICMP or ARP") \
	X(WRONG_PORT,      "wrong-udp-port",     "UDP destination port is not our VXLAN port") \
	X(VXLAN_TRUNC,     "vxlan-truncated",    "UDP payload shorter than a VXLAN header") \
	X(VXLAN_NO_I,      "vxlan-i-flag-clear", "VXLAN header without the I (valid VNI) flag") \
	X(UNKNOWN_VNI,     "unknown-vni",        "VXLAN network identifier not served here") \
	X(INNER_RUNT,      "inner-runt",         "inner frame shorter than an Ethernet header") \
	X(INNER_VLAN,      "inner-vlan",         "inner frame VLAN-tagged") \
	X(SPLIT_HORIZON,   "split-horizon",      "frame from the uplink for a remote location") \
	X(NO_LOCAL_DEST,   "no-local-dest",      "decapsulated unicast for no local guest") \
	X(VTEP_UNRESOLVED, "vtep-unresolved",    "remote VTEP's underlay MAC not resolved yet") \
	X(EXCEPTION_LIMIT, "exception-limit",    "exception path (ARP/ICMP) rate limit or ring full") \
	X(TOO_BIG,         "too-big",            "frame larger than the MTU allows (not TCP, no fragment mode)") \
	X(BAD_OFFLOAD,     "bad-offload",        "guest's offload request does not fit its frame") \
	X(GUEST_NO_TSO,    "guest-no-tso",       "large TCP frame for a guest that did not negotiate TSO") \
	X(FRAG_INVALID,    "frag-invalid",       "IPv4 fragment overlapping, duplicate or too large") \
	X(FRAG_TABLE_FULL, "frag-table-full",    "reassembly table full (too many flows in progress)") \
	X(FRAG_TIMEOUT,    "frag-timeout",       "fragments of a packet that never completed")

enum vs_drop_reason {
#define VS_DROP_ENUM_(e, n, d) VS_DROP_ ## e,
	VS_DROP_REASONS(VS_DROP_ENUM_)
#undef VS_DROP_ENUM_
	VS_DROP_MAX
};

/** Short name of a reason, as `show drops` prints it. */
const char *vs_drop_name(enum vs_drop_reason r);

/** One-line description of a reason. */
const char *vs_drop_desc(enum vs_drop_reason r);

#endif /* VS_DROP_H */
