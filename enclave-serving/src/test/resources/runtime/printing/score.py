import logging
import sys


def init():
    print("printing-scorer: hello from init on stdout")
    print("printing-scorer: hello from init on stderr", file=sys.stderr)
    # Another writer appends to the console log while a line is half printed: the line still lands whole.
    print("printing-scorer: one line", end="")
    with open("/proc/self/fd/1", "a") as other_writer:
        other_writer.write("printing-scorer: another writer's line\n")
    print("", "in", "parts")
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("printing-scorer").info("hello from init via logging")


def run(raw_data):
    if raw_data.startswith("print-mib:"):
        mib = int(raw_data.split(":")[1])
        for _ in range(mib):
            sys.stdout.write(("x" * 1023 + "\n") * 1024)
        print(f"printing-scorer: printed {mib} MiB")
        return {"printed": mib}
    print(f"printing-scorer: run got {raw_data}")
    return {"echo": raw_data}
