"""Interrupts attnc while its outputs are staged: the header is a FIFO, so
attnc has written the object to its temporary file and blocks opening the
FIFO, which no one reads. Then SIGNAL; attnc must die of it, remove the
temporary file and leave the existing object as it was.

usage: signal_during_write.py ATTNC MODEL DIR SIGNAL (INT or TERM)"""

import glob
import os
import signal
import subprocess
import sys
import time

attnc, model, work, name = sys.argv[1:5]
obj, header = os.path.join(work, "model.o"), os.path.join(work, "header.h")
with open(obj, "w") as f:
    f.write("an older object\n")
os.mkfifo(header)

# As from a terminal: SIGINT handled by default even if this script was
# started with it ignored (a background job of a non-interactive shell).
process = subprocess.Popen(
    [attnc, model, "-o", obj, "--header", header],
    preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
deadline = time.monotonic() + 120
while not glob.glob(obj + ".tmp-*"):
    if process.poll() is not None or time.monotonic() > deadline:
        sys.exit(f"attnc never staged its object (exit {process.poll()})")
    time.sleep(0.01)
print("staged:", len(glob.glob(obj + ".tmp-*")), "temporary file")

process.send_signal(getattr(signal, "SIG" + name))
status = process.wait(timeout=60)
print("exit:", "killed by " + signal.Signals(-status).name if status < 0 else status)
print("left:", sorted(os.listdir(work)))
print("object:", open(obj).read().strip())
