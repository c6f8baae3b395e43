/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vseal's configuration: an INI file (read with rte_cfgfile) parsed into a plain struct, then
 * validated against the runtime (which lcores EAL was given). Neither step touches a port or
 * needs EAL, so both are unit-tested without it.
 *
 * Every error is one line: "FILE: [section] key: what was expected, got 'value'".
 */
#ifndef VS_CONFIG_H
#define VS_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_config.h>
#include <rte_ether.h>

#define VS_NAME_MAX      32   /**< guest name, including the NUL */
#define VS_PATH_MAX      108  /**< a unix socket path (sun_path), including the NUL */
#define VS_DEVARGS_MAX   256
#define VS_MAX_GUESTS    64
#define VS_MAX_PORTS     (VS_MAX_GUESTS + 1)  /**< port index 0 is the uplink */
#define VS_MAX_VNIS      256
#define VS_MAX_FLOOD     32   /**< VTEPs on one VNI's flood list */
#define VS_MAX_QUEUES    8    /**< queues of one port */
#define VS_MAX_WORKERS   32
#define VS_MAX_PQ        (VS_MAX_PORTS * VS_MAX_QUEUES)
#define VS_MAX_STATIC    1024 /**< static locations in the config */
#define VS_MAX_NEIGH     256  /**< static underlay neighbours in the config */
#define VS_ERR_MAX       512  /**< size of an error message buffer */

/** [host] guest-bdp-kb: one guest's bandwidth x delay in KB (default: 16 Gbit/s x 1 ms). */
#define VS_BDP_KB_DEFAULT 2048
#define VS_BDP_KB_MIN     64
#define VS_BDP_KB_MAX     262144

/** [host] locations: entries the location table holds (local, static and learned). */
#define VS_LOCATIONS_DEFAULT 65536
#define VS_LOCATIONS_MIN     1024
#define VS_LOCATIONS_MAX     16777216

/** Port index of the uplink in vs_config (guest i has index i + 1). */
#define VS_PORT_UPLINK   0

struct vs_cfg_host {
	rte_be32_t vtep_ip;        /**< required */
	uint16_t vxlan_port;       /**< default 4789 */
	bool learning;             /**< default on */
	uint32_t aging;            /**< seconds, 0 = never; default 300 */
	uint32_t guest_bdp_kb;     /**< guest bandwidth x delay, KB: sizes rings, pool; 2048 */
	uint32_t locations;        /**< location table capacity; default 65536 */
	char ctl_socket[VS_PATH_MAX]; /**< control socket; default /run/vseal/vseal.ctl */
};

struct vs_cfg_uplink {
	char device[VS_DEVARGS_MAX]; /**< required: PCI address or vdev string */
	uint8_t prefix;            /**< default 24 */
	bool has_gateway;
	rte_be32_t gateway;
	uint16_t mtu;              /**< default 1500 */
	uint16_t queues;           /**< default 1 */
	bool gro;                  /**< coalesce TCP for guests (librte_gro); default on */
	bool sw_segmentation;      /**< segmentation = software: never NIC tunnel TSO */
};

enum vs_vhost_mode {
	VS_VHOST_CLIENT = 0,       /**< default: the VM owns the socket, vseal reconnects */
	VS_VHOST_SERVER,           /**< vseal owns the socket */
};

struct vs_cfg_guest {
	char name[VS_NAME_MAX];    /**< from [guest.NAME] */
	char socket[VS_PATH_MAX];  /**< required */
	enum vs_vhost_mode mode;
	uint32_t vni;              /**< required */
	struct rte_ether_addr mac; /**< required, unicast */
	uint16_t queues;           /**< default 1 */
	uint16_t mtu;              /**< default 1500, at most 65000 */
};

struct vs_cfg_vni {
	uint32_t vni;
	bool fragment;             /**< default off */
	unsigned int nb_flood;
	rte_be32_t flood[VS_MAX_FLOOD];
};

/** One (port, queue) pair polled by a worker; port is a vs_config port index. */
struct vs_cfg_pq {
	uint16_t port;
	uint16_t queue;
};

struct vs_cfg_worker {
	unsigned int lcore;        /**< from the key worker.N */
	unsigned int nb_pq;
	struct vs_cfg_pq pq[VS_MAX_PQ];
};

struct vs_cfg_lcores {
	bool has_main;
	unsigned int main;         /**< must be EAL's main lcore; default: EAL's */
	unsigned int control;      /**< required; may be the main lcore */
	uint32_t idle_sleep;       /**< µs a worker sleeps after idle polls; 0 = busy poll */
	unsigned int nb_workers;
	struct vs_cfg_worker workers[VS_MAX_WORKERS];
};

/** A static location: in [location.VNI], a line "MAC = VTEP-IP". */
struct vs_cfg_location {
	uint32_t vni;
	struct rte_ether_addr mac;
	rte_be32_t vtep_ip;
};

/**
 * A static underlay neighbour: in [neigh], a line "IP = MAC", for labs where nothing
 * answers ARP (e.g. a net_null uplink).
 */
struct vs_cfg_neigh {
	rte_be32_t ip;
	struct rte_ether_addr mac;
};

struct vs_config {
	char path[PATH_MAX];       /**< the file it was read from, for messages */
	struct vs_cfg_host host;
	struct vs_cfg_uplink uplink;
	unsigned int nb_guests;
	struct vs_cfg_guest guests[VS_MAX_GUESTS];
	unsigned int nb_vnis;      /**< [vni.N] sections plus the guests' VNIs, no duplicates */
	struct vs_cfg_vni vnis[VS_MAX_VNIS];
	struct vs_cfg_lcores lcores;
	unsigned int nb_locations;
	struct vs_cfg_location locations[VS_MAX_STATIC];
	unsigned int nb_neigh;
	struct vs_cfg_neigh neigh[VS_MAX_NEIGH];
};

/** What validation needs to know of the runtime (filled from EAL by the app). */
struct vs_cfg_runtime {
	unsigned int main_lcore;
	bool lcore_enabled[RTE_MAX_LCORE];
};

/**
 * Read and parse the INI file at path into cfg (all defaults applied).
 * @return 0, or -EINVAL with one line in err naming file, section and key.
 */
int vs_config_load(const char *path, struct vs_config *cfg, char *err, size_t errlen);

/**
 * Check cfg against the runtime: lcores given to EAL, each (port, queue) polled by exactly
 * one worker, control/main lcore choice.
 * @return 0, or -EINVAL with one line in err naming file, section and key.
 */
int vs_config_validate(const struct vs_config *cfg, const struct vs_cfg_runtime *rt,
		char *err, size_t errlen);

/** Port index of the port called name ("uplink" or a guest's name), or -ENOENT. */
int vs_config_port_index(const struct vs_config *cfg, const char *name);

/** Name of port index idx ("uplink" or the guest's name). */
const char *vs_config_port_name(const struct vs_config *cfg, unsigned int idx);

/** The VNI entry for vni, or NULL. */
const struct vs_cfg_vni *vs_config_vni(const struct vs_config *cfg, uint32_t vni);

#endif /* VS_CONFIG_H */
