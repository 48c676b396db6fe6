# Tells whether it started in an interpreter that had imported its library (fractions) before this script ran,
# and what the worker around it looks like: pid, environment, working directory, arguments.
import json
import os
import sys

PRELOADED = "fractions" in sys.modules
import fractions  # noqa: E402  (the library a standby imports ahead of time once this scorer has run)

import probe_helper  # noqa: E402  (the deployment's own module: never imported ahead of time)


def init():
    print("standby-probe: init in", os.getcwd(), "preloaded", PRELOADED)


def run(raw_data):
    return {
        "preloaded": PRELOADED,
        "pid": os.getpid(),
        "probe": os.environ.get("PROBE_VALUE"),
        "modelDir": os.environ.get("AZUREML_MODEL_DIR"),
        "cwd": os.getcwd(),
        "argv": sys.argv[1:],
        "half": str(fractions.Fraction(1, 2)),
        "helper": probe_helper.NAME,
        "stdinIsDevNull": os.path.realpath(f"/proc/self/fd/0") == os.devnull,
    }
