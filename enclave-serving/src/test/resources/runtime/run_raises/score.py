def init():
    pass


def run(raw_data):
    raise ValueError(f"cannot score {raw_data!r}")
