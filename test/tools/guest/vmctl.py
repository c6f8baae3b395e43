#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Drive a QEMU test guest over unix sockets: its command serial port and the HMP monitor.

  vmctl.py [-t SECONDS] cmd SOCKET COMMAND...   run a shell command in the guest (the /init
                                                of mkguest.sh serves ttyS1 on SOCKET); print
                                                its output, exit with its status
  vmctl.py [-t SECONDS] hmp SOCKET COMMAND...   run one HMP monitor command, print its output

Exit status 124 when the guest or QEMU did not answer in time (default 30 s), 125 when the
socket cannot be reached.
"""

import argparse
import os
import re
import socket
import sys
import time

ESC = re.compile(r'\x1b\[[0-9;]*[A-Za-z]|\x1b[()][A-Z0-9]')
PROMPT = '(qemu) '


def connect(path, timeout):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
    except OSError as e:
        sys.stderr.write('vmctl: cannot connect to %s: %s\n' % (path, e))
        sys.exit(125)
    return s


def read_until(s, buf, pred, deadline):
    """Read from s, appending to buf (bytes), until pred(text) is not None; return
    (match, text). None as match on timeout or EOF."""
    while True:
        text = buf.decode('utf-8', 'replace')
        m = pred(text)
        if m is not None:
            return m, text
        left = deadline - time.monotonic()
        if left <= 0:
            return None, text
        s.settimeout(left)
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            return None, text
        if not chunk:
            return None, text
        buf.extend(chunk)


def guest_cmd(path, timeout, command):
    deadline = time.monotonic() + timeout
    s = connect(path, timeout)
    tok = '%d.%d' % (os.getpid(), int(time.time() * 1000) % 1000000)
    if '\n' in command:
        sys.stderr.write('vmctl: a guest command is one line\n')
        sys.exit(2)
    # The guest's shell reads one line at a time: framing and command on one line.
    sep = ' ' if command.rstrip().endswith('&') else '; '
    line = 'echo "@@B %s"; { %s%s} 2>&1; echo "@@E %s $?"\n' % (tok, command, sep, tok)
    s.sendall(line.encode())
    end = re.compile(r'@@E %s (\d+)\n' % re.escape(tok))
    buf = bytearray()
    m, text = read_until(s, buf, end.search, deadline)
    s.close()
    begin = text.find('@@B %s\n' % tok)
    out = text[begin + len('@@B %s\n' % tok):] if begin >= 0 else text
    if m is None:
        sys.stdout.write(out)
        sys.stderr.write('vmctl: no answer from the guest within %g s\n' % timeout)
        return 124
    sys.stdout.write(out[:out.rfind('@@E %s ' % tok)])
    return int(m.group(1))


def hmp(path, timeout, command):
    deadline = time.monotonic() + timeout
    s = connect(path, timeout)
    buf = bytearray()
    m, text = read_until(s, buf, lambda t: True if t.endswith(PROMPT) else None, deadline)
    if m is None:
        sys.stderr.write('vmctl: no HMP prompt within %g s\n' % timeout)
        return 124
    start = len(buf)
    s.sendall((command + '\n').encode())

    def done(t):
        return True if len(t) > len(text) and t.endswith(PROMPT) else None
    m, _ = read_until(s, buf, done, deadline)
    s.close()
    out = ESC.sub('', buf[start:].decode('utf-8', 'replace')).replace('\r', '')
    lines = out.split('\n')
    # First line: the monitor's echo of the command; last: the next prompt.
    if lines and lines[0].strip().endswith(command.strip()):
        lines = lines[1:]
    if lines and lines[-1].startswith(PROMPT.strip()):
        lines = lines[:-1]
    sys.stdout.write('\n'.join(lines) + ('\n' if lines else ''))
    if m is None and command.split()[0] not in ('quit', 'q'):
        sys.stderr.write('vmctl: HMP command not finished within %g s\n' % timeout)
        return 124
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('what', choices=('cmd', 'hmp'))
    ap.add_argument('socket')
    ap.add_argument('-t', '--timeout', type=float, default=30.0)
    ap.add_argument('command', nargs=argparse.REMAINDER)
    a = ap.parse_args()
    command = ' '.join(a.command)
    if not command:
        ap.error('no command')
    if a.what == 'cmd':
        sys.exit(guest_cmd(a.socket, a.timeout, command))
    sys.exit(hmp(a.socket, a.timeout, command))


if __name__ == '__main__':
    main()
