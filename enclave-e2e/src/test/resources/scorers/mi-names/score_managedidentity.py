# The contract of Azure ML's managed-identity sample (environment STORAGE_ACCOUNT_NAME, STORAGE_CONTAINER_NAME, FILE_NAME and,
# for a user-assigned identity, UAI_CLIENT_ID): init() asks MSI_ENDPOINT for a storage token with plain requests calls and
# reads the blob at its Azure name https://<account>.blob.core.windows.net/<container>/<file>, which the deployment's DNS
# resolves to the platform's blob service.
import os

import requests

CONTENT = None


def storage_token():
    params = {"resource": "https://storage.azure.com/"}
    client_id = os.environ.get("UAI_CLIENT_ID")
    if client_id:
        params["clientid"] = client_id
    answer = requests.get(os.environ["MSI_ENDPOINT"], params=params, headers={"secret": os.environ["MSI_SECRET"]}, timeout=10)
    answer.raise_for_status()
    return answer.json()["access_token"]


def init():
    global CONTENT
    url = "https://%s.blob.core.windows.net/%s/%s" % (
        os.environ["STORAGE_ACCOUNT_NAME"], os.environ["STORAGE_CONTAINER_NAME"], os.environ["FILE_NAME"])
    answer = requests.get(url, headers={"Authorization": "Bearer " + storage_token(), "x-ms-version": "2019-02-02"}, timeout=10)
    if answer.status_code != 200:
        raise RuntimeError("reading %s failed with %d: %s" % (url, answer.status_code, answer.text))
    CONTENT = answer.text
    print("Blob content:", CONTENT)


def run(raw_data):
    return {"content": CONTENT}
