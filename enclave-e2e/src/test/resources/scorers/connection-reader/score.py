# Reads a workspace connection's secret with the endpoint's managed identity: a management token from the platform's token
# endpoint, then POST .../connections/<name>/listsecrets (needs the Workspace Connection Secrets Reader role).
import json
import os

import requests

SECRET = None


def init():
    global SECRET
    answer = requests.get(os.environ["MSI_ENDPOINT"], params={"resource": "https://management.azure.com/"},
                          headers={"secret": os.environ["MSI_SECRET"]}, timeout=10)
    answer.raise_for_status()
    token = answer.json()["access_token"]
    url = os.environ["ENCLAVE_MANAGEMENT_URL"] + os.environ["CONNECTION_ID"] + "/listsecrets?api-version=2024-04-01"
    secrets = requests.post(url, headers={"Authorization": "Bearer " + token}, timeout=10)
    if secrets.status_code != 200:
        raise RuntimeError("listsecrets failed with %d: %s" % (secrets.status_code, secrets.text))
    SECRET = secrets.json()["properties"]["credentials"]
    print("connection secret read:", json.dumps(SECRET))


def run(raw_data):
    return {"credentials": SECRET}
