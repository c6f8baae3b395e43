# SPDX-License-Identifier: BSD-3-Clause
"""OVS-DPDK as a device under test of the benchmark matrix (run_matrix.py --ovs).

A private Open vSwitch for one run: its own database (ovsdb-tool create), ovsdb-server and
ovs-vswitchd-dpdk, all files in one temporary folder (OVS_RUNDIR, OVS_DBDIR, OVS_LOGDIR),
both processes started here and stopped by their PIDs. ovs-vswitchd runs in a network
namespace of its own (unshare --net): the tap devices OVS makes for its bridges, the
address of the tunnel endpoint and its route exist only there and vanish with the process.

Topology (docs/perf/ovs.md), the same ports as vseal's:

    br-int (netdev)   vm1, vm2: dpdkvhostuserclient on the guests' sockets
                      vx: vxlan, remote_ip = the remote VTEP, key = the VNI
    br-phy (netdev)   up: dpdk, dpdk-devargs = the uplink vseal gets (net_null / net_pcap)
                      br-phy (its own tap): the local VTEP address, MAC = the uplink's

OpenFlow rules, not NORMAL: a match on the guest port and destination MAC, as vseal's
location lookup does (encap: -> vx; decap: vx with tun_id = VNI -> vm1; local: -> vm2);
on br-phy the VXLAN frames go between the uplink and br-phy's own port, where OVS's native
tunnelling pushes (tnl_push) and terminates (tnl_pop) the tunnel. EMC and SMC keep their
defaults (EMC on, insertion probability 1/100; SMC off), as an OVS-DPDK user gets them.
"""

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import time

VSWITCHD_DPDK = "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"
SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
TOOLS = ("ovsdb-tool", "ovsdb-server", "ovs-vsctl", "ovs-ofctl", "ovs-appctl")


def missing(vswitchd=VSWITCHD_DPDK):
    """What is missing to run OVS-DPDK here, or None (openvswitch-switch-dpdk)."""
    if not os.access(vswitchd, os.X_OK):
        return "no %s (apt-get install openvswitch-switch-dpdk)" % vswitchd
    for t in TOOLS + ("unshare", "nsenter", "taskset", "ip"):
        if shutil.which(t) is None:
            return "no %s" % t
    if not os.path.exists(SCHEMA):
        return "no %s" % SCHEMA
    return None


class Unixctl:
    """A client of ovs-vswitchd's unixctl socket (JSON-RPC, what ovs-appctl speaks):
    one connection for all the samples of a run, no process started per sample."""

    def __init__(self, path, timeout=5.0):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.id = 0
        self.buf = ""
        self.dec = json.JSONDecoder()

    def call(self, method, *params):
        self.id += 1
        self.s.sendall(json.dumps({"id": self.id, "method": method,
                                   "params": list(params)}).encode())
        while True:
            text = self.buf.lstrip()
            if text:
                try:
                    msg, end = self.dec.raw_decode(text)
                except ValueError:
                    msg = None
                if msg is not None:
                    self.buf = text[end:]
                    if msg.get("id") != self.id:
                        continue
                    if msg.get("error") is not None:
                        raise RuntimeError("%s: %s" % (method, msg["error"]))
                    return msg.get("result") or ""
            data = self.s.recv(1 << 16)
            if not data:
                raise RuntimeError("%s: unixctl socket closed" % method)
            self.buf += data.decode(errors="replace")

    def close(self):
        self.s.close()


PMD_FIELDS = {
    "packets received": "rx", "packet recirculations": "recirc",
    "simple match hits": "simple", "emc hits": "emc", "smc hits": "smc",
    "megaflow hits": "megaflow", "miss with success upcall": "upcall",
    "miss with failed upcall": "upcall_fail", "idle cycles": "idle",
    "processing cycles": "busy",
}


def parse_pmd_stats(text):
    """dpif-netdev/pmd-stats-show: {core_id: {rx, recirc, emc, ..., idle, busy}} of the
    PMD threads (the main thread's entry is left out)."""
    out = {}
    cur = None
    for ln in text.splitlines():
        m = re.match(r"pmd thread numa_id \S+ core_id (\d+):", ln)
        if m:
            cur = out.setdefault(int(m.group(1)), {})
            continue
        if ln and not ln[0].isspace():
            cur = None          # "main thread:" and anything else
            continue
        m = re.match(r"\s+([a-z. ]+):\s+(\d+)", ln)
        if cur is not None and m and m.group(1) in PMD_FIELDS:
            cur[PMD_FIELDS[m.group(1)]] = int(m.group(2))
    return out


class OvsDut:
    """One private OVS-DPDK: start(), figures while it runs, stop() by PID.

    topo: dict with
      guests      [(port name, vhost-user socket path, MTU)]  (the generator is the server)
      uplink      DPDK devargs of the uplink (as vseal's [uplink] device)
      uplink_mtu  MTU of the uplink
      uplink_mac  MAC of br-phy (the local VTEP's)
      vtep        "IP/prefixlen" of the local VTEP
      remote      (IP, MAC) of the remote VTEP
      vni         the VNI (the vxlan port's key)
      flows       OpenFlow rules of br-int, port names allowed (vm1, vm2, vx)
    """

    name = "ovs"
    VX_OFPORT = 10
    UP_OFPORT = 1

    def __init__(self, workdir, prefix, cpu_a, cpu_b, log, vswitchd=VSWITCHD_DPDK,
                 socket_mem=512, socket_limit=1536):
        self.dir, self.prefix, self.log = workdir, prefix, log
        self.cpu_a, self.cpu_b = cpu_a, cpu_b
        self.vswitchd = vswitchd
        self.socket_mem, self.socket_limit = socket_mem, socket_limit
        self.db = self.ovsdb = self.p = None
        self.ctl = None
        os.makedirs(workdir, exist_ok=True)
        self.env = dict(os.environ, OVS_RUNDIR=workdir, OVS_DBDIR=workdir,
                        OVS_LOGDIR=workdir, OVS_SYSCONFDIR=workdir)
        self.cmdlog = open(log, "w")

    # ------------------------------------------------------------------ commands

    def run(self, argv, timeout=60, check=True):
        """Run one OVS tool, logged with its output; returns its stdout."""
        self.cmdlog.write("$ " + shlex.join(argv) + "\n")
        self.cmdlog.flush()
        r = subprocess.run(argv, env=self.env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=timeout)
        if r.stdout:
            self.cmdlog.write(r.stdout if r.stdout.endswith("\n") else r.stdout + "\n")
            self.cmdlog.flush()
        if check and r.returncode != 0:
            raise RuntimeError("ovs: '%s' failed: %s (see %s)" % (
                " ".join(argv[:4]), r.stdout.strip()[-300:], self.log))
        return r.stdout

    def vsctl(self, *args, wait=True, timeout=120):
        argv = ["ovs-vsctl", "--db=unix:" + self.db_sock, "--timeout=%d" % timeout]
        if not wait:
            argv.append("--no-wait")
        return self.run(argv + list(args), timeout=timeout + 10)

    def appctl(self, *args):
        return self.run(["ovs-appctl", "-t", self.vswitchd_ctl] + list(args))

    def ofctl(self, *args):
        return self.run(["ovs-ofctl"] + list(args))

    def netns(self, *args):
        """A command in ovs-vswitchd's network namespace."""
        return self.run(["nsenter", "--net=/proc/%d/ns/net" % self.p.pid] + list(args))

    def _popen(self, argv, logname):
        f = open(os.path.join(self.dir, logname), "w")
        self.cmdlog.write("$ " + shlex.join(argv) + " &\n")
        self.cmdlog.flush()
        p = subprocess.Popen(argv, env=self.env, stdout=f, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL)
        p.out = f
        return p

    def _wait(self, cond, timeout, what, proc, name):
        deadline = time.time() + timeout
        while not cond():
            if proc.poll() is not None:
                raise RuntimeError("ovs: %s exited (status %s) before %s (see %s)" % (
                    name, proc.returncode, what, self.log))
            if time.time() > deadline:
                raise RuntimeError("ovs: timeout waiting for %s (see %s)" % (what, self.log))
            time.sleep(0.05)

    # ------------------------------------------------------------------ start

    def start(self, topo):
        d = self.dir
        self.db_sock = os.path.join(d, "db.sock")
        self.vswitchd_ctl = os.path.join(d, "ovs-vswitchd.ctl")
        self.topo = topo
        self.run(["ovsdb-tool", "create", os.path.join(d, "conf.db"), SCHEMA])
        # Both daemons in the foreground (no --detach): the PID is the one we started.
        # Everything but the PMD thread on CPU A, as vseal's control lcore.
        self.ovsdb = self._popen(
            ["taskset", "-c", str(self.cpu_a), "ovsdb-server", os.path.join(d, "conf.db"),
             "--remote=punix:" + self.db_sock,
             "--pidfile=" + os.path.join(d, "ovsdb-server.pid"),
             "--unixctl=" + os.path.join(d, "ovsdb-server.ctl"),
             "--log-file=" + os.path.join(d, "ovsdb-server.log")], "ovsdb-server.out")
        self._wait(lambda: os.path.exists(self.db_sock), 30, "its socket", self.ovsdb,
                   "ovsdb-server")
        self.vsctl("init", wait=False)
        self.vsctl("set", "Open_vSwitch", ".",
                   "other_config:dpdk-init=true",
                   "other_config:dpdk-lcore-mask=0x%x" % (1 << self.cpu_a),
                   "other_config:pmd-cpu-mask=0x%x" % (1 << self.cpu_b),
                   "other_config:dpdk-socket-mem=%d" % self.socket_mem,
                   "other_config:dpdk-socket-limit=%d" % self.socket_limit,
                   "other_config:dpdk-extra=--file-prefix=%s --no-pci --in-memory "
                   "--log-level=pmd.net.pcap:error" % self.prefix,
                   # One handler and one revalidator thread (on CPU A), as on a 2-CPU host.
                   "other_config:n-handler-threads=1",
                   "other_config:n-revalidator-threads=1", wait=False)
        # A network namespace of its own: taps, the VTEP address and its route stay there.
        # IPv6 off in it, so the taps send nothing of their own (no router solicitations).
        inner = ("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
                 "net.ipv6.conf.default.disable_ipv6=1; ip link set lo up; exec %s %s "
                 "--pidfile=%s --unixctl=%s --log-file=%s" % (
                     self.vswitchd, "unix:" + self.db_sock,
                     os.path.join(d, "ovs-vswitchd.pid"), self.vswitchd_ctl,
                     os.path.join(d, "ovs-vswitchd.log")))
        self.p = self._popen(["taskset", "-c", str(self.cpu_a), "unshare", "--net", "--",
                              "sh", "-c", inner], "ovs-vswitchd.out")
        self._wait(lambda: os.path.exists(self.vswitchd_ctl), 60, "its control socket",
                   self.p, "ovs-vswitchd")
        t = topo
        # Bridges and the tunnel first, the rules next, the ports that carry traffic last:
        # a frame that arrived before its rules would make a datapath flow that drops, and
        # that stays until the revalidator replaces it. So the rules name ports by their
        # OpenFlow numbers (ofport_request), before the ports exist.
        up = self.UP_OFPORT
        ofport = {"vx": self.VX_OFPORT}
        ofport.update({name: i + 1 for i, (name, _, _) in enumerate(t["guests"])})
        # ovs-vsctl waits until ovs-vswitchd has applied each change.
        self.vsctl("add-br", "br-phy", "--", "set", "Bridge", "br-phy",
                   "datapath_type=netdev", "other_config:hwaddr=" + t["uplink_mac"],
                   "fail_mode=secure")
        self.vsctl("add-br", "br-int", "--", "set", "Bridge", "br-int",
                   "datapath_type=netdev", "fail_mode=secure",
                   "--", "add-port", "br-int", "vx", "--", "set", "Interface", "vx",
                   "type=vxlan", "options:remote_ip=" + t["remote"][0],
                   "options:key=%d" % t["vni"], "ofport_request=%d" % self.VX_OFPORT)
        # The local VTEP: br-phy's tap carries the address; OVS takes the route from the
        # namespace's routing table, and a static neighbour, so it never needs ARP.
        self.netns("ip", "addr", "add", t["vtep"], "dev", "br-phy")
        self.netns("ip", "link", "set", "br-phy", "up")
        self.appctl("tnl/arp/set", "br-phy", t["remote"][0], t["remote"][1])
        deadline = time.time() + 20
        while "dev br-phy" not in self.appctl("ovs/route/lookup", t["remote"][0]):
            if time.time() > deadline:
                raise RuntimeError("ovs: no route to %s via br-phy (see %s)" % (
                    t["remote"][0], self.log))
            time.sleep(0.2)
        vtep_ip = t["vtep"].split("/")[0]
        self.ofctl("del-flows", "br-phy")
        # Encapsulated frames (after tnl_push, from br-phy's own port) to the uplink;
        # VXLAN to our address from the uplink to br-phy's own port: tnl_pop.
        self.ofctl("add-flow", "br-phy",
                   "in_port=LOCAL,udp,nw_src=%s,tp_dst=4789,actions=output:%d" % (vtep_ip, up))
        self.ofctl("add-flow", "br-phy",
                   "in_port=%d,dl_dst=%s,udp,nw_dst=%s,tp_dst=4789,actions=LOCAL" % (
                       up, t["uplink_mac"], vtep_ip))
        self.ofctl("del-flows", "br-int")
        for fl in t["flows"]:
            fl = re.sub(r"(in_port=|output:)([a-z][a-z0-9]*)",
                        lambda m: m.group(1) + str(ofport.get(m.group(2), m.group(2))), fl)
            self.ofctl("add-flow", "br-int", fl)
        # Now the ports: the uplink (DPDK's first device: the mempool is made here) and
        # the guests, whose vhost-user client connects to the generator's socket.
        args = ["add-port", "br-phy", "up", "--", "set", "Interface", "up", "type=dpdk",
                "options:dpdk-devargs=" + t["uplink"], "mtu_request=%d" % t["uplink_mtu"],
                "ofport_request=%d" % up]
        for name, sock, mtu in t["guests"]:
            args += ["--", "add-port", "br-int", name, "--", "set", "Interface", name,
                     "type=dpdkvhostuserclient", "options:vhost-server-path=" + sock,
                     "mtu_request=%d" % mtu, "ofport_request=%d" % ofport[name]]
        self.vsctl(*args)
        ofport["up"] = up
        for port in ["up"] + [n for n, _, _ in t["guests"]]:
            err = self.vsctl("get", "Interface", port, "error").strip()
            if err not in ("[]", ""):
                raise RuntimeError("ovs: interface %s: %s (see %s)" % (port, err, self.log))
            got = self.vsctl("get", "Interface", port, "ofport").strip()
            if got != str(ofport[port]):
                raise RuntimeError("ovs: interface %s has OpenFlow port %s, not %d (see %s)"
                                   % (port, got, ofport[port], self.log))
        self.ofctl("dump-flows", "br-phy")
        self.ofctl("dump-flows", "br-int")
        self.appctl("dpif/show")
        self.appctl("tnl/ports/show")
        self.appctl("ovs/route/show")
        self.appctl("tnl/neigh/show")
        self.ctl = Unixctl(self.vswitchd_ctl)
        return self

    # ------------------------------------------------------------------ while it runs

    def alive(self):
        return (self.p is not None and self.p.poll() is None and self.ovsdb is not None and
                self.ovsdb.poll() is None)

    def pmd_tasks(self):
        """[(core id, /proc/.../schedstat)] of the PMD threads (comm "pmd-c01/id:N")."""
        found = []
        for tid in os.listdir("/proc/%d/task" % self.p.pid):
            try:
                with open("/proc/%d/task/%s/comm" % (self.p.pid, tid)) as f:
                    comm = f.read().strip()
            except OSError:
                continue
            m = re.match(r"pmd-c(\d+)/", comm)
            if m:
                found.append((int(m.group(1)),
                              "/proc/%d/task/%s/schedstat" % (self.p.pid, tid)))
        if not found:
            raise RuntimeError("ovs: no PMD thread in process %d" % self.p.pid)
        return sorted(found)

    def pmd_stats(self):
        return parse_pmd_stats(self.ctl.call("dpif-netdev/pmd-stats-show"))

    def snapshot(self, what):
        """Datapath flows, PMD statistics and interface counters into the log (at the end
        of a run: what the figures were made of)."""
        try:
            self.cmdlog.write("# %s\n" % what)
            for m in (["dpctl/dump-flows"], ["dpif-netdev/pmd-stats-show"],
                      ["dpif-netdev/pmd-rxq-show"], ["dpctl/show", "-s"]):
                self.cmdlog.write("$ ovs-appctl %s\n%s\n" % (" ".join(m), self.ctl.call(*m)))
        except (OSError, RuntimeError, subprocess.SubprocessError) as e:
            self.cmdlog.write("# snapshot failed: %s\n" % e)
        self.cmdlog.flush()

    # ------------------------------------------------------------------ stop

    def stop(self, timeout=10.0):
        if self.ctl is not None:
            # "exit --cleanup": ovs-vswitchd removes its ports (DPDK closes the devices, a
            # net_pcap writer flushes its file), then exits; SIGTERM below if it does not.
            try:
                self.ctl.call("exit", "--cleanup")
                self.p.wait(timeout)
            except (OSError, RuntimeError, subprocess.TimeoutExpired):
                pass
            self.ctl.close()
            self.ctl = None
        status = None
        for p in (self.p, self.ovsdb):
            if p is None:
                continue
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
            p.out.close()
            if p is self.p:
                status = p.returncode
        self.cmdlog.write("# stopped: ovs-vswitchd %s, ovsdb-server %s\n" % (
            None if self.p is None else self.p.returncode,
            None if self.ovsdb is None else self.ovsdb.returncode))
        # ovs-vswitchd's EAL arguments, warnings and errors (its log file goes with the
        # run's folder), or the end of what it printed if it never got to its log file.
        log = os.path.join(self.dir, "ovs-vswitchd.log")
        try:
            if os.path.exists(log):
                with open(log, errors="replace") as f:
                    lines = [ln for ln in f if re.search(r"\|(WARN|ERR|EMER)\||EAL ARGS", ln)]
            else:
                with open(os.path.join(self.dir, "ovs-vswitchd.out"), errors="replace") as f:
                    lines = f.readlines()
        except OSError:
            lines = []
        if lines:
            self.cmdlog.write("# ovs-vswitchd: EAL arguments, warnings and errors:\n")
            self.cmdlog.writelines(lines[-40:])
        self.cmdlog.close()
        # Our prefix only: DPDK's runtime folder and any hugepage file left behind.
        shutil.rmtree("/var/run/dpdk/%s" % self.prefix, ignore_errors=True)
        if os.path.isdir("/dev/hugepages"):
            for f in os.listdir("/dev/hugepages"):
                if f.startswith(self.prefix + "map"):
                    try:
                        os.unlink(os.path.join("/dev/hugepages", f))
                    except OSError:
                        pass
        return status
