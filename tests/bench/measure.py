#!/usr/bin/python3
"""measure.py OUT.json -- COMMAND...: run COMMAND (stdout to /dev/null)
and write its wall time, CPU time (user + system) and peak resident set
size as JSON; exits with the command's status."""
import json
import os
import sys
import time


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: measure.py OUT.json -- COMMAND...")
    out, cmd = sys.argv[1], sys.argv[3:]
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    with open(out, "w") as f:
        json.dump({"wall_s": round(wall, 3),
                   "cpu_s": round(ru.ru_utime + ru.ru_stime, 3),
                   "user_s": round(ru.ru_utime, 3),
                   "rss_mb": round(ru.ru_maxrss / 1024.0, 1),
                   "status": code}, f)
    sys.exit(code if code >= 0 else 1)


if __name__ == "__main__":
    main()
