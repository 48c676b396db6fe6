# Reads one blob in init() as the endpoint's managed identity, with plain requests calls, as scoring code does on Azure ML:
# a token from the managed-identity endpoint the platform names in the environment, then the blob with that token.
# BLOB_URL names the blob; CLIENT_ID, when set, picks a user-assigned identity (and the 2019-08-01 protocol).
import os

import requests

CONTENT = None


def token(resource):
    client_id = os.environ.get("CLIENT_ID")
    if client_id:
        answer = requests.get(os.environ["IDENTITY_ENDPOINT"],
                              params={"api-version": "2019-08-01", "resource": resource, "client_id": client_id},
                              headers={"X-IDENTITY-HEADER": os.environ["IDENTITY_HEADER"]}, timeout=10)
    else:
        answer = requests.get(os.environ["MSI_ENDPOINT"], params={"api-version": "2017-09-01", "resource": resource},
                              headers={"secret": os.environ["MSI_SECRET"]}, timeout=10)
    answer.raise_for_status()
    return answer.json()["access_token"]


def init():
    global CONTENT
    url = os.environ["BLOB_URL"]
    access_token = token("https://storage.azure.com/")
    answer = requests.get(url, headers={"Authorization": "Bearer " + access_token, "x-ms-version": "2023-11-03"}, timeout=10)
    if answer.status_code != 200:
        raise RuntimeError("reading %s failed with %d: %s" % (url, answer.status_code, answer.text))
    CONTENT = answer.text
    print("read blob:", CONTENT)


def run(raw_data):
    return {"content": CONTENT}
