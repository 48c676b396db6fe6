import time


def run(raw_data):
    # The request body is how many seconds to take.
    time.sleep(float(raw_data))
    return "slept " + raw_data
