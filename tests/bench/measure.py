#!/usr/bin/python3
"""measure.py OUT.json -- COMMAND...: run COMMAND (stdout to /dev/null)
and write its wall time, CPU time (user + system) and peak resident set
size as JSON; exits with the command's status.

The command is started with posix_spawn (glibc: clone with CLONE_VFORK, the
child borrows this process's memory until it execs), not fork + exec: a
forked Python child takes copy-on-write faults on the parent's heap before
its exec, and wait4 charges those to the command (about 10 ms CPU here,
more than some commands cost).

Peak RSS has a floor: the kernel records the peak of the memory a process
execs from, and a spawned child execs from this process's, so a command
smaller than this Python reads as this Python's size ("rss_floor_mb", also
written; fork had the same floor)."""
import json
import os
import resource
import sys
import time


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: measure.py OUT.json -- COMMAND...")
    out, cmd = sys.argv[1], sys.argv[3:]
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    start = time.monotonic()
    try:
        pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=[
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)])
    except OSError as e:
        sys.exit("measure.py: %s: %s" % (cmd[0], e.strerror))
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    with open(out, "w") as f:
        json.dump({"wall_s": round(wall, 4),
                   "cpu_s": round(ru.ru_utime + ru.ru_stime, 4),
                   "user_s": round(ru.ru_utime, 4),
                   "rss_mb": round(ru.ru_maxrss / 1024.0, 1),
                   "rss_floor_mb": round(floor, 1),
                   "status": code}, f)
    sys.exit(code if code >= 0 else 1)


if __name__ == "__main__":
    main()
