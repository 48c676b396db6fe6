import os
import signal
import time


def run(raw_data):
    if raw_data == "crash":
        os._exit(1)
    if raw_data == "freeze":
        # Alive but unresponsive: only the liveness probe can tell.
        os.kill(os.getpid(), signal.SIGSTOP)
        # The stop can take effect a moment after kill() returns; this request must not answer meanwhile.
        time.sleep(3600)
    return {"pid": os.getpid()}
