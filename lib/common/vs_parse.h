/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Strict parsers for the values users type: in the config, on the CLI and in tests.
 * Each accepts the whole string or nothing (no trailing junk, no leading blanks, no sign),
 * and returns 0 or a negative errno: -EINVAL for a malformed string, -ERANGE for a number
 * outside [min, max].
 */
#ifndef VS_PARSE_H
#define VS_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

/** Decimal unsigned integer in [min, max]. */
int vs_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

/** on/off, yes/no, true/false, 1/0 (case-insensitive). */
int vs_parse_bool(const char *s, bool *out);

/** Six colon-separated pairs of hex digits, e.g. 52:54:00:00:01:01. */
int vs_parse_mac(const char *s, struct rte_ether_addr *out);

/** Dotted-quad IPv4 address, four decimal octets; result in network byte order. */
int vs_parse_ipv4(const char *s, rte_be32_t *out);

/** A VXLAN network identifier: decimal, 24 bits (0..16777215). */
int vs_parse_vni(const char *s, uint32_t *out);

/** Formats an IPv4 address (network byte order) into buf, returns buf. */
const char *vs_ipv4_str(rte_be32_t ip, char *buf, size_t len);

/** Formats a MAC address into buf (at least RTE_ETHER_ADDR_FMT_SIZE), returns buf. */
const char *vs_mac_str(const struct rte_ether_addr *mac, char *buf, size_t len);

/** Largest VNI: 24 bits. */
#define VS_VNI_LIMIT 0xffffffu

#endif /* VS_PARSE_H */
