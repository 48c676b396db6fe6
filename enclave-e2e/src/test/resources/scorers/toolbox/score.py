# A test scorer whose behaviour the request chooses, so one deployment can show every way a worker can answer.
import json
import os
import socket
import time

import requests

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
    if action == "resolve":
        # What the deployment's DNS says about a name.
        try:
            return {"addresses": sorted({info[4][0] for info in socket.getaddrinfo(request["name"], 443, socket.AF_INET)})}
        except OSError as error:
            return {"error": type(error).__name__ + ": " + str(error)}
    if action == "connect":
        # Whether a TCP connection to host:port can be made from inside the deployment.
        try:
            with socket.create_connection((request["host"], int(request["port"])), timeout=3):
                return {"connected": True}
        except OSError as error:
            return {"connected": False, "error": type(error).__name__ + ": " + str(error)}
    if action == "fetch":
        # GET a URL, with a managed-identity token for `resource` when given (the platform's MSI endpoint).
        headers = {"x-ms-version": "2023-11-03"}
        if request.get("resource"):
            token = requests.get(os.environ["MSI_ENDPOINT"], params={"resource": request["resource"]},
                                 headers={"secret": os.environ["MSI_SECRET"]}, timeout=10)
            if token.status_code != 200:
                return {"error": "token request failed with %d: %s" % (token.status_code, token.text)}
            headers["Authorization"] = "Bearer " + token.json()["access_token"]
        try:
            answer = requests.get(request["url"], headers=headers, timeout=10)
            return {"status": answer.status_code, "body": answer.text}
        except requests.RequestException as error:
            return {"error": type(error).__name__ + ": " + str(error)}
    return {"pid": os.getpid()}
