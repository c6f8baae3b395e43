#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The interactive CLI, driven through tmux as a user would type it:
# - vseal -i on a terminal: the vseal> prompt, help, tab completion of a command, of a port
#   name and of a guest's name, a command's output;
# - vseal-ctl without a command on another terminal: the same prompt and completion over the
#   control socket; its quit, and another's exit, close only that session (vseal runs on);
# - quit at vseal's own prompt stops vseal cleanly (status 0, control socket removed).
. "$(dirname "$0")/cli_lab.sh"

command -v tmux >/dev/null || { echo "SKIP: tmux missing"; exit 77; }
TS=${OV_ID}t
trap 'tmux kill-session -t "$TS" 2>/dev/null; ov_cleanup' EXIT

ov_hugepages
ov_underlay
ov_wire "${OV_ID}u"
# Guests "web" and "db": names that differ from the first letter, for tab completion.
cli_config A $UA "${OV_ID}u" $UB "$(cli_guest web 100 $MA1)" "$(cli_guest db 200 $MA2)" \
	"$(printf '[lcores]\ncontrol = 0\nworker.1 = uplink web db\nidle-sleep = 50')"
OV_PREFIXES+=("${OV_ID}A")

# vseal on a terminal of its own (a tmux pane); its status lands in A.status when it ends.
cat >"$OV_TMP/runA.sh" <<EOF
echo \$\$ >$OV_TMP/A.pid
exec $OV_VSEAL -l 0,1 --no-pci --file-prefix=${OV_ID}A --log-level=lib.vhost:error \\
	--log-level='vseal.*:warning' -- -f $OV_TMP/A.ini -i 2>$OV_TMP/A.log
EOF
tmux new-session -d -s "$TS" -x 200 -y 60 \
	"sh $OV_TMP/runA.sh; echo \$? >$OV_TMP/A.status; sleep 600"
for _ in $(seq 50); do [ -s "$OV_TMP/A.pid" ] && break; sleep 0.1; done
VPID=$(cat "$OV_TMP/A.pid")
OV_PIDS+=("$VPID")
ov_guests main "web,$OV_TMP/web.sock,$MA1,$NA1,$IA1/24,server" \
	"db,$OV_TMP/db.sock,$MA2,$NA2,$IA2/24,server" || exit 1

pane() { tmux capture-pane -p -J -t "$1" -S -200; }
# wait_pane TARGET ERE [TIMEOUT-S]: the pane shows a line matching ERE.
wait_pane() {
	local i
	for ((i = 0; i < ${3:-10} * 10; i++)); do
		pane "$1" | grep -qiE -- "$2" && return 0
		sleep 0.1
	done
	return 1
}
# The last non-empty line of the pane (where the cursor's line is).
last_line() { pane "$1" | sed '/^$/d' | tail -1; }
keys() { tmux send-keys -t "$@"; sleep 0.4; }

W=$TS:0
expect_true "vseal -i: the vseal> prompt on its terminal" wait_pane $W '^vseal> ?$' 15
for _ in $(seq 50); do ctlA show guest web 2>/dev/null | grep -q connected && break; sleep 0.2; done

keys $W 'help' Enter
expect_true "help at the prompt lists the commands" wait_pane $W '^  show lcores +per worker'
expect_true "help names the ports" wait_pane $W '^Port names: uplink web db\.'
keys $W 'clear lcores' Enter

keys $W 'sh' Tab
expect_true "tab completes a command word: 'sh' -> 'show '" \
	grep -qE '^vseal> show $' <<<"$(last_line $W)"
keys $W 'port info up' Tab
expect_true "tab completes a port name: 'up' -> 'uplink '" \
	grep -qE '^vseal> show port info uplink $' <<<"$(last_line $W)"
keys $W Enter
expect_true "the completed command runs" wait_pane $W 'driver net_af_packet'

keys $W 'show guest ' Tab Tab
expect_true "tab twice lists the guests' names" wait_pane $W '^ db \[guest name\]'
keys $W 'w' Tab
expect_true "tab completes a guest's name: 'show guest w' -> 'show guest web '" \
	grep -qE '^vseal> show guest web $' <<<"$(last_line $W)"
keys $W Enter
expect_true "show guest web at the prompt: connected, VNI 100" \
	wait_pane $W '^  vni 100, mac 02:72:00:00:00:a1'
keys $W 'location add 999 02:72:00:00:00:0f 192.168.72.2' Enter
expect_true "a bad command at the prompt: error and usage, prompt back" \
	wait_pane $W "^error: location add: expected a VNI served here \(100 200\), got '999'"

# vseal-ctl sessions on a second and a third terminal
tmux new-window -t "$TS" "$CTL -s $OV_TMP/A.ctl; echo \$? >$OV_TMP/ctl1.status; sleep 600"
W1=$TS:1
expect_true "vseal-ctl session: the vseal> prompt" wait_pane $W1 '^vseal> ?$'
keys $W1 'show gu' Tab
expect_true "vseal-ctl session: tab completion over the socket ('show gu' -> 'show guest ')" \
	grep -qE '^vseal> show guest $' <<<"$(last_line $W1)"
keys $W1 'd' Tab Enter
expect_true "vseal-ctl session: completed guest name and output" wait_pane $W1 '^guest db: connected'
tmux new-window -t "$TS" "$CTL -s $OV_TMP/A.ctl; echo \$? >$OV_TMP/ctl2.status; sleep 600"
W2=$TS:2
expect_true "a second vseal-ctl session at the same time" wait_pane $W2 '^vseal> ?$'
keys $W1 'quit' Enter
for _ in $(seq 30); do [ -s "$OV_TMP/ctl1.status" ] && break; sleep 0.1; done
expect_true "quit ends the vseal-ctl session (status $(cat "$OV_TMP/ctl1.status" 2>/dev/null))" \
	[ "$(cat "$OV_TMP/ctl1.status" 2>/dev/null)" = 0 ]
expect_true "... and only it: vseal runs on" kill -0 "$VPID"
keys $W2 'show flood' Enter
expect_true "... the other session still answers" wait_pane $W2 "^VNI 100: $UB"
keys $W2 'exit' Enter
for _ in $(seq 30); do [ -s "$OV_TMP/ctl2.status" ] && break; sleep 0.1; done
expect_true "exit ends the other vseal-ctl session" [ "$(cat "$OV_TMP/ctl2.status" 2>/dev/null)" = 0 ]
expect_ok "vseal still answers one-shot commands" '^lcore 1: worker 0' ctlA show lcores
expect_true "vseal's own prompt still there" kill -0 "$VPID"

# quit at vseal's own prompt: vseal stops
keys $W 'quit' Enter
for _ in $(seq 150); do [ -s "$OV_TMP/A.status" ] && break; sleep 0.1; done
if [ ! -s "$OV_TMP/A.status" ]; then
	ps -o pid,stat,wchan:32,cmd -p "$VPID"
	for t in /proc/$VPID/task/*; do echo "$t $(cat $t/comm) $(cat $t/wchan) $(cut -d' ' -f1 $t/syscall)"; done
	timeout 20 gdb -p "$VPID" -batch -ex 'thread apply all bt 12' 2>/dev/null | grep -E '^#|^Thread'
fi
expect_true "quit at vseal's prompt stops vseal with status 0 (got $(cat "$OV_TMP/A.status" 2>/dev/null))" \
	[ "$(cat "$OV_TMP/A.status" 2>/dev/null)" = 0 ]
expect_false "vseal's control socket is gone" [ -e "$OV_TMP/A.ctl" ]
if [ "$OV_FAIL" -ne 0 ]; then
	echo "----- vseal's terminal"; pane $W | sed '/^$/d' | tail -40
fi
ov_summary
