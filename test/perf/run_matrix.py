#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The benchmark matrix: vseal against dpdk-testpmd io forwarding, case by case, same run.

    test/perf/run_matrix.py --vseal build/app/vseal --out DIR [--quick] [--cases RE] [--ovs]

Every case runs twice on the same ports and the same CPUs: once with vseal as the device
under test (DUT), once with dpdk-testpmd forwarding io-style in its place (the baseline).
The traffic comes from a second dpdk-testpmd, the guest emulator, which replays frames
written here into pcap files (net_pcap infinite_rx) into virtio-user ports, one per guest,
and takes the frames the DUT delivers to the guests; the uplink is a PMD inside the DUT:
net_null (a sink) for traffic from the guests, net_pcap replaying VXLAN frames for traffic
from the network. Each figure is the median of --windows windows of --window seconds, with
the minimum and maximum, read from DPDK telemetry (/ethdev/stats, /vseal/lcores).

With --ovs, the cases OVS can run the same way (encap, decap, local, bidir; one worker, no
TSO, one destination) also run a private OVS-DPDK (test/perf/ovs_dut.py) as a third DUT on
the same ports and CPUs, in the same alternating rounds; its cycles per packet come from
its PMD statistics (dpif-netdev/pmd-stats-show). --ovs-check first runs a sanity check:
OVS's uplink writes a pcap, and the frames in it must be VXLAN to the remote VTEP.

Writes DIR/windows.csv (every window of every run), DIR/results.csv and DIR/results.md
(one row per case: vseal and baseline medians, ratio), DIR/machine.txt (CPU, load), and
prints a progress line per case. Root is needed (hugepages, /var/run/dpdk).
"""

import argparse
import csv
import json
import os
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True          # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ovs_dut  # noqa: E402

# Addresses of the lab: this host is VTEP 192.0.2.1; remote VTEPs are 192.0.2.10 + i.
VNI = 100
OUR_VTEP = "192.0.2.1"
UPLINK_MAC = "02:00:00:00:fe:01"      # the DUT's uplink (net_null/net_pcap get random MACs)
GUEST_MAC = ["02:00:00:00:01:01", "02:00:00:00:01:02"]
REMOTE_MAC = "02:00:00:00:02:01"      # a guest on another host, behind VTEP 0
REMOTE_VTEPS = 16                     # static neighbours 192.0.2.10..25
GUEST_PREFIX = "perf"
TSO_FRAME = 65014                     # Ethernet + IPv4 total length 65000
TSO_MSS = 1448
STALL_SPAN = 0.1                      # s: a telemetry sample slower than this is a stall
STARVED = 0.25                        # a window where the DUT's workers or the generator's
                                      # forwarding thread ran less than this share of a CPU
# testpmd --record-core-cycles, "show fwd stats all": its busy cycles and received packets.
TESTPMD_CYCLES = re.compile(r"CPU cycles/packet=\S+ \(total cycles=(\d+) / total \S+ "
                            r"packets=(\d+)\) at (\d+) MHz")


def vtep_ip(i):
    return "192.0.2.%d" % (10 + i)


def vtep_mac(i):
    return "02:00:00:00:fe:%02x" % (0x10 + i)


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def ip_bytes(ip):
    return bytes(int(x) for x in ip.split("."))


def table_mac(i):
    """MAC of the i-th filler location (i < 2**24)."""
    return "02:10:00:%02x:%02x:%02x" % ((i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF)


# ---------------------------------------------------------------------------- frames

def ip_checksum(hdr):
    s = 0
    for i in range(0, len(hdr), 2):
        s += (hdr[i] << 8) | hdr[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4_hdr(src, dst, proto, payload_len, df=False):
    h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, 0,
                              0x4000 if df else 0, 64, proto, 0, ip_bytes(src), ip_bytes(dst)))
    struct.pack_into("!H", h, 10, ip_checksum(h))
    return bytes(h)


def udp_frame(src_mac, dst_mac, flow, length):
    """Ethernet/IPv4/UDP frame of length bytes (no FCS); flow picks addresses and ports."""
    length = max(length, 60)
    payload = length - 14 - 20 - 8
    src = "10.%d.%d.%d" % (1 + (flow >> 16) % 200, (flow >> 8) & 0xFF, flow & 0xFF)
    udp = struct.pack("!HHHH", 1024 + (flow % 60000), 5001, 8 + payload, 0)
    return (mac_bytes(dst_mac) + mac_bytes(src_mac) + b"\x08\x00" +
            ipv4_hdr(src, "10.0.255.1", 17, 8 + payload) + udp + bytes(payload))


def tcp_frame(src_mac, dst_mac, flow, length):
    """Ethernet/IPv4/TCP frame (ACK|PSH) of length bytes, for TSO."""
    payload = length - 14 - 20 - 20
    src = "10.1.%d.%d" % ((flow >> 8) & 0xFF, flow & 0xFF)
    tcp = struct.pack("!HHIIBBHHH", 40000 + flow % 20000, 5201, 1, 1, 5 << 4, 0x18, 65535, 0, 0)
    return (mac_bytes(dst_mac) + mac_bytes(src_mac) + b"\x08\x00" +
            ipv4_hdr(src, "10.0.255.1", 6, 20 + payload, df=True) + tcp + bytes(payload))


def vxlan_frame(inner, src_vtep, flow):
    """What a remote VTEP sends us: outer Ethernet/IPv4/UDP 4789/VXLAN around inner."""
    udp_len = 8 + 8 + len(inner)
    udp = struct.pack("!HHHH", 49152 + flow % 16384, 4789, udp_len, 0)
    vx = struct.pack("!BBBBI", 0x08, 0, 0, 0, VNI << 8)
    return (mac_bytes(UPLINK_MAC) + mac_bytes(vtep_mac(src_vtep)) + b"\x08\x00" +
            ipv4_hdr(vtep_ip(src_vtep), OUR_VTEP, 17, udp_len, df=True) + udp + vx + inner)


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for fr in frames:
            f.write(struct.pack("<IIII", 0, 0, len(fr), len(fr)))
            f.write(fr)


# ---------------------------------------------------------------------------- cases

class Case:
    """One cell of the matrix.

    path: encap (guest -> encap -> uplink), decap (uplink -> decap -> guest), local
    (guest -> guest on this host), bidir (encap and decap at once), bum (broadcast from a
    guest, replicated to `bum` VTEPs). size: Ethernet frame size with FCS, as RFC 2544
    counts it (frames carry size - 4 bytes); 65536 means a 64 KB TCP frame with TSO.
    table: locations in the table; dsts: how many of them the traffic goes to.
    """

    def __init__(self, path, size=64, workers=1, flows=1, table=1000, dsts=1, bum=0,
                 uplinkq=1):
        self.path, self.size, self.workers = path, size, workers
        self.flows, self.table, self.dsts, self.bum = flows, table, dsts, bum
        self.uplinkq = uplinkq

    @property
    def tso(self):
        return self.size == 65536

    @property
    def frame_len(self):
        return TSO_FRAME if self.tso else self.size - 4

    @property
    def name(self):
        n = "%s-%s" % (self.path, "64KTSO" if self.tso else self.size)
        if self.bum:
            n += "-vteps%d" % self.bum
        if self.workers != 1:
            n += "-w%d" % self.workers
        if self.uplinkq != 1:
            n += "-q%d" % self.uplinkq
        if self.flows != 1:
            n += "-flows%s" % human(self.flows)
        if self.table != 1000 or self.dsts != 1:
            n += "-table%s-dst%s" % (human(self.table), human(self.dsts))
        return n

    @property
    def copies(self):
        """Packets on the uplink per frame carried (vseal): BUM copies, TSO segments."""
        if self.path == "bum":
            return self.bum
        if self.tso and self.path == "encap":
            return -(-(self.frame_len - 54) // TSO_MSS)
        return 1

    @property
    def jumbo(self):
        return self.frame_len > 1514


def human(n):
    if n >= 1000000 and n % 1000000 == 0:
        return "%dM" % (n // 1000000)
    if n >= 1000 and n % 1000 == 0:
        return "%dk" % (n // 1000)
    if n == 65536:
        return "64k"
    return str(n)


def matrix(quick):
    if quick:
        return [Case("encap"), Case("decap"), Case("local"), Case("bum", bum=4),
                Case("encap", size=1518)]
    cases = []
    for s in (64, 128, 256, 512, 1024, 1518, 9000, 65536):
        cases.append(Case("encap", size=s))
    # From the network: no 9000 B. net_pcap's infinite_rx (the uplink's traffic source here)
    # refuses a queue whose mbufs are smaller than a frame, and vseal's hold 2 KB.
    for s in (64, 128, 256, 512, 1024, 1518):
        cases.append(Case("decap", size=s))
    for s in (64, 128, 256, 512, 1024, 1518, 9000, 65536):
        cases.append(Case("local", size=s))
    for s in (64, 512, 1518):
        cases.append(Case("bidir", size=s))
    for n in (1, 4, 16):
        cases.append(Case("bum", bum=n))
    # Two workers, one uplink queue: worker 1 hands what it encapsulates to worker 2, the
    # owner of the uplink's only TX queue, over a ring. With two uplink queues each worker
    # owns one and sends itself.
    cases.append(Case("encap", workers=2))
    cases.append(Case("encap", workers=2, uplinkq=2))
    cases.append(Case("bidir", workers=2))
    for f in (1000, 65536):
        cases.append(Case("encap", flows=f))
    # Table size: traffic to 1000 destinations of the table, the table 1k .. 1M entries.
    for t in (1000, 65000, 100000, 1000000):
        cases.append(Case("encap", table=t, dsts=1000, flows=1000))
    return cases


# ---------------------------------------------------------------------------- telemetry

class NotReady(Exception):
    """A process answers telemetry but its ports are not all set up yet."""


class Telemetry:
    def __init__(self, prefix, timeout=20.0):
        path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
        deadline = time.time() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                self.s.connect(path)
                self.s.recv(65536)
                return
            except OSError:
                self.s.close()
                if time.time() > deadline:
                    raise RuntimeError("no telemetry socket %s" % path)
                time.sleep(0.1)

    def query(self, cmd):
        self.s.send(cmd.encode())
        reply = json.loads(self.s.recv(1 << 20).decode())
        return reply[cmd.split(",")[0]]

    def port_stats(self, port):
        st = self.query("/ethdev/stats,%d" % port)
        if not isinstance(st, dict):
            raise NotReady("port %d has no statistics yet" % port)
        return st

    def close(self):
        self.s.close()


# ---------------------------------------------------------------------------- processes

class Proc:
    """A DPDK process we started: stopped by its PID only, its runtime files removed."""

    def __init__(self, name, prefix, argv, log, stdin_pipe=False):
        self.name, self.prefix, self.log = name, prefix, log
        self.logf = open(log, "w")
        self.logf.write("# " + " ".join(argv) + "\n")
        self.logf.flush()
        self.p = subprocess.Popen(argv, stdout=self.logf, stderr=subprocess.STDOUT,
                                  stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL)

    def alive(self):
        return self.p.poll() is None

    def command(self, line):
        """Send one command line to an interactive testpmd (its stdin)."""
        self.p.stdin.write((line + "\n").encode())
        self.p.stdin.flush()

    def stop(self, timeout=10.0):
        if self.p.poll() is None:
            if self.p.stdin is not None:
                self.p.stdin.close()        # testpmd: "Press enter to exit" sees EOF
            else:
                self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.p.send_signal(signal.SIGTERM)
                try:
                    self.p.wait(3)
                except subprocess.TimeoutExpired:
                    self.p.kill()
                    self.p.wait()
        self.logf.close()
        # Only our own prefix: the runtime directory and any hugepage file left behind.
        shutil.rmtree("/var/run/dpdk/%s" % self.prefix, ignore_errors=True)
        for f in os.listdir("/dev/hugepages") if os.path.isdir("/dev/hugepages") else []:
            if f.startswith(self.prefix + "map_") or f == self.prefix + "map":
                try:
                    os.unlink(os.path.join("/dev/hugepages", f))
                except OSError:
                    pass
        return self.p.returncode


# ---------------------------------------------------------------------------- one run

class Runner:
    def __init__(self, args):
        self.a = args
        self.tmp = tempfile.mkdtemp(prefix="vseal-perf.")
        self.seq = 0
        self.drops = {}             # "PORT REASON" -> count, vseal's, for the current case
        self.dut_errors = {}        # optional DUT (ovs) -> why it has no figures in the case
        self.uplink_override = None     # --ovs-check: the uplink's devargs (a tx_pcap)
        self.sink_pcap = {}             # --ovs-check: guest -> pcap the generator writes
        self.check = False              # --ovs-check: run_dut() takes counts, no windows
        cpus = [int(x) for x in args.cpus.split(",")]
        self.cpu_a, self.cpu_b = cpus[0], cpus[1 % len(cpus)]

    def prefix(self, role):
        return "%s-%s-%d-%d" % (GUEST_PREFIX, role, os.getpid(), self.seq)

    # Guests of a case: (name, sends?, pcap frames or None)
    def guests(self, c):
        fl = c.frame_len
        mk = tcp_frame if c.tso else udp_frame
        if c.path in ("encap", "bidir"):
            if c.dsts > 1:
                step = max(1, c.table // c.dsts)
                # The table holds REMOTE_MAC and table_mac(0 .. table - 2).
                dst = [table_mac((i * step) % (c.table - 1)) for i in range(c.dsts)]
            else:
                dst = [REMOTE_MAC]
            n = max(c.flows, len(dst))
            frames = [mk(GUEST_MAC[0], dst[i % len(dst)], i % c.flows, fl) for i in range(n)]
            return [("vm1", frames)]
        if c.path == "decap":
            return [("vm1", None)]
        if c.path == "local":
            frames = [mk(GUEST_MAC[0], GUEST_MAC[1], i, fl) for i in range(c.flows)]
            return [("vm1", frames), ("vm2", None)]
        if c.path == "bum":
            frames = [mk(GUEST_MAC[0], "ff:ff:ff:ff:ff:ff", i, fl) for i in range(c.flows)]
            return [("vm1", frames)]
        raise ValueError(c.path)

    def uplink_frames(self, c):
        if c.path not in ("decap", "bidir"):
            return None
        return [vxlan_frame(udp_frame(REMOTE_MAC, GUEST_MAC[0], i, c.frame_len), 0, i)
                for i in range(c.flows)]

    def mbuf_size(self, c):
        # Small frames, small buffers: a pcap of 64k flows preloads 64k mbufs. virtio-user
        # wants the largest frame (gen_max_pkt) in one buffer, after the 128 B headroom.
        if c.frame_len <= 256:
            return 512
        return max(2176, c.frame_len + 128 + 64) if c.frame_len > 2048 else 2176

    def gen_max_pkt(self, c):
        if c.tso:
            return 9018
        if c.frame_len <= 256:
            return 384
        return max(1518, c.frame_len + 4)

    def sinks(self, c):
        """Receiving guests that get a process of their own: a 64 KB TSO receiver needs LRO
        (virtio GUEST_TSO4) from its first negotiation, which testpmd only sets for all
        ports at once, and the pcap port of the sending guest refuses it."""
        return ["vm2"] if c.tso and c.path == "local" else []

    def sink_argv(self, c, prefix, sock, name):
        i = int(name[2:]) - 1          # vm1 -> 0, vm2 -> 1
        return [self.a.testpmd, "--lcores=0@%d,1@%d" % (self.cpu_b, self.cpu_a),
                "--file-prefix=" + prefix, "--no-pci", "--in-memory", "--single-file-segments",
                "--log-level=pmd.net.virtio.init:debug",
                "--vdev=net_virtio_user0,path=%s,server=1,queues=1,queue_size=1024,mrg_rxbuf=1,"
                "in_order=0,mac=%s" %
                (sock, GUEST_MAC[i]),
                # RX offloads TCP/UDP checksum, LRO, scatter (0x201c): virtio then negotiates
                # GUEST_CSUM and GUEST_TSO4/6 at its first configuration. (--enable-rx-cksum
                # would add the IPv4 checksum, which virtio lacks.)
                "--", "--nb-cores=1", "--forward-mode=rxonly", "--rx-offloads=0x201c",
                "--max-pkt-len=9018", "--max-lro-pkt-size=9018",
                "--total-num-mbufs=16384"]

    def gen_argv(self, c, prefix, socks, pcaps):
        vdevs = []
        for i, (name, frames) in enumerate(self.gen_guests(c)):
            if frames is not None:
                vdevs.append("--vdev=net_pcap%d,rx_pcap=%s,infinite_rx=1" % (i, pcaps[name]))
            elif name in self.sink_pcap:
                # --ovs-check: what the guest receives, written to a file.
                vdevs.append("--vdev=net_pcap%d,tx_pcap=%s" % (i, self.sink_pcap[name]))
            else:
                vdevs.append("--vdev=net_null%d,no-rx=1" % i)
            # 1024 descriptors: on shared CPUs the ring must cover a scheduler time slice.
            vdevs.append("--vdev=net_virtio_user%d,path=%s,server=1,queues=1,queue_size=1024,"
                         "mac=%s" % (i, socks[name], GUEST_MAC[i]))
        nports = len(vdevs)
        nframes = sum(len(f) for _, f in self.gen_guests(c) if f is not None)
        mbufs = max(16384, nframes + 8192)
        if c.tso:
            mbufs = nframes + 4096
        argv = [self.a.testpmd, "--lcores=0@%d,1@%d" % (self.cpu_b, self.cpu_a),
                "--file-prefix=" + prefix, "--no-pci", "--in-memory",
                "--single-file-segments", "--log-level=pmd.net.pcap:error",
                "--log-level=pmd.net.virtio.init:error"] + vdevs + [
                "--", "--nb-cores=1", "--portlist=" + ",".join(map(str, range(nports))),
                "--total-num-mbufs=%d" % mbufs, "--mbuf-size=%d" % self.mbuf_size(c),
                "--max-pkt-len=%d" % self.gen_max_pkt(c),
                "--max-lro-pkt-size=%d" % self.gen_max_pkt(c),
                "--rxd=512", "--txd=512"]
        if c.tso:
            cmds = os.path.join(self.tmp, "gen-tso.cmd")
            with open(cmds, "w") as f:
                f.write("port stop all\ncsum set ip hw 1\ncsum set tcp hw 1\n"
                        "tso set %d 1\n" % TSO_MSS)
                f.write("port start all\nset fwd csum\n")
            # csum forwarding rewrites the Ethernet addresses: source = the virtio port's
            # (the guest's MAC), destination = the peer of the transmitting port.
            dst = REMOTE_MAC if c.path == "encap" else GUEST_MAC[1]
            argv += ["--cmdline-file=" + cmds, "--forward-mode=csum",
                     "--eth-peer=1,%s" % dst]
        else:
            argv += ["--forward-mode=io"]
        return argv

    def uplink_dev(self, c, pcap):
        if self.uplink_override is not None:
            return self.uplink_override
        if pcap is not None:
            return "net_pcap%d,rx_pcap=%s,infinite_rx=1" % (90, pcap)
        return "net_null%d,no-rx=1" % 90

    def vseal_config(self, c, socks, uplink, ctl):
        g = self.guests(c)
        L = ["[host]", "vtep-ip = " + OUR_VTEP, "ctl-socket = " + ctl]
        if c.workers > 1 and c.uplinkq == 1:
            # The uplink's owner shares CPU A with the generator: its handoff ring must
            # hold what the other worker takes in while the scheduler runs the generator
            # (a few ms). 32 MB in flight gives the largest ring, 16384 mbufs.
            L.append("guest-bdp-kb = 32768")
        if c.table > 65536 - 1024:
            # The table also holds the guests' own locations; leave room for learning.
            L.append("locations = %d" % (c.table + 1024))
        L += ["",
             "[uplink]", "device = " + uplink,
             "mtu = %d" % (9100 if c.jumbo and not c.tso else 1600),
             "queues = %d" % c.uplinkq, ""]
        for i, (name, _) in enumerate(g):
            L += ["[guest.%s]" % name, "socket = " + socks[name], "mode = client",
                  "vni = %d" % VNI, "mac = " + GUEST_MAC[i],
                  "mtu = %d" % (65000 if c.tso else max(1500, c.frame_len - 14)), ""]
        L += ["[vni.%d]" % VNI]
        if c.bum:
            L += ["flood = " + " ".join(vtep_ip(i) for i in range(c.bum))]
        L += ["", "[location.%d]" % VNI, REMOTE_MAC + " = " + vtep_ip(0)]
        for i in range(min(c.table, 1000) - 1):
            L.append("%s = %s" % (table_mac(i), vtep_ip(i % REMOTE_VTEPS)))
        L += ["", "[neigh]"]
        for i in range(REMOTE_VTEPS):
            L.append("%s = %s" % (vtep_ip(i), vtep_mac(i)))
        ports = ["uplink"] + [name for name, _ in g]
        L += ["", "[lcores]", "control = 0"]
        if c.workers == 1:
            L.append("worker.1 = " + " ".join(ports))
        elif c.uplinkq == 2:
            L.append("worker.1 = uplink:0 " + " ".join(ports[1:]))
            L.append("worker.2 = uplink:1")
        else:
            L.append("worker.1 = " + " ".join(ports[1:]))
            L.append("worker.2 = uplink")
        return "\n".join(L) + "\n"

    def fill_commands(self, c):
        """CLI lines that add the locations beyond the 1000 the config holds."""
        if c.table <= 1000:
            return None
        path = os.path.join(self.tmp, "fill-%d.cmd" % c.table)
        if not os.path.exists(path):
            with open(path, "w") as f:
                for i in range(999, c.table - 1):
                    f.write("location add %d %s %s\n" % (VNI, table_mac(i),
                                                         vtep_ip(i % REMOTE_VTEPS)))
        return path

    def dut_lcores(self, c):
        lc = ["0@%d" % self.cpu_a, "1@%d" % self.cpu_b]
        if c.workers == 2:
            lc.append("2@%d" % self.cpu_a)
        return "--lcores=" + ",".join(lc)

    def baseline_argv(self, c, prefix, socks, uplink):
        """testpmd io forwarding on the DUT's ports and lcores."""
        g = self.guests(c)
        vdevs = ["--vdev=net_vhost%d,iface=%s,queues=1,client=1,tso=1,legacy-ol-flags=1" %
                 (i, socks[name]) for i, (name, _) in enumerate(g)]
        vdevs.append("--vdev=" + uplink)
        # Ports: guests 0.., uplink last. Pairs for io forwarding:
        if c.path == "local":
            portlist = "0,1"
        else:
            portlist = "0,1"      # vm1 <-> uplink
        return [self.a.testpmd, self.dut_lcores(c), "--file-prefix=" + prefix, "--no-pci",
                "--in-memory", "--log-level=pmd.net.pcap:error",
                "--log-level=lib.vhost.config:error"] + vdevs + [
                # Interactive on a pipe, forwarding from the start: "show fwd stats all" then
                # gives testpmd's own TSC accounting (--record-core-cycles: cycles of the
                # loops that received something, per received packet), as vseal's telemetry
                # gives vseal's.
                "--", "-i", "--auto-start", "--record-core-cycles",
                "--nb-cores=%d" % c.workers, "--portlist=" + portlist,
                "--forward-mode=io", "--total-num-mbufs=%d" % (32768 if not c.tso else 65536),
                "--mbuf-size=%d" % (2176 if not c.jumbo or c.tso else self.mbuf_size(c)),
                "--max-pkt-len=%d" % (max(1518, c.frame_len + 4) if not c.tso else 9018),
                "--no-lsc-interrupt"]

    def ovs_unsupported(self, c):
        """Why OVS does not run case c, or None. OVS runs what its rules below express as
        vseal's config does: encap, decap, local, bidir with one worker and one destination,
        no TSO (its userspace TSO is off by default), no flooding."""
        if c.path not in ("encap", "decap", "local", "bidir"):
            return "OVS runs encap, decap, local and bidir cases only"
        if c.workers != 1 or c.tso or c.dsts != 1 or c.table != 1000:
            return "OVS runs one-worker cases without TSO and with one destination only"
        return None

    def ovs_topo(self, c, socks, uplink):
        """OVS's bridges, ports and OpenFlow rules for case c (test/perf/ovs_dut.py): the
        same sockets, uplink devargs and addresses as vseal_config()."""
        flows = []
        if c.path in ("encap", "bidir"):
            # vseal: the location of the destination MAC -> VXLAN to its VTEP.
            flows.append("in_port=vm1,dl_dst=%s,actions=output:vx" % REMOTE_MAC)
        if c.path in ("decap", "bidir"):
            # vseal: VNI and inner destination MAC -> the guest.
            flows.append("in_port=vx,tun_id=%d,dl_dst=%s,actions=output:vm1" % (
                VNI, GUEST_MAC[0]))
        if c.path == "local":
            flows.append("in_port=vm1,dl_dst=%s,actions=output:vm2" % GUEST_MAC[1])
        mtu = max(1500, c.frame_len - 14)
        return {"guests": [(name, socks[name], mtu) for name, _ in self.guests(c)],
                "uplink": uplink, "uplink_mtu": 9100 if c.jumbo else 1600,
                "uplink_mac": UPLINK_MAC, "vtep": OUR_VTEP + "/24",
                "remote": (vtep_ip(0), vtep_mac(0)), "vni": VNI, "flows": flows}

    def gen_guests(self, c):
        return [(n, f) for n, f in self.guests(c) if n not in self.sinks(c)]

    # Port ids, per process, of what the figures are read from.
    def ports(self, c, dut):
        g = self.guests(c)
        gen_virtio = {name: 2 * i + 1 for i, (name, _) in enumerate(self.gen_guests(c))}
        gen_virtio.update({name: 0 for name in self.sinks(c)})
        # vseal probes the uplink first (port 0), then the guests in config order; OVS's
        # only ethdev is the uplink (its vhost-user ports are not ethdevs); testpmd has the
        # guests first.
        uplink = 0 if dut in ("vseal", "ovs") else len(g)
        dut_guest = {name: (1 + i if dut == "vseal" else i) for i, (name, _) in enumerate(g)}
        return gen_virtio, dut_guest, uplink

    def run_case(self, c, order, done):
        """All runs of one case against one guest emulator: for each (round, dut) of order,
        start the DUT, measure, stop it; done(round, dut, windows) gets each run's windows.
        The emulator's virtio-user ports are vhost-user servers, so each DUT connects as a
        client and the next one reconnects. Raises RuntimeError naming the failed DUT."""
        self.seq += 1
        d = os.path.join(self.tmp, "case%d" % self.seq)
        os.makedirs(d)
        socks = {name: os.path.join(d, name + ".sock") for name, _ in self.guests(c)}
        pcaps = {}
        for name, frames in self.guests(c):
            if frames is not None:
                pcaps[name] = os.path.join(d, name + ".pcap")
                write_pcap(pcaps[name], frames)
        up = self.uplink_frames(c)
        up_pcap = None
        if up is not None:
            up_pcap = os.path.join(d, "uplink.pcap")
            write_pcap(up_pcap, up)
        uplink = self.uplink_dev(c, up_pcap)

        guests = []
        tg = {}
        gen_prefix = self.prefix("gen")
        try:
            gen = Proc("gen", gen_prefix, self.gen_argv(c, gen_prefix, socks, pcaps),
                       os.path.join(d, "gen.log"), stdin_pipe=True)
            guests.append(gen)
            # The guests own the sockets (server=1); each virtio-user probe waits for its
            # client in turn, so start the DUT (a reconnecting client) once the first exists.
            first = socks[self.guests(c)[0][0]]
            wait_for(lambda: os.path.exists(first), 90, "guest emulator socket", gen)
            sink_prefix = {}
            for name in self.sinks(c):
                sink_prefix[name] = self.prefix("sink" + name)
                guests.append(Proc("sink-" + name, sink_prefix[name],
                                   self.sink_argv(c, sink_prefix[name], socks[name], name),
                                   os.path.join(d, "sink-%s.log" % name), stdin_pipe=True))
            for rnd, dut in order:
                if dut in self.dut_errors:
                    continue            # OVS failed in an earlier round of this case
                for attempt in (0, 1):
                    try:
                        ws = self.run_dut(c, dut, d, socks, uplink, guests, tg, gen_prefix,
                                          sink_prefix)
                    except (RuntimeError, OSError, KeyError, ValueError, NotReady,
                            subprocess.SubprocessError) as e:
                        # No traffic at all is tried once more: a receiving guest that
                        # renegotiates its features (the TSO sink) right after the DUT's
                        # first connection can leave the DUT with the first set.
                        if attempt == 0 and "no traffic" in str(e):
                            print("#   %s %s: %s; running it again" % (c.name, dut, e),
                                  flush=True)
                            continue
                        if dut == "ovs":
                            # The optional DUT: the case keeps vseal's and testpmd's figures.
                            self.dut_errors[dut] = str(e)
                            print("#   %s ovs: %s" % (c.name, e), flush=True)
                            break
                        raise RuntimeError("%s: %s" % (dut, e))
                    # A run most of whose windows stalled (the machine froze under other
                    # load) is kept in windows.csv, left out, and run once more.
                    stalled = sum(1 for w in ws if not w.get("valid", True))
                    use = attempt == 1 or self.a.profile or 2 * stalled <= len(ws)
                    done(rnd, dut, ws, use)
                    if use:
                        break
                    print("#   %s %s: %d of %d windows stalled or starved, running it again" % (
                        c.name, dut, stalled, len(ws)), flush=True)
        finally:
            for t in set(tg.values()):
                t.close()
            for p in reversed(guests):
                p.stop()
            if not self.a.keep:
                shutil.rmtree(d, ignore_errors=True)

    def run_dut(self, c, dut, d, socks, uplink, guests, tg, gen_prefix, sink_prefix):
        """One DUT run against the running guest emulator: its windows."""
        self.seq += 1
        dut_prefix = self.prefix(dut)
        log = os.path.join(d, "dut-%s-%d.log" % (dut, self.seq))
        dutp = None
        td = None
        ok = False
        try:
            if dut == "vseal":
                ctl = os.path.join(d, "vseal-%d.ctl" % self.seq)
                cfg = os.path.join(d, "vseal-%d.ini" % self.seq)
                with open(cfg, "w") as f:
                    f.write(self.vseal_config(c, socks, uplink, ctl))
                argv = [self.a.vseal, self.dut_lcores(c), "--file-prefix=" + dut_prefix,
                        "--no-pci", "--in-memory", "--log-level=lib.vhost.config:error",
                        "--", "-f", cfg]
                fill = self.fill_commands(c)
                if fill is not None:
                    argv += ["--cmdline-file", fill]
                slow = 5 if self.a.profile else 1
                if self.a.profile:
                    argv = self.valgrind(argv, c, dut)
                dutp = Proc("vseal", dut_prefix, argv, log)
                dutp.stop_timeout = 10.0 * slow
                # The control socket answers once the command file has been run.
                if not self.a.profile or c.table > 1000:
                    wait_for(lambda: ctl_ok(self.a.vseal_ctl, ctl),
                             (60 + c.table / 5000) * slow, "vseal control socket", dutp)
                if c.table > 1000:
                    check_table(self.a.vseal_ctl, ctl, c.table, log)
            elif dut == "ovs":
                dutp = ovs_dut.OvsDut(os.path.join(d, "ovs-%d" % self.seq), dut_prefix,
                                      self.cpu_a, self.cpu_b, log,
                                      vswitchd=self.a.ovs_vswitchd)
                dutp.stop_timeout = 15.0
                dutp.start(self.ovs_topo(c, socks, uplink))
            else:
                argv = self.baseline_argv(c, dut_prefix, socks, uplink)
                if self.a.profile:
                    argv = self.valgrind(argv, c, dut)
                else:
                    # Line-buffered stdout: the answers to "show fwd stats all" reach the
                    # log at once.
                    argv = ["stdbuf", "-oL"] + argv
                dutp = Proc("testpmd", dut_prefix, argv, log, stdin_pipe=True)
                dutp.stop_timeout = 50.0 if self.a.profile else 10.0
            # The emulator's telemetry answers once all its ports have met a DUT.
            if not tg:
                tgen = Telemetry(gen_prefix, timeout=60)
                tg.update({name: tgen for name, _ in self.gen_guests(c)})
                for name, pfx in sink_prefix.items():
                    tg[name] = Telemetry(pfx, timeout=60)
            td = Telemetry(dut_prefix, timeout=180 if self.a.profile else 90)
            procs = guests + [dutp]
            if self.a.profile:
                ws = self.profile_run(c, dut, tg, td, procs, dutp)
            elif self.check:
                ws = self.check_run(c, dut, tg, td, procs)
            else:
                ws = self.measure(c, dut, tg, td, procs)
            ok = True
            return ws
        finally:
            if td is not None:
                td.close()
            if dutp is not None:
                dutp.stop(getattr(dutp, "stop_timeout", 10.0))
                if self.a.profile:
                    shutil.copy(log, os.path.join(self.a.out,
                                                  "profile-%s-%s.log" % (c.name, dut)))
                if self.check and os.path.exists(log):
                    shutil.copy(log, os.path.join(self.a.out,
                                                  "ovs-check-%s-%s.log" % (c.name, dut)))
                elif dut == "ovs" and not ok and os.path.exists(log):
                    # What OVS did and said, kept with the results (the case's folder goes).
                    shutil.copy(log, os.path.join(self.a.out, "ovs-error-%s.log" % c.name))

    def sample(self, c, dut, tg, td):
        gen_virtio, dut_guest, uplink = self.ports(c, dut)
        t0 = time.time()
        s = {"t": t0}
        for name, port in gen_virtio.items():
            st = tg[name].port_stats(port)
            s["gen_tx_" + name] = st["opackets"]
            s["gen_rx_" + name] = st["ipackets"]
        st = td.port_stats(uplink)
        s["dut_up_rx"], s["dut_up_tx"] = st["ipackets"], st["opackets"]
        s["t"] = (t0 + time.time()) / 2
        s["span"] = time.time() - t0
        s["lcore_cpu_ns"] = {lc: thread_cpu_ns(t) for lc, t in getattr(self, "worker_tasks", [])}
        s["cpu_ns"] = sum(s["lcore_cpu_ns"].values())
        s["gen_cpu_ns"] = sum(thread_cpu_ns(t) for _, t in getattr(self, "gen_tasks", []))
        if dut == "vseal":
            lc = {int(k): v for k, v in td.query("/vseal/lcores").items()
                  if isinstance(v, dict) and v.get("role") == "worker"}
            s["busy"] = sum(v.get("busy_cycles", 0) for v in lc.values())
            s["idle"] = sum(v.get("idle_cycles", 0) for v in lc.values())
            s["rxw"] = sum(v.get("rx_packets", 0) for v in lc.values())
            s["lcore_busy"] = {k: v.get("busy_cycles", 0) for k, v in lc.items()}
            s["lcore_idle"] = {k: v.get("idle_cycles", 0) for k, v in lc.items()}
        elif dut == "ovs":
            # OVS's PMD statistics: processing (busy) and idle TSC cycles, packets received
            # (recirculations are counted apart), datapath cache hits.
            pmds = self.ovs.pmd_stats()
            tot = {}
            for v in pmds.values():
                for k, n in v.items():
                    tot[k] = tot.get(k, 0) + n
            s["busy"], s["idle"], s["rxw"] = tot.get("busy", 0), tot.get("idle", 0), \
                tot.get("rx", 0)
            s["lcore_busy"] = {k: v.get("busy", 0) for k, v in pmds.items()}
            s["lcore_idle"] = {k: v.get("idle", 0) for k, v in pmds.items()}
            s["ovs"] = tot
        elif getattr(self, "dutp", None) is not None and not self.a.profile:
            cy = testpmd_cycles(self.dutp)
            if cy is not None:
                s["busy"], s["rxw"], hz = cy
                # testpmd's forwarding lcores loop all the time: what is not busy is idle.
                s["idle"] = None
                s["tsc_t"] = time.time()
                s["tsc_hz"] = hz
        return s

    def offered_delivered(self, c, a, b):
        """Frames offered to the DUT and destination packets delivered between samples."""
        def d(k):
            return b[k] - a[k]
        if c.path in ("encap", "bum"):
            return d("gen_tx_vm1"), d("dut_up_tx")
        if c.path == "decap":
            return d("dut_up_rx"), d("gen_rx_vm1")
        if c.path == "local":
            return d("gen_tx_vm1"), d("gen_rx_vm2")
        if c.path == "bidir":
            return d("gen_tx_vm1") + d("dut_up_rx"), d("dut_up_tx") + d("gen_rx_vm1")
        raise ValueError(c.path)

    def valgrind(self, argv, c, dut):
        """argv under callgrind, one output file per thread; hugepages replaced by
        --no-huge (valgrind does not follow hugepage mappings; vhost maps the guests'
        memory itself). Nothing is collected until profile_run() zeroes the counters."""
        self.profile_base = os.path.join(self.a.out, "callgrind.out.%s-%s" % (c.name, dut))
        argv = list(argv)
        i = argv.index("--in-memory")
        argv[i:i + 1] = ["--no-huge", "-m", "768"]
        return ["valgrind", "--tool=callgrind", "--fair-sched=yes", "--separate-threads=yes",
                "--cache-sim=%s" % ("yes" if self.a.cache_sim else "no"),
                "--callgrind-out-file=" + self.profile_base] + argv

    def dut_rx(self, td, dut, c):
        """Frames the DUT's ports have received, all ports summed."""
        n = len(self.guests(c)) + 1
        return sum(td.port_stats(p)["ipackets"] for p in range(n))

    def profile_run(self, c, dut, tg, td, procs, dutp):
        """The DUT under callgrind: once traffic flows, zero the counters, let it run for
        --profile seconds, dump. Returns the dump's per-thread files and the frames the DUT
        received between zero and dump."""
        deadline = time.time() + 300
        prev = None
        while True:
            time.sleep(1)
            for p in procs:
                if not p.alive():
                    raise RuntimeError("%s exited (see %s)" % (p.name, p.log))
            try:
                cur = self.sample(c, dut, tg, td)
            except NotReady:
                cur = None
            if prev is not None and cur is not None and \
                    self.offered_delivered(c, prev, cur)[1] > 0:
                break
            prev = cur
            if time.time() > deadline:
                raise RuntimeError("no traffic under valgrind within 300 s")
        pid = str(dutp.p.pid)
        rx0 = self.dut_rx(td, dut, c)
        subprocess.run(["callgrind_control", "--zero", pid], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120, check=True)
        t0 = time.time()
        time.sleep(self.a.profile)
        subprocess.run(["callgrind_control", "--dump=measured", pid],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120,
                       check=True)
        t1 = time.time()
        rx1 = self.dut_rx(td, dut, c)
        return [{"seconds": t1 - t0, "rx": rx1 - rx0, "pid": pid}]

    def measure(self, c, dut, tg, td, procs):
        copies = c.copies if dut == "vseal" else 1
        dutp = self.start_sampling(c, dut, procs)
        self.wait_traffic(c, dut, tg, td, procs)
        time.sleep(self.a.warmup)
        windows = self.windows(c, dut, tg, td, copies)
        if dut == "ovs":
            dutp.snapshot("after the windows")
        return windows

    def check_run(self, c, dut, tg, td, procs):
        """--ovs-check: once frames arrive end to end, the counts of a short while; the
        frames themselves are in the pcap files the uplink or the generator writes."""
        dutp = self.start_sampling(c, dut, procs)
        self.wait_traffic(c, dut, tg, td, procs)
        a = self.sample(c, dut, tg, td)
        time.sleep(0.2)
        b = self.sample(c, dut, tg, td)
        offered, delivered = self.offered_delivered(c, a, b)
        if dut == "ovs":
            dutp.snapshot("--ovs-check")
        return [{"offered": offered, "delivered": delivered, "seconds": b["t"] - a["t"],
                 "valid": True, "log": dutp.log}]

    def start_sampling(self, c, dut, procs):
        """The threads whose CPU time sample() reads; returns the DUT's process."""
        # The DUT's polling threads (EAL names them rte-worker-LCORE; OVS's PMD threads
        # pmd-cCORE/id:N): their CPU time.
        dutp = [p for p in procs if p.name in ("vseal", "testpmd", "ovs")][0]
        self.dutp = dutp if dut == "testpmd" else None
        self.ovs = dutp if dut == "ovs" else None
        if dut == "ovs":
            self.worker_tasks = dutp.pmd_tasks()
        else:
            self.worker_tasks = worker_tasks(dutp.p.pid, c.workers)
        gen = [p for p in procs if p.name == "gen"][0]
        self.gen_tasks = worker_tasks(gen.p.pid, 1)
        return dutp

    def wait_traffic(self, c, dut, tg, td, procs):
        """Wait for traffic to flow end to end (vhost-user connected, ports up)."""
        deadline = time.time() + 60
        prev = None
        while True:
            time.sleep(0.3)
            for p in procs:
                if not p.alive():
                    raise RuntimeError("%s exited (see %s)" % (p.name, p.log))
            try:
                cur = self.sample(c, dut, tg, td)
            except NotReady:
                cur = None
            if prev is not None and cur is not None and \
                    self.offered_delivered(c, prev, cur)[1] > 0:
                break
            prev = cur
            if time.time() > deadline:
                raise RuntimeError("no traffic delivered within 60 s (see %s)" % procs[-1].log)

    def windows(self, c, dut, tg, td, copies):
        windows = []
        prev = self.sample(c, dut, tg, td)
        drops0 = td.query("/vseal/drops") if dut == "vseal" else None
        for _ in range(self.a.windows):
            time.sleep(self.a.window)
            cur = self.sample(c, dut, tg, td)
            dt = cur["t"] - prev["t"]
            offered, delivered = self.offered_delivered(c, prev, cur)
            carried = delivered / copies
            # A window whose boundary samples took long (the sampler itself was starved)
            # does not pair the generator's and the DUT's counters: it is kept in
            # windows.csv but left out of the figures.
            # (A window that lasted longer than asked, e.g. while testpmd answered "show fwd
            # stats", is fine: rates are over its real length.)
            stalled = prev["span"] > STALL_SPAN or cur["span"] > STALL_SPAN
            w = {"seconds": dt, "offered": offered, "delivered": delivered, "valid": not stalled,
                 "mpps": carried / dt / 1e6, "out_mpps": delivered / dt / 1e6,
                 "gbps": carried * c.size * 8 / dt / 1e9 if not c.tso else
                 carried * (c.frame_len + 4) * 8 / dt / 1e9,
                 "loss": max(0.0, 1 - delivered / (offered * copies)) if offered else 0.0,
                 "cpp": None, "busy_share": None}
            # CPU time the DUT's workers got: on a shared CPU, what a run could do per
            # CPU-second is steadier than what it did per wall-clock second.
            cpu_s = (cur["cpu_ns"] - prev["cpu_ns"]) / 1e9
            w["cpu_share"] = cpu_s / dt / c.workers
            w["gen_cpu_share"] = (cur["gen_cpu_ns"] - prev["gen_cpu_ns"]) / 1e9 / dt
            # Other processes took the CPUs: the window says more about them than about
            # the DUT (kept in windows.csv, left out like a stalled one).
            if w["cpu_share"] < STARVED or w["gen_cpu_share"] < STARVED:
                w["valid"] = False
            w["mpps_cpu"] = carried / cpu_s / 1e6 if cpu_s > 0 else None
            w["ns_frame"] = cpu_s * 1e9 / carried if carried > 0 else None
            # The DUT's own TSC accounting: cycles of the loops that received frames, per
            # frame received (vseal: /vseal/lcores; testpmd: --record-core-cycles). A loop
            # preempted by another process counts its wall-clock time, so on a shared CPU
            # this grows with the load; "cpp_cpu" takes that out: the worker's CPU time
            # (schedstat) times the busy share, in TSC cycles, per frame received.
            w["cpp_cpu"] = None
            w["cpp"] = None
            if "rxw" in cur and "rxw" in prev and cur["rxw"] > prev["rxw"]:
                rx = cur["rxw"] - prev["rxw"]
                busy = cur["busy"] - prev["busy"]
                w["cpp"] = busy / rx
                if dut in ("vseal", "ovs"):
                    # Per worker: its CPU time x its busy share, in its TSC cycles (a
                    # worker loops all the time: busy + idle is the TSC's advance; OVS's
                    # PMD threads count processing and idle cycles the same way).
                    tot = busy + cur["idle"] - prev["idle"]
                    on_cpu = 0.0
                    for lc, ns in cur["lcore_cpu_ns"].items():
                        b = cur["lcore_busy"].get(lc, 0) - prev["lcore_busy"].get(lc, 0)
                        i = cur["lcore_idle"].get(lc, 0) - prev["lcore_idle"].get(lc, 0)
                        if b + i > 0:
                            on_cpu += (ns - prev["lcore_cpu_ns"][lc]) / 1e9 * b / dt
                    w["cpp_cpu"] = on_cpu / rx if on_cpu > 0 else None
                else:
                    # testpmd gives one busy total for all its forwarding lcores: with two,
                    # the busy share is their average (an approximation).
                    hz = cur["tsc_hz"]
                    tot = (cur["tsc_t"] - prev["tsc_t"]) * hz * c.workers
                    if tot > 0 and cpu_s > 0:
                        w["cpp_cpu"] = cpu_s * min(1.0, busy / tot) * hz / rx
                w["busy_share"] = min(1.0, busy / tot) if tot > 0 else None
            if dut == "ovs":
                # Which of OVS's datapath caches served the lookups (each pass of a frame
                # through the datapath, recirculations included, is one lookup).
                o = {k: cur["ovs"].get(k, 0) - prev["ovs"].get(k, 0) for k in cur["ovs"]}
                passes = o.get("rx", 0) + o.get("recirc", 0)
                if passes > 0:
                    w["ovs_emc"] = (o.get("emc", 0) + o.get("simple", 0)) / passes
                    w["ovs_smc"] = o.get("smc", 0) / passes
                    w["ovs_megaflow"] = o.get("megaflow", 0) / passes
                    w["ovs_upcall"] = o.get("upcall", 0) / passes
                    w["ovs_passes"] = passes / o["rx"] if o.get("rx") else None
            windows.append(w)
            prev = cur
        if drops0 is not None:
            # vseal's drop counters over the measured windows only (not the start-up).
            drops1 = td.query("/vseal/drops")
            for port, reasons in drops1.items():
                if not isinstance(reasons, dict):
                    continue
                for reason, n in reasons.items():
                    k = "%s %s" % (port, reason)
                    dn = n - drops0.get(port, {}).get(reason, 0)
                    if dn > 0:
                        self.drops[k] = self.drops.get(k, 0) + dn
        return windows


def testpmd_cycles(dutp, timeout=1.0):
    """(busy cycles, received packets, TSC Hz) so far of an interactive testpmd run with
    --record-core-cycles, or None if it does not answer within timeout."""
    with open(dutp.log, "rb") as f:
        f.seek(0, os.SEEK_END)
        pos = f.tell()
    dutp.command("show fwd stats all")
    deadline = time.time() + timeout
    while time.time() < deadline:
        with open(dutp.log, "rb") as f:
            f.seek(pos)
            m = TESTPMD_CYCLES.search(f.read().decode(errors="replace"))
        if m:
            return int(m.group(1)), int(m.group(2)), int(m.group(3)) * 1e6
        time.sleep(0.01)
    return None


def worker_tasks(pid, workers):
    """/proc paths of the threads of lcores 1..workers of process pid."""
    want = {"rte-worker-%d" % i: i for i in range(1, workers + 1)}
    found = []
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                comm = f.read().strip()
            if comm in want:
                found.append((want[comm], "/proc/%d/task/%s/schedstat" % (pid, tid)))
        except OSError:
            pass
    if len(found) != workers:
        raise RuntimeError("found %d of %d worker threads in process %d" %
                           (len(found), workers, pid))
    return sorted(found)


def thread_cpu_ns(path):
    """Nanoseconds the thread has run on a CPU (first field of schedstat)."""
    with open(path) as f:
        return int(f.read().split()[0])


def wait_for(cond, timeout, what, proc):
    deadline = time.time() + timeout
    while not cond():
        if not proc.alive():
            raise RuntimeError("%s exited before %s (see %s)" % (proc.name, what, proc.log))
        if time.time() > deadline:
            raise RuntimeError("timeout waiting for %s (see %s)" % (what, proc.log))
        time.sleep(0.1)


def ctl_ok(ctl_bin, sock):
    if not os.path.exists(sock):
        return False
    try:
        r = subprocess.run([ctl_bin, "-s", sock, "show", "lcores"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=5)
    except subprocess.TimeoutExpired:
        return False        # connected, but vseal still runs its command file
    return r.returncode == 0


def check_table(ctl_bin, sock, want, log):
    r = subprocess.run([ctl_bin, "-s", sock, "show", "location", "vni", str(VNI)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120, text=True)
    m = re.search(r"\(table: (\d+) of (\d+) entries\)", r.stdout)
    have = int(m.group(1)) if m else -1
    # The table also holds the local guests' own locations.
    if have < want:
        cap = m.group(2) if m else "?"
        raise RuntimeError("location table holds %d of the %d entries asked for (capacity %s; "
                           "see %s)" % (have, want, cap, log))


# ---------------------------------------------------------------------------- summary

TABLE_GATE = 25.0   # %: the limit for a 1M-entry table against a 1k-entry one


def table_gate(rows):
    """The table-size target end to end: vseal's cycles per frame on CPU with the largest
    table against the 1k one, traffic to 1000 destinations in both. True if it failed."""
    by = {row["case"]: row for row in rows}
    small = by.get("encap-64-flows1k-table1k-dst1k")
    large = [by[n] for n in ("encap-64-flows1k-table1M-dst1k",
                             "encap-64-flows1k-table100k-dst1k") if n in by]
    if small is None or not large:
        return False
    large = large[0]
    a, b = small.get("vseal_cpp_cpu"), large.get("vseal_cpp_cpu")
    if not a or not b:
        print("gate FAILED: %s vs %s: no cycles per frame for both" % (large["case"],
                                                                       small["case"]))
        return True
    growth = 100.0 * (b / a - 1.0)
    ok = growth <= TABLE_GATE
    print("gate %s: vseal cycles per frame on CPU, %s %.0f against %s %.0f: %+.0f%% "
          "(limit +%.0f%%)" % ("ok" if ok else "FAILED", large["case"], b, small["case"], a,
                              growth, TABLE_GATE))
    return not ok


def med_min_max(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return (None, None, None)
    return (statistics.median(vals), min(vals), max(vals))


def opt(v, spec):
    return "" if v is None else format(v, spec)


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def dut_figures(row, dut):
    """A DUT's part of a case's progress line: Mpps (min..max), Gbps, loss, cycles per
    frame (TSC busy / on CPU), from row's fields of that DUT ("vseal", "ovs")."""
    loss = row.get(dut + "_loss")
    return "%s Mpps (%s..%s) %s Gbps loss %s%% %s/%s cyc/pkt" % (
        fmt(row.get(dut + "_mpps"), "6.3f"), fmt(row.get(dut + "_mpps_min"), ".3f"),
        fmt(row.get(dut + "_mpps_max"), ".3f"), fmt(row.get(dut + "_gbps"), "6.2f"),
        fmt(None if loss is None else 100 * loss, "5.2f"),
        fmt(row.get(dut + "_cycles_per_pkt"), ".0f"), fmt(row.get(dut + "_cpp_cpu"), ".0f"))


FIELDS = ["case", "path", "size", "workers", "flows", "table", "dsts", "vteps",
          "vseal_mpps", "vseal_mpps_min", "vseal_mpps_max", "vseal_gbps", "vseal_gbps_min",
          "vseal_gbps_max", "vseal_out_mpps", "vseal_loss", "vseal_loss_max",
          "vseal_cycles_per_pkt", "vseal_cpp_min", "vseal_cpp_max",
          "vseal_cpp_cpu", "vseal_cpp_cpu_min", "vseal_cpp_cpu_max",
          "vseal_busy_share", "vseal_cpu_share", "vseal_mpps_per_cpu", "vseal_ns_per_frame",
          "base_mpps", "base_mpps_min", "base_mpps_max", "base_gbps", "base_loss",
          "base_cycles_per_pkt", "base_cpp_cpu", "base_busy_share",
          "base_cpu_share", "base_mpps_per_cpu", "base_ns_per_frame",
          "ratio", "ratio_min", "ratio_max", "ratio_cpu", "ratio_cycles", "windows_used",
          "valid_windows", "unreliable", "others_busy", "vseal_drops", "error"]
# With --ovs, after these (the columns above keep their names and order).
OVS_FIELDS = ["ovs_mpps", "ovs_mpps_min", "ovs_mpps_max", "ovs_gbps", "ovs_loss",
              "ovs_cycles_per_pkt", "ovs_cpp_cpu", "ovs_cpp_cpu_min", "ovs_cpp_cpu_max",
              "ovs_busy_share", "ovs_cpu_share", "ovs_mpps_per_cpu", "ovs_ns_per_frame",
              "ovs_emc_share", "ovs_smc_share", "ovs_megaflow_share", "ovs_upcall_share",
              "ovs_passes", "ratio_ovs", "ratio_ovs_min", "ratio_ovs_max", "ratio_ovs_cycles",
              "ovs_vs_base", "ovs_valid_windows", "ovs_error"]


def valid(ws):
    """The windows the figures are made of: those not stalled, if at least two are."""
    if not ws:
        return ws
    v = [w for w in ws if w["valid"]]
    return v if len(v) >= 2 else ws


def summarise_ovs(row, ovs, ovs_err):
    """The OVS columns of a row (--ovs): OVS's figures and vseal / OVS."""
    row["ovs_error"] = ovs_err or ""
    if not ovs:
        return row
    nv = sum(1 for w in ovs if w["valid"])
    row["ovs_valid_windows"] = "%d/%d" % (nv, len(ovs))
    ovs = valid(ovs)
    row["ovs_mpps"], row["ovs_mpps_min"], row["ovs_mpps_max"] = \
        med_min_max([w["mpps"] for w in ovs])
    row["ovs_gbps"] = med_min_max([w["gbps"] for w in ovs])[0]
    row["ovs_loss"] = med_min_max([w["loss"] for w in ovs])[0]
    row["ovs_cycles_per_pkt"] = med_min_max([w["cpp"] for w in ovs])[0]
    row["ovs_cpp_cpu"], row["ovs_cpp_cpu_min"], row["ovs_cpp_cpu_max"] = \
        med_min_max([w["cpp_cpu"] for w in ovs])
    for k, f in (("ovs_busy_share", "busy_share"), ("ovs_cpu_share", "cpu_share"),
                 ("ovs_mpps_per_cpu", "mpps_cpu"), ("ovs_ns_per_frame", "ns_frame"),
                 ("ovs_emc_share", "ovs_emc"), ("ovs_smc_share", "ovs_smc"),
                 ("ovs_megaflow_share", "ovs_megaflow"), ("ovs_upcall_share", "ovs_upcall"),
                 ("ovs_passes", "ovs_passes")):
        row[k] = med_min_max([w.get(f) for w in ovs])[0]
    if row.get("vseal_mpps") is not None and row["ovs_mpps"]:
        row["ratio_ovs"] = row["vseal_mpps"] / row["ovs_mpps"]
        row["ratio_ovs_min"] = row["vseal_mpps_min"] / row["ovs_mpps"]
        row["ratio_ovs_max"] = row["vseal_mpps_max"] / row["ovs_mpps"]
    if row.get("vseal_cpp_cpu") and row.get("ovs_cpp_cpu"):
        row["ratio_ovs_cycles"] = row["ovs_cpp_cpu"] / row["vseal_cpp_cpu"]
    if row.get("base_mpps") and row["ovs_mpps"] is not None:
        row["ovs_vs_base"] = row["ovs_mpps"] / row["base_mpps"]
    return row


def summarise(c, vs, base, err, drops=None):
    row = {"case": c.name, "path": c.path, "size": "64K-TSO" if c.tso else c.size,
           "workers": c.workers, "flows": c.flows, "table": c.table, "dsts": c.dsts,
           "vteps": c.bum, "error": err or ""}
    nv = sum(1 for w in vs or [] if w["valid"])
    nb = sum(1 for w in base or [] if w["valid"])
    row["valid_windows"] = "%d/%d+%d/%d" % (nv, len(vs or []), nb, len(base or []))
    # Figures made of stalled or starved windows (fewer than two good ones) are flagged.
    row["unreliable"] = int(bool(vs) and nv < 2 or bool(base) and nb < 2)
    vs, base = valid(vs), valid(base)
    # vseal's drop counters over its runs of the case, largest first.
    row["vseal_drops"] = " ".join("%s=%d" % (k.replace(" ", ":"), n) for k, n in
                                  sorted((drops or {}).items(), key=lambda x: -x[1])[:3])
    if vs:
        row["vseal_mpps"], row["vseal_mpps_min"], row["vseal_mpps_max"] = \
            med_min_max([w["mpps"] for w in vs])
        row["vseal_gbps"], row["vseal_gbps_min"], row["vseal_gbps_max"] = \
            med_min_max([w["gbps"] for w in vs])
        row["vseal_out_mpps"] = med_min_max([w["out_mpps"] for w in vs])[0]
        l = med_min_max([w["loss"] for w in vs])
        row["vseal_loss"], row["vseal_loss_max"] = l[0], l[2]
        row["vseal_cycles_per_pkt"], row["vseal_cpp_min"], row["vseal_cpp_max"] = \
            med_min_max([w["cpp"] for w in vs])
        row["vseal_cpp_cpu"], row["vseal_cpp_cpu_min"], row["vseal_cpp_cpu_max"] = \
            med_min_max([w["cpp_cpu"] for w in vs])
        row["vseal_busy_share"] = med_min_max([w["busy_share"] for w in vs])[0]
        row["vseal_cpu_share"] = med_min_max([w["cpu_share"] for w in vs])[0]
        row["vseal_mpps_per_cpu"] = med_min_max([w["mpps_cpu"] for w in vs])[0]
        row["vseal_ns_per_frame"] = med_min_max([w["ns_frame"] for w in vs])[0]
    if base:
        row["base_mpps"], row["base_mpps_min"], row["base_mpps_max"] = \
            med_min_max([w["mpps"] for w in base])
        row["base_gbps"] = med_min_max([w["gbps"] for w in base])[0]
        row["base_loss"] = med_min_max([w["loss"] for w in base])[0]
        row["base_cycles_per_pkt"] = med_min_max([w["cpp"] for w in base])[0]
        row["base_cpp_cpu"] = med_min_max([w["cpp_cpu"] for w in base])[0]
        row["base_busy_share"] = med_min_max([w["busy_share"] for w in base])[0]
        row["base_cpu_share"] = med_min_max([w["cpu_share"] for w in base])[0]
        row["base_mpps_per_cpu"] = med_min_max([w["mpps_cpu"] for w in base])[0]
        row["base_ns_per_frame"] = med_min_max([w["ns_frame"] for w in base])[0]
    if vs and base and row["base_mpps"]:
        row["ratio"] = row["vseal_mpps"] / row["base_mpps"]
        # The spread of the ratio: worst and best vseal window against the baseline median.
        row["ratio_min"] = row["vseal_mpps_min"] / row["base_mpps"]
        row["ratio_max"] = row["vseal_mpps_max"] / row["base_mpps"]
        if row["vseal_mpps_per_cpu"] and row["base_mpps_per_cpu"]:
            row["ratio_cpu"] = row["vseal_mpps_per_cpu"] / row["base_mpps_per_cpu"]
        # Work per frame, independent of how much CPU each run got: testpmd's cycles per
        # frame over vseal's (both on CPU, busy loops only). Above 1: vseal needs fewer.
        if row.get("vseal_cpp_cpu") and row.get("base_cpp_cpu"):
            row["ratio_cycles"] = row["base_cpp_cpu"] / row["vseal_cpp_cpu"]
        row["windows_used"] = "%d+%d" % (len(vs), len(base))
    return row


def markdown(rows, path, header):
    with open(path, "w") as f:
        f.write(header)
        f.write("| case | vseal Mpps (min..max) | vseal Gbps | vseal loss | vseal cycles/pkt: "
                "TSC busy / on CPU | testpmd io Mpps (min..max) | testpmd cycles/pkt: TSC busy "
                "/ on CPU | ratio Mpps (min..max) | ratio cycles | vseal drops (largest) | others' "
                "CPU use before |\n")
        f.write("|---|---|---|---|---|---|---|---|---|---|---|\n")
        for r in rows:
            if r.get("error"):
                f.write("| %s | not run: %s | | | | | | | | | |\n" % (r["case"], r["error"]))
                continue
            f.write("| %s | %s (%s..%s) | %s | %s | %s / %s | %s (%s..%s) | %s / %s "
                    "| **%s** (%s..%s) | **%s** | %s | %s |\n" % (
                        r["case"] + (" (starved)" if r.get("unreliable") else ""),
                        fmt(r.get("vseal_mpps"), ".3f"),
                        fmt(r.get("vseal_mpps_min"), ".3f"), fmt(r.get("vseal_mpps_max"), ".3f"),
                        fmt(r.get("vseal_gbps"), ".2f"),
                        fmt(None if r.get("vseal_loss") is None else 100 * r["vseal_loss"],
                            ".2f") + "%",
                        fmt(r.get("vseal_cycles_per_pkt"), ".0f"),
                        fmt(r.get("vseal_cpp_cpu"), ".0f"),
                        fmt(r.get("base_mpps"), ".3f"), fmt(r.get("base_mpps_min"), ".3f"),
                        fmt(r.get("base_mpps_max"), ".3f"),
                        fmt(r.get("base_cycles_per_pkt"), ".0f"),
                        fmt(r.get("base_cpp_cpu"), ".0f"),
                        fmt(r.get("ratio"), ".2f"),
                        fmt(r.get("ratio_min"), ".2f"), fmt(r.get("ratio_max"), ".2f"),
                        fmt(r.get("ratio_cycles"), ".2f"),
                        r.get("vseal_drops") or "-",
                        "-" if r.get("others_busy") is None else
                        "%.0f%%" % (100 * r["others_busy"])))


def markdown_ovs(rows, path):
    """--ovs: a second table after the matrix, the cases OVS ran."""
    with open(path, "a") as f:
        f.write("\n### OVS-DPDK 3.1 as a third DUT (same ports, CPUs, rounds and windows)\n\n"
                "OVS: private ovs-vswitchd-dpdk, PMD thread on the worker's CPU, br-int with "
                "the vhost-user client ports and a vxlan port, br-phy with the uplink; "
                "OpenFlow rules on in_port and dl_dst (test/perf/ovs_dut.py). cycles/pkt: "
                "TSC busy = OVS's processing cycles / packets received "
                "(dpif-netdev/pmd-stats-show); on CPU = the same x the PMD thread's CPU "
                "share. ratio vseal/OVS: Mpps, and OVS's cycles on CPU / vseal's. busy: the share "
                "of the polling loop's cycles that received frames; below about 0.9 the DUT "
                "was not the limit (the generator was), and its Mpps says less than its "
                "cycles.\n\n")
        f.write("| case | vseal Mpps | OVS Mpps (min..max) | OVS loss | OVS cycles/pkt: TSC "
                "busy / on CPU | vseal cycles/pkt on CPU | testpmd io Mpps | ratio vseal/OVS "
                "Mpps (min..max) | ratio vseal/OVS cycles | OVS / testpmd io | busy: vseal / OVS "
                "| OVS lookups: EMC / megaflow, passes per frame |\n")
        f.write("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
        for r in rows:
            if r.get("error") or (r.get("ovs_mpps") is None and not r.get("ovs_error")):
                continue
            if r.get("ovs_mpps") is None:
                if not r["ovs_error"].startswith("OVS runs"):
                    f.write("| %s | %s | not run: %s | | | | | | | | | |\n" % (
                        r["case"], fmt(r.get("vseal_mpps"), ".3f"), r["ovs_error"]))
                continue
            f.write("| %s | %s | %s (%s..%s) | %s%% | %s / %s | %s | %s | **%s** (%s..%s) "
                    "| **%s** | %s | %s / %s | %s / %s, %s |\n" % (
                        r["case"] + (" (starved)" if r.get("unreliable") or
                                     int(r.get("ovs_valid_windows", "2/").split("/")[0]) < 2
                                     else ""),
                        fmt(r.get("vseal_mpps"), ".3f"), fmt(r.get("ovs_mpps"), ".3f"),
                        fmt(r.get("ovs_mpps_min"), ".3f"), fmt(r.get("ovs_mpps_max"), ".3f"),
                        fmt(None if r.get("ovs_loss") is None else 100 * r["ovs_loss"], ".2f"),
                        fmt(r.get("ovs_cycles_per_pkt"), ".0f"), fmt(r.get("ovs_cpp_cpu"), ".0f"),
                        fmt(r.get("vseal_cpp_cpu"), ".0f"), fmt(r.get("base_mpps"), ".3f"),
                        fmt(r.get("ratio_ovs"), ".2f"), fmt(r.get("ratio_ovs_min"), ".2f"),
                        fmt(r.get("ratio_ovs_max"), ".2f"), fmt(r.get("ratio_ovs_cycles"), ".2f"),
                        fmt(r.get("ovs_vs_base"), ".2f"),
                        fmt(r.get("vseal_busy_share"), ".2f"), fmt(r.get("ovs_busy_share"), ".2f"),
                        fmt(None if r.get("ovs_emc_share") is None else
                            100 * r["ovs_emc_share"], ".0f") + "%",
                        fmt(None if r.get("ovs_megaflow_share") is None else
                            100 * r["ovs_megaflow_share"], ".0f") + "%",
                        fmt(r.get("ovs_passes"), ".1f")))


def machine_info():
    lines = []
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"model name\s*:\s*(.*)", f.read())
            lines.append("cpu: %s, %d CPUs" % (m.group(1) if m else "?", os.cpu_count()))
    except OSError:
        pass
    with open("/proc/loadavg") as f:
        lines.append("loadavg: %s" % f.read().strip())
    lines.append("kernel: %s" % os.uname().release)
    return lines


def cpu_busy(seconds=1.0):
    """Share of all CPUs busy (not idle, not waiting for I/O) over the next seconds."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]
    t0, i0 = snap()
    time.sleep(seconds)
    t1, i1 = snap()
    return 1.0 - (i1 - i0) / (t1 - t0) if t1 > t0 else 0.0


def wait_quiet(max_wait, busy_max):
    """Between cases nothing of ours runs: wait up to max_wait seconds for the load of other
    processes to fall to busy_max (share of all CPUs). Returns the last share seen."""
    deadline = time.time() + max_wait
    busy = cpu_busy()
    said = False
    while busy > busy_max and time.time() < deadline:
        if not said:
            print("#   other processes use %.0f%% of the CPUs: waiting up to %.0f s for "
                  "them to calm down" % (100 * busy, max_wait), flush=True)
            said = True
        busy = cpu_busy(2.0)
    return busy


def callgrind_total(path):
    with open(path) as f:
        for ln in f:
            if ln.startswith(("summary:", "totals:")):
                return int(ln.split()[1])
    return 0


def callgrind_events(path):
    """{event: total} of a callgrind file (Ir, and with --cache-sim the miss counts)."""
    names, totals = [], []
    with open(path) as f:
        for ln in f:
            if ln.startswith("events:"):
                names = ln.split()[1:]
            elif ln.startswith(("summary:", "totals:")):
                totals = [int(x) for x in ln.split()[1:]]
    # callgrind leaves out trailing zero counts.
    return dict(zip(names, totals + [0] * (len(names) - len(totals))))


def annotate(path, per):
    """callgrind_annotate's inclusive function list, scaled to instructions per frame."""
    ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", path],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    # Only the function list: it ends where the annotated sources begin.
    ann = re.split(r"^-+\n-- (?:Auto|User)-annotated source", ann, flags=re.M)[0]
    out = []
    for ln in ann.splitlines():
        m = re.match(r"\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?(\S.*)$", ln)
        if m and per > 0:
            ir = int(m.group(1).replace(",", ""))
            if ir / per >= 1.0:
                out.append("%10.1f  %s" % (ir / per, m.group(2)[:120]))
    return out


def read_pcap(path, keep=2000):
    """(number of frames, the first keep frames) of a pcap file; a record cut short at the
    end (a writer stopped while writing) is not counted."""
    frames, n = [], 0
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            return 0, []
        end = "<" if struct.unpack("<I", hdr[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                break
            incl = struct.unpack(end + "IIII", rec)[2]
            if n < keep:
                data = f.read(incl)
                if len(data) < incl:
                    break
                frames.append(data)
            else:
                f.seek(incl, os.SEEK_CUR)
            n += 1
    return n, frames


def check_encap(frames, inner, src_mac):
    """Problems found in frames the uplink sent for guest frames inner (a list): each must
    be Ethernet/IPv4/UDP 4789/VXLAN with VNI 100 from our VTEP to VTEP 0, around one of
    them unchanged; from src_mac if it is not None (vseal sends from the uplink device's
    own MAC, which net_pcap makes up). Returns (problems, facts)."""
    bad, sports, srcs = [], set(), set()
    want_in = set(inner)
    for i, fr in enumerate(frames):
        why = None
        if len(fr) < 50 + 14:
            why = "%d bytes" % len(fr)
        elif fr[0:6] != mac_bytes(vtep_mac(0)) or \
                src_mac is not None and fr[6:12] != mac_bytes(src_mac):
            why = "Ethernet %s -> %s" % (fr[6:12].hex(":"), fr[0:6].hex(":"))
        elif fr[12:14] != b"\x08\x00" or fr[14] != 0x45 or fr[23] != 17:
            why = "not IPv4/UDP"
        elif fr[26:30] != ip_bytes(OUR_VTEP) or fr[30:34] != ip_bytes(vtep_ip(0)):
            why = "IPv4 %s -> %s" % (".".join(map(str, fr[26:30])), ".".join(map(str, fr[30:34])))
        elif ip_checksum(fr[14:34]) != 0:
            why = "bad IPv4 header checksum"
        elif struct.unpack("!H", fr[36:38])[0] != 4789:
            why = "UDP destination port %d" % struct.unpack("!H", fr[36:38])[0]
        elif struct.unpack("!H", fr[38:40])[0] != len(fr) - 34 or \
                struct.unpack("!H", fr[16:18])[0] != len(fr) - 14:
            why = "IPv4/UDP length"
        elif fr[42] != 0x08 or struct.unpack("!I", fr[46:50])[0] >> 8 != VNI:
            why = "VXLAN flags 0x%02x VNI %d" % (fr[42], struct.unpack("!I", fr[46:50])[0] >> 8)
        elif fr[50:] not in want_in:
            why = "inner frame differs from the guest's"
        if why:
            bad.append("frame %d: %s" % (i, why))
        else:
            sports.add(struct.unpack("!H", fr[34:36])[0])
            srcs.add(fr[6:12].hex(":"))
    facts = ["%d frames checked: outer %s -> %s, IPv4 %s -> %s, UDP -> 4789, VXLAN VNI %d, "
             "inner frame = the guest's; %d UDP source ports for %d inner flows" % (
                 len(frames), "/".join(sorted(srcs)) or "?", vtep_mac(0), OUR_VTEP,
                 vtep_ip(0), VNI, len(sports), len(want_in))]
    return bad, facts


def check_decap(frames, inner):
    bad = ["frame %d: not one of the inner frames (%d bytes)" % (i, len(fr))
           for i, fr in enumerate(frames) if fr not in set(inner)]
    return bad, ["%d frames checked: each is one of the %d inner frames the remote VTEP "
                 "sent, unchanged" % (len(frames), len(inner))]


def ovs_check(a, r):
    """--ovs-check: encap and decap through OVS (and vseal, for comparison) with pcap files
    at the receiving end: the uplink's tx_pcap for encap, the generator's guest port for
    decap. Writes DIR/ovs-check.txt; returns 0 if every frame is what it must be."""
    d = tempfile.mkdtemp(prefix="ovs-check.", dir=r.tmp)
    lines, status = [], 0
    r.check = True
    try:
        for path in ("encap", "decap"):
            c = Case(path, flows=4)
            for dut in ("vseal", "ovs"):
                pcap = os.path.join(d, "%s-%s.pcap" % (path, dut))
                if path == "encap":
                    r.uplink_override, r.sink_pcap = "net_pcap90,tx_pcap=%s" % pcap, {}
                    inner = r.guests(c)[0][1]
                else:
                    r.uplink_override, r.sink_pcap = None, {"vm1": pcap}
                    inner = [udp_frame(REMOTE_MAC, GUEST_MAC[0], i, c.frame_len)
                             for i in range(c.flows)]
                got = {}
                r.dut_errors = {}
                try:
                    r.run_case(c, [(0, dut)], lambda rnd, du, ws, use: got.__setitem__(du, ws))
                except RuntimeError as e:
                    r.dut_errors[dut] = str(e)
                if dut in r.dut_errors or dut not in got:
                    lines.append("%s %s: FAILED: %s" % (path, dut, r.dut_errors.get(dut)))
                    status = 1
                    continue
                w = got[dut][0]
                n, frames = read_pcap(pcap)
                if path == "encap":
                    bad, facts = check_encap(frames, inner, UPLINK_MAC if dut == "ovs" else None)
                else:
                    bad, facts = check_decap(frames, inner)
                ok = n > 0 and not bad
                status |= 0 if ok else 1
                lines.append("%s %s: %s: %d frames in %s; %.2f Mpps offered, %.2f delivered "
                             "in %.2f s while sampled" % (
                                 path, dut, "OK" if ok else "FAILED", n,
                                 os.path.basename(pcap), w["offered"] / w["seconds"] / 1e6,
                                 w["delivered"] / w["seconds"] / 1e6, w["seconds"]))
                lines += ["  " + x for x in facts + bad[:5]]
                if frames:
                    # The first frame, for the record (and for tshark -r on a kept copy).
                    lines.append("  first frame: " + frames[0][:64].hex())
                    first = os.path.join(a.out, "ovs-check-%s-%s.pcap" % (path, dut))
                    write_pcap(first, frames[:16])
                os.unlink(pcap)
    finally:
        r.check = False
        r.uplink_override, r.sink_pcap, r.dut_errors = None, {}, {}
        shutil.rmtree(d, ignore_errors=True)
    with open(os.path.join(a.out, "ovs-check.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join("# ovs-check: " + x for x in lines), flush=True)
    return status


def profile_main(a, r, cases):
    """Per case, vseal and testpmd io each under callgrind on the same ports: instructions
    per received frame of the busiest thread (the worker), by function."""
    status = 0
    summary = ["| case | vseal instructions/frame | testpmd io instructions/frame | "
               "ratio (testpmd / vseal) |", "|---|---|---|---|"]
    for c in cases:
        got = {}
        try:
            r.run_case(c, [(0, "vseal"), (0, "testpmd")],
                       lambda rnd, dut, ws, use: got.__setitem__(dut, ws[0]))
        except (RuntimeError, OSError, KeyError, ValueError, subprocess.SubprocessError) as e:
            print("profile %s: NOT RUN: %s" % (c.name, e), flush=True)
            status = 1
            continue
        per_frame = {}
        report = []
        for dut in ("vseal", "testpmd"):
            w = got[dut]
            base = os.path.join(a.out, "callgrind.out.%s-%s" % (c.name, dut))
            # The dump writes one file per thread: the worker is the one that ran most.
            files = [f for f in os.listdir(a.out)
                     if f.startswith(os.path.basename(base)) and ".1-" in f]
            if not files or w["rx"] <= 0:
                report.append("# %s: no dump or no frames" % dut)
                continue
            best = max(files, key=lambda f: callgrind_total(os.path.join(a.out, f)))
            total = callgrind_total(os.path.join(a.out, best))
            # Keep the worker's dump (for callgrind_annotate), not the other threads' files.
            for f in os.listdir(a.out):
                if f.startswith(os.path.basename(base)) and f != best:
                    os.unlink(os.path.join(a.out, f))
            per_frame[dut] = total / w["rx"]
            report.append("# %s under callgrind, case %s: %d frames received in %.1f s "
                          "(at valgrind's speed); busiest thread %s: %.1f instructions "
                          "per frame" % (
                              dut, c.name, w["rx"], w["seconds"], best, per_frame[dut]))
            ev = callgrind_events(os.path.join(a.out, best))
            if len(ev) > 1:
                report.append("# per frame: " + ", ".join(
                    "%s %.2f" % (k, v / w["rx"]) for k, v in ev.items()))
            report += annotate(os.path.join(a.out, best), w["rx"])[:45]
            report.append("")
        with open(os.path.join(a.out, "profile-%s.txt" % c.name), "w") as f:
            f.write("\n".join(report) + "\n")
        print("\n".join(report[:30]), flush=True)
        if len(per_frame) == 2:
            summary.append("| %s | %.0f | %.0f | %.2f |" % (
                c.name, per_frame["vseal"], per_frame["testpmd"],
                per_frame["testpmd"] / per_frame["vseal"]))
    with open(os.path.join(a.out, "profile.md"), "w") as f:
        f.write("\n".join(summary) + "\n")
    print("\n".join(summary), flush=True)
    if not a.keep:
        shutil.rmtree(r.tmp, ignore_errors=True)
    return status


def on_term(signum, frame):
    raise SystemExit(128 + signum)


def main():
    # Stop cleanly (every process we started, by PID) on SIGTERM, and on SIGINT even when
    # started in the background, where the shell leaves SIGINT ignored.
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vseal", required=True)
    ap.add_argument("--vseal-ctl", default=None)
    ap.add_argument("--testpmd", default=shutil.which("dpdk-testpmd") or "dpdk-testpmd")
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true", help="a handful of cases, 3 short windows")
    ap.add_argument("--cases", default=None, help="regular expression on case names")
    ap.add_argument("--list", action="store_true", help="print the case names and exit")
    ap.add_argument("--windows", type=int, default=None)
    ap.add_argument("--window", type=float, default=None, help="seconds per window")
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--rounds", type=int, default=None,
                    help="runs of each DUT per case, alternating which goes first")
    ap.add_argument("--cpus", default="0,1", help="two CPUs: A (DUT main, generator), "
                    "B (DUT worker 1, generator main)")
    ap.add_argument("--keep", action="store_true", help="keep each run's files and logs")
    ap.add_argument("--wait-idle", type=float, default=None, metavar="SECONDS",
                    help="before each case, wait up to SECONDS for other processes to use "
                    "at most --busy-max of the CPUs (default 60, --quick 15; 0: never wait)")
    ap.add_argument("--busy-max", type=float, default=0.3,
                    help="share of all CPUs others may use before a case starts (0.3)")
    ap.add_argument("--profile", type=float, default=0, metavar="SECONDS",
                    help="instead of the matrix: run vseal under valgrind --tool=callgrind "
                    "for SECONDS of traffic per case and write DIR/profile-CASE.txt")
    ap.add_argument("--cache-sim", action="store_true",
                    help="with --profile: also simulate the caches (D1/LL misses per frame)")
    ap.add_argument("--ovs", action="store_true",
                    help="also run OVS-DPDK as a third DUT in the cases it supports "
                    "(openvswitch-switch-dpdk; test/perf/ovs_dut.py)")
    ap.add_argument("--ovs-vswitchd", default=ovs_dut.VSWITCHD_DPDK,
                    help="the DPDK-enabled ovs-vswitchd (default %(default)s)")
    ap.add_argument("--ovs-check", action="store_true",
                    help="first check that OVS (and vseal) encapsulate and decapsulate as "
                    "they must: pcap files at the receiving end, DIR/ovs-check.txt")
    ap.add_argument("--duts", default=None, help="comma-separated DUTs to run (default: "
                    "vseal,testpmd, and ovs with --ovs); fewer for a quicker look")
    a = ap.parse_args()
    a.duts = (a.duts or "vseal,testpmd" + (",ovs" if a.ovs else "")).split(",")
    if "ovs" in a.duts:
        a.ovs = True
    if a.ovs_check:
        a.ovs = True
    a.windows = a.windows or (3 if a.quick else 5)
    a.window = a.window or (0.5 if a.quick else 0.5)
    a.rounds = a.rounds or (1 if a.quick else 2)
    if a.wait_idle is None:
        a.wait_idle = 15 if a.quick else 60
    a.vseal_ctl = a.vseal_ctl or os.path.join(os.path.dirname(a.vseal), "vseal-ctl")

    cases = matrix(a.quick)
    if a.cases:
        cases = [c for c in cases if re.search(a.cases, c.name)]
    if a.list:
        for c in cases:
            print(c.name)
        return 0
    if os.geteuid() != 0:
        print("run_matrix: run as root (hugepages, /var/run/dpdk)", file=sys.stderr)
        return 1
    if a.ovs:
        why = ovs_dut.missing(a.ovs_vswitchd)
        if why is not None:
            print("run_matrix: --ovs: %s" % why, file=sys.stderr)
            return 1
    os.makedirs(a.out, exist_ok=True)
    info = machine_info()
    with open(os.path.join(a.out, "machine.txt"), "w") as f:
        f.write("\n".join(info) + "\n")
        f.write("command: %s\n" % " ".join(sys.argv))
        f.write("windows: %d x %.1f s per run, %d run(s) of each DUT per case, warmup %.1f s\n"
                % (a.windows, a.window, a.rounds, a.warmup))
    print("# " + "; ".join(info))
    print("# %d cases, each: vseal and testpmd io%s on the same ports and CPUs, %d round(s), "
          "%d windows of %.1f s per run" % (len(cases), " (and OVS-DPDK where it can)"
                                            if a.ovs else "", a.rounds, a.windows, a.window))

    r = Runner(a)
    if a.profile:
        return profile_main(a, r, cases)
    check_status = 0
    if a.ovs_check:
        check_status = ovs_check(a, r)
    rows = []
    wf = open(os.path.join(a.out, "windows.csv"), "w", newline="")
    ww = csv.writer(wf)
    ww.writerow(["case", "dut", "round", "window", "seconds", "valid", "offered", "delivered",
                 "mpps", "out_mpps", "gbps", "loss", "cycles_per_pkt", "cycles_per_pkt_cpu",
                 "busy_share", "cpu_share", "gen_cpu_share", "mpps_per_cpu",
                 "ns_per_frame"])
    t_start = time.time()
    try:
        for i, c in enumerate(cases):
            res, err = {"vseal": [], "testpmd": [], "ovs": []}, None
            r.dut_errors = {}
            ovs_skip = r.ovs_unsupported(c) if a.ovs else None
            case_duts = [d for d in ("vseal", "testpmd") if d in a.duts]
            if "ovs" in a.duts and ovs_skip is None:
                case_duts.append("ovs")
            # Rounds alternate which DUT goes first (ABBA..., with OVS ABC CBA...), so a
            # load that drifts during the case weighs on all alike.
            order = []
            for rnd in range(a.rounds):
                duts = case_duts if (i + rnd) % 2 == 0 else case_duts[::-1]
                order += [(rnd, dut) for dut in duts]

            def done(rnd, dut, ws, use):
                if use:
                    res[dut].extend(ws)
                for j, w in enumerate(ws):
                    ww.writerow([c.name, dut, rnd, j, "%.3f" % w["seconds"],
                                 int(w["valid"] and use), w["offered"], w["delivered"],
                                 "%.4f" % w["mpps"], "%.4f" % w["out_mpps"], "%.4f" % w["gbps"],
                                 "%.5f" % w["loss"], opt(w["cpp"], ".1f"),
                                 opt(w["cpp_cpu"], ".1f"),
                                 opt(w["busy_share"], ".3f"), opt(w["cpu_share"], ".3f"),
                                 opt(w["gen_cpu_share"], ".3f"),
                                 opt(w["mpps_cpu"], ".4f"), opt(w["ns_frame"], ".1f")])
                wf.flush()

            r.drops = {}
            others = None
            try:
                others = wait_quiet(a.wait_idle, a.busy_max) if a.wait_idle > 0 else \
                    cpu_busy()
                r.run_case(c, order, done)
            except RuntimeError as e:
                err = str(e)
            row = summarise(c, res.get("vseal"), res.get("testpmd"), err, r.drops)
            row["others_busy"] = others
            if a.ovs:
                summarise_ovs(row, res.get("ovs"), ovs_skip or r.dut_errors.get("ovs"))
            rows.append(row)
            if err:
                print("[%d/%d] %-34s NOT RUN: %s" % (i + 1, len(cases), c.name, err),
                      flush=True)
            else:
                if row.get("unreliable"):
                    print("#   %s: fewer than 2 good windows (CPUs taken by other load); "
                          "flagged (starved) in results.md" % c.name, flush=True)
                print("[%d/%d] %-30s vseal %s | testpmd io %s Mpps %s/%s cyc/pkt "
                      "| ratio %s, cycles %s" % (
                          i + 1, len(cases), c.name, dut_figures(row, "vseal"),
                          fmt(row.get("base_mpps"), "6.3f"),
                          fmt(row.get("base_cycles_per_pkt"), ".0f"),
                          fmt(row.get("base_cpp_cpu"), ".0f"),
                          fmt(row.get("ratio"), ".2f"), fmt(row.get("ratio_cycles"), ".2f")),
                      flush=True)
                if row.get("ovs_mpps") is not None:
                    print("      %-30s OVS %s | vseal/OVS %s, cycles %s" % (
                              "", dut_figures(row, "ovs"), fmt(row.get("ratio_ovs"), ".2f"),
                              fmt(row.get("ratio_ovs_cycles"), ".2f")), flush=True)
                elif a.ovs and not ovs_skip:
                    print("      %-30s OVS: not run: %s" % ("", row.get("ovs_error")),
                          flush=True)
    finally:
        wf.close()
        with open(os.path.join(a.out, "results.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=FIELDS + (OVS_FIELDS if a.ovs else []))
            w.writeheader()
            for row in rows:
                w.writerow({k: ("%.4f" % v if isinstance(v, float) else v)
                            for k, v in row.items()})
        with open("/proc/loadavg") as f:
            load_end = f.read().strip()
        header = ("Benchmark matrix, %s. %s; loadavg at end: %s. Per case %d run(s) of each "
                  "DUT, %d windows of %.1f s per run; figures are medians (min..max) over the "
                  "windows. ratio = vseal Mpps / testpmd io Mpps of the same case.\n\n" % (
                      time.strftime("%Y-%m-%d %H:%M"), "; ".join(info), load_end, a.rounds,
                      a.windows, a.window))
        markdown(rows, os.path.join(a.out, "results.md"), header)
        if a.ovs:
            markdown_ovs(rows, os.path.join(a.out, "results.md"))
        with open(os.path.join(a.out, "machine.txt"), "a") as f:
            f.write("loadavg at end: %s\nduration: %.0f s\n" % (load_end,
                                                                time.time() - t_start))
        if not a.keep:
            shutil.rmtree(r.tmp, ignore_errors=True)
    print("# done in %.0f s: %s" % (time.time() - t_start, os.path.join(a.out, "results.md")))
    failed = any(row.get("error") for row in rows)
    failed = table_gate(rows) or failed
    # With --ovs, an OVS run that failed in a case OVS supports fails the run too.
    failed = failed or any(row.get("ovs_error") and not row["ovs_error"].startswith("OVS runs")
                           for row in rows)
    return 1 if failed or check_status else 0


if __name__ == "__main__":
    sys.exit(main())
