# The same read with the Azure SDK for Python (Debian's python3-azure): azure-identity's ManagedIdentityCredential finds the
# platform's token endpoint in the environment, azure-storage-blob's BlobClient talks to https://<account>.blob.core.windows.net.
import os

from azure.identity import ManagedIdentityCredential
from azure.storage.blob import BlobClient

CONTENT = None


def init():
    global CONTENT
    client_id = os.environ.get("UAI_CLIENT_ID")
    credential = ManagedIdentityCredential(client_id=client_id) if client_id else ManagedIdentityCredential()
    blob = BlobClient(account_url="https://%s.blob.core.windows.net" % os.environ["STORAGE_ACCOUNT_NAME"],
                      container_name=os.environ["STORAGE_CONTAINER_NAME"], blob_name=os.environ["FILE_NAME"], credential=credential)
    CONTENT = blob.download_blob().readall().decode("utf-8")
    print("Blob content (azure sdk):", CONTENT)


def run(raw_data):
    return {"content": CONTENT}
