import logging
import sys


def init():
    print("printing-scorer: hello from init on stdout")
    print("printing-scorer: hello from init on stderr", file=sys.stderr)
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("printing-scorer").info("hello from init via logging")


def run(raw_data):
    print(f"printing-scorer: run got {raw_data}")
    return {"echo": raw_data}
