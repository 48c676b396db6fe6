# A test scorer whose behaviour the request chooses, so one deployment can show every way a worker can answer.
import json
import os
import time

FAIL_INIT = os.environ.get("TOOLBOX_FAIL_INIT") == "1"


def init():
    print("toolbox init in pid", os.getpid(), "model dir", os.environ["AZUREML_MODEL_DIR"])
    if FAIL_INIT:
        print("loading weights from the moon")
        raise RuntimeError("cannot load the model: the moon is out of reach")


def run(raw_data):
    request = json.loads(raw_data)
    action = request.get("action", "pid")
    if action == "sleep":
        time.sleep(float(request["seconds"]))
        return {"slept": request["seconds"], "pid": os.getpid()}
    if action == "raise":
        raise ValueError("bad input: " + str(request.get("detail")))
    if action == "crash":
        os._exit(1)
    if action == "env":
        return {"value": os.environ.get(request["name"])}
    return {"pid": os.getpid()}
