def init():
    print("init-raises-scorer: loading the model")
    raise RuntimeError("model file is corrupt")


def run(raw_data):
    return raw_data
