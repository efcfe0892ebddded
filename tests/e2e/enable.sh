#!/bin/sh
# enable.sh - the sync core enabled, seen and controlled from the CLI
# (issue 15): the cron line against the real crontab (added once, the rest
# of the crontab kept, removed by disable); the systemd path as a dry run
# and under a DESTDIR-style root (folders, owners and modes, the unit, which
# passes systemd-analyze verify where it exists); a background daemon that
# beats, honours pause and resume, shows "stalled" with one alert when its
# beat is old, and stops on disable.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/sandbox.sh"

POLL=2
sb_start --people 60 || exit 1
sb_home hibob assembled || exit 1
bs config set assembled.enabled true >/dev/null
[ -s "$BOBSYNC_HOME/vault.key" ] || t_fail "no key file: the core could not unlock alone"

core() { bs status --json | json_get - "j['core']$1"; }

t_case "not enabled: status says not running and nothing is scheduled"
out=$(bs status)
t_contains "$out" "Sync core                  not running" "the core line"
t_contains "$out" "next run not scheduled" "no next run without a core"
t_eq "$(core "['running']")" False "core.running"
t_eq "$(core "['paused']")" "{'roster': None, 'timeoff': None}" "core.paused"

t_case "cron: the line is added once, the rest of the crontab kept, removed by disable"
if ! command -v crontab >/dev/null 2>&1; then
	t_fail "crontab is missing: .ci/deps.sh installs the cron package"
else
	saved=$T_TMP/crontab.saved
	if crontab -l >"$saved" 2>/dev/null; then
		t_on_exit "crontab '$saved'"
	else
		t_on_exit "crontab -r"
	fi
	printf 'MAILTO=ana@example.com\n0 3 * * * /usr/local/bin/backup.sh\n' | crontab -
	# cron fires at the next minute divisible by 5: tomorrow from 23:55 on
	bs enable cron >"$T_TMP/cron1.out" 2>&1 || t_fail "enable cron: $(cat "$T_TMP/cron1.out")"
	next_day=today
	[ "$(date +%H%M)" -lt 2355 ] || next_day=tomorrow
	t_contains "$(cat "$T_TMP/cron1.out")" "runs the sync next $next_day" "when it fires next"
	bs enable cron >/dev/null 2>&1 || t_fail "enable cron a second time"
	tab=$(crontab -l)
	t_eq "$(printf '%s\n' "$tab" | grep -c 'daemon --once')" 1 "bobsync lines after enabling twice"
	t_eq "$(printf '%s\n' "$tab" | grep -c '^# bobsync sync core')" 1 "marker lines"
	t_contains "$tab" "MAILTO=ana@example.com" "the rest kept"
	t_contains "$tab" "0 3 * * * /usr/local/bin/backup.sh" "the rest kept"
	t_contains "$tab" "BOBSYNC_STARTED_BY=cron BOBSYNC_HOME='$BOBSYNC_HOME' '$BOBSYNC' daemon --once" \
		"the line finds this home"
	t_eq "$(core "['enabled']")" cron "core.enabled"
	t_not_contains "$(bs status)" "not scheduled" "cron will run the syncs"
	# what cron runs: one pass, which beats
	BOBSYNC_STARTED_BY=cron bs daemon --once >/dev/null 2>&1
	t_eq "$(core "['mode']")" cron "the pass's heartbeat"
	t_eq "$(core "['running']")" True "running while cron's beat is fresh"
	out=$(bs enable background 2>&1) && t_fail "a second way was enabled beside cron"
	t_contains "$out" "enabled with cron already" "one way at a time"
	bs disable >"$T_TMP/dis.out" 2>&1 || t_fail "disable: $(cat "$T_TMP/dis.out")"
	tab=$(crontab -l)
	t_not_contains "$tab" "bobsync" "bobsync's lines removed"
	t_eq "$tab" "$(printf 'MAILTO=ana@example.com\n0 3 * * * /usr/local/bin/backup.sh')" "the rest as it was"
	t_eq "$(core "['running']")" False "not running after disable"
fi

t_case "systemd dry run: every step printed, nothing changed"
out=$(bs enable systemd --dry-run 2>&1) || t_fail "dry run failed: $out"
t_contains "$out" "would make the folder /etc/bobsync (mode 0700, owner bobsync)" "config folder"
t_contains "$out" "would make the folder /var/lib/bobsync (mode 0700, owner bobsync)" "state folder"
t_contains "$out" "would write /etc/bobsync/vault (mode 0600, owner bobsync)" "the vault"
t_contains "$out" "would write /etc/credstore/bobsync-key (mode 0400)" "the key, root only"
t_contains "$out" "would run: systemctl enable --now bobsync.service" "systemctl"
t_eq "$(core "['enabled']")" None "a dry run enables nothing"

t_case "systemd under a root folder: folders, modes, files and the unit"
R=$T_TMP/root
out=$(bs enable systemd --root "$R" 2>&1) || t_fail "enable --root failed: $out"
mode() { stat -c %a "$1" 2>/dev/null; }
t_eq "$(mode "$R/etc/bobsync")" 700 "/etc/bobsync mode"
t_eq "$(mode "$R/var/lib/bobsync")" 700 "/var/lib/bobsync mode"
t_eq "$(mode "$R/etc/bobsync/vault")" 600 "vault mode"
t_eq "$(mode "$R/etc/credstore/bobsync-key")" 400 "key mode"
cmp -s "$R/etc/bobsync/vault" "$BOBSYNC_HOME/vault" || t_fail "the vault was not copied as it is"
cmp -s "$R/etc/credstore/bobsync-key" "$BOBSYNC_HOME/vault.key" || t_fail "the key was not copied"
cmp -s "$R/etc/bobsync/bobsync.conf" "$BOBSYNC_HOME/bobsync.conf" || t_fail "the settings were not copied"
unit=$R/etc/systemd/system/bobsync.service
grep -qx "ExecStart=$(dirname "$BOBSYNC")/bobsync daemon" "$unit" || t_fail "ExecStart: $(grep ExecStart "$unit")"
grep -q '^LoadCredential=bobsync-key:/etc/credstore/bobsync-key$' \
	"$R/etc/systemd/system/bobsync.service.d/bobsync-enable.conf" || t_fail "the drop-in"
t_contains "$out" "would run: systemctl daemon-reload" "systemctl only printed"
[ -e "$R/run" ] && t_fail "wrote outside the expected folders"
if command -v systemd-analyze >/dev/null 2>&1; then
	v=$(systemd-analyze verify --man=no "$unit" 2>&1)
	# what only a real install has: the service user, the credential file
	bad=$(printf '%s\n' "$v" | grep -v "credstore\|bobsync-key\|User=bobsync\|System has not been booted\|^$")
	t_eq "$bad" "" "systemd-analyze verify"
else
	echo "systemd-analyze is not installed: the unit's verify assertion is skipped"
fi

t_case "background: detached daemon beats; status shows it running with local times"
BOBSYNC_TEST_POLL_SECONDS=$POLL bs sync timeoff >"$T_TMP/first.out" 2>&1 ||
	t_fail "first sync: $(tail -3 "$T_TMP/first.out")"
BOBSYNC_TEST_POLL_SECONDS=$POLL bs enable background >"$T_TMP/bg.out" 2>&1 ||
	t_fail "enable background: $(cat "$T_TMP/bg.out")"
pid=$(core "['pid']")
t_on_exit "kill $pid 2>/dev/null"
kill -0 "$pid" 2>/dev/null || t_fail "no daemon at pid $pid"
t_eq "$(core "['mode']")" background "core.mode"
t_eq "$(core "['running']")" True "core.running"
t_eq "$(ps -o tty= -p "$pid" | tr -d ' ')" "?" "the daemon has no terminal"
[ "$(ps -o sid= -p "$pid")" = "$(ps -o sid= -p $$)" ] && t_fail "the daemon is in the test's session"
out=$(BOBSYNC_TEST_POLL_SECONDS=$POLL bs status)
t_contains "$out" "running (background, pid $pid, since today " "status text, local time"
grep -q "daemon started" "$BOBSYNC_HOME/daemon.log" || t_fail "no daemon.log in the state folder"
b1=$(core "['heartbeat_at']")
sleep $((POLL + 2))
b2=$(core "['heartbeat_at']")
[ "$b2" != "$b1" ] || t_fail "the heartbeat did not move on ($b1, then $b2)"

EMP=$(sb_ctl hibob GET /_control/expected | json_get - \
	'[r["employee_id"] for r in j["timeoff"]["requests"] if r.get("agent_id") and r["sync"]][0]')
DAY1=$(date -u -d "$SB_TODAY + 40 days" +%F)
markers() {
	sb_ctl assembled GET /_control/activities | python3 -c 'import json,re,sys
j=json.load(sys.stdin)
for a in j["activities"].values():
    for m in re.findall(r"hibob:[0-9]+", a.get("description") or ""):
        print(m)' | sort
}

t_case "pause timeoff: the daemon skips it; resume: the approval reaches Assembled"
# the pause ends in 2 hours: after 22:00 (TZ=UTC here) that is tomorrow
bs pause timeoff --for 2h >"$T_TMP/pause.out" 2>&1 || t_fail "pause: $(cat "$T_TMP/pause.out")"
until_day=today
[ "$(date -d '+2 hours' +%F)" = "$(date +%F)" ] || until_day=tomorrow
t_contains "$(cat "$T_TMP/pause.out")" "until $until_day" "until when, local time"
t_contains "$(bs status)" "time off paused by $(id -un) at today" "who and when"
t_eq "$(core "['paused']['timeoff']['by']")" "$(id -un)" "core.paused.timeoff.by"
t_eq "$(core "['paused']['roster']")" None "roster not paused"
rid=$(sb_ctl hibob POST /_control/timeoff "{\"op\":\"create\",\"employee\":\"$EMP\",\"type\":\"days\",\"policyType\":\"Holiday\",\"startDate\":\"$DAY1\",\"endDate\":\"$DAY1\",\"status\":\"approved\"}" |
	json_get - 'j["requestId"]')
[ -n "$rid" ] || t_fail "the sandbox made no request"
i=0
until grep -q "timeoff: paused by" "$BOBSYNC_HOME/daemon.log" || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
grep -q "timeoff: paused by" "$BOBSYNC_HOME/daemon.log" || t_fail "the daemon did not see the pause"
sleep $((POLL * 2 + 1))
markers | grep -qx "hibob:$rid" && t_fail "a paused sync ran"
bs resume timeoff >/dev/null || t_fail "resume"
i=0
until markers | grep -qx "hibob:$rid" || [ $i -ge $(( (POLL * 3 + 15) * 2 )) ]; do sleep 0.5; i=$((i + 1)); done
markers | grep -qx "hibob:$rid" || t_fail "the approval did not reach Assembled after resume: $(tail -3 "$BOBSYNC_HOME/daemon.log")"
grep -q "timeoff: resumed" "$BOBSYNC_HOME/daemon.log" || t_fail "the daemon did not log the resume"

t_case "an old heartbeat is stalled, and alerts once"
ALERTS=$T_TMP/alerts
bs config set alert.command "echo \"\$BOBSYNC_EVENT \$BOBSYNC_SYNC\" >> $ALERTS" >/dev/null
# the daemon beats every $POLL s, and a new beat is a new stall to tell:
# the two looks are made right after a beat, well inside one period
b=$(core "['heartbeat_at']")
i=0
until [ "$(core "['heartbeat_at']")" != "$b" ] || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
later=$(( $(date +%s) + 3600 ))
out=$(BOBSYNC_FAKE_NOW=$later bs status)
t_contains "$out" "STALLED (background, pid $pid" "status text"
t_eq "$(BOBSYNC_FAKE_NOW=$later bs status --json | json_get - "j['core']['state']")" stalled "core.state"
t_eq "$(cat "$ALERTS" 2>/dev/null)" "stalled core" "one alert for two looks"

t_case "disable stops the background daemon"
bs disable >"$T_TMP/dis2.out" 2>&1 || t_fail "disable: $(cat "$T_TMP/dis2.out")"
t_contains "$(cat "$T_TMP/dis2.out")" "Stopped the background daemon (pid $pid)" "what disable did"
case $(ps -o stat= -p "$pid" 2>/dev/null) in ""|Z*) ;; *) t_fail "the daemon still runs" ;; esac
t_eq "$(core "['running']")" False "not running"
t_eq "$(core "['pid']")" None "no heartbeat left"

t_summary
