"""Drives Enclave with Azure's own Python SDKs, unchanged, pointed at Enclave's management URL.

azure-mgmt-machinelearningservices manages the online endpoint (create, get, list, keys, regenerate, delete)
and, when --model-dir/--code-dir/--conda-file/--request-file are given, registers code, model and environment
versions, deploys them and scores through the gateway; azure-mgmt-storage finds the workspace's default storage
account and azure-storage-blob uploads the files to it. Long-running operations are polled by the SDK's own
ARM poller. Prints one JSON summary on stdout (never a key or a secret); any failure raises, so the exit code is
non-zero.

Run with Debian's interpreter (python3-azure):
    /usr/bin/python3 online_endpoints.py --management-url URL --admin-file ADMIN_JSON --ca-file CA_PEM \
        --resource-group RG --workspace WS --endpoint NAME [--model-dir DIR --code-dir DIR --conda-file FILE --request-file FILE]
"""

import argparse
import json
import os
import ssl
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

try:
    from azure.core.credentials import AccessToken
    from azure.core.exceptions import ResourceNotFoundError
    from azure.mgmt.core.tools import parse_resource_id
    from azure.mgmt.machinelearningservices import MachineLearningServicesMgmtClient
    from azure.mgmt.machinelearningservices import __version__ as ML_SDK_VERSION
    from azure.mgmt.machinelearningservices import models
    from azure.mgmt.storage import StorageManagementClient
    from azure.storage.blob import BlobServiceClient
except ImportError as missing:
    sys.exit(f"{missing}: run this with Debian's /usr/bin/python3 and its python3-azure package (scripts/install-deps installs it)")

# Fresh tokens are asked for this long before the old one expires, as azure-identity does.
REFRESH_MARGIN_SECONDS = 300
LOCATION = "local"


class EnclaveClientSecretCredential:
    """A TokenCredential for a service principal, asking Enclave's token endpoint (client credentials grant).

    azure-identity's ClientSecretCredential only talks to a real Microsoft Entra authority; this is the same
    protocol against {management url}/{tenant}/oauth2/v2.0/token.
    """

    def __init__(self, management_url, tenant_id, client_id, client_secret, ssl_context):
        self._token_url = f"{management_url.rstrip('/')}/{tenant_id}/oauth2/v2.0/token"
        self._client_id = client_id
        self._client_secret = client_secret
        self._ssl_context = ssl_context
        self._tokens = {}
        self._lock = threading.Lock()

    def get_token(self, *scopes, claims=None, tenant_id=None, **kwargs):
        if len(scopes) != 1:
            raise ValueError(f"exactly one scope is supported, got {scopes}")
        scope = scopes[0]
        with self._lock:
            cached = self._tokens.get(scope)
            if cached is None or cached.expires_on - REFRESH_MARGIN_SECONDS <= time.time():
                cached = self._request(scope)
                self._tokens[scope] = cached
            return cached

    def _request(self, scope):
        form = urllib.parse.urlencode({
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "scope": scope,
        }).encode("ascii")
        request = urllib.request.Request(self._token_url, data=form, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, context=self._ssl_context, timeout=30) as response:
            body = json.load(response)
        return AccessToken(body["access_token"], int(time.time()) + int(body["expires_in"]))


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--management-url", required=True)
    parser.add_argument("--admin-file", required=True, help="$ENCLAVE_HOME/admin.json: tenant, subscription, client id and secret")
    parser.add_argument("--ca-file", required=True, help="Enclave's CA certificate (PEM)")
    parser.add_argument("--resource-group", required=True)
    parser.add_argument("--workspace", required=True)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--model-dir", help="a model folder to upload, register and deploy")
    parser.add_argument("--code-dir", help="the folder with score.py")
    parser.add_argument("--conda-file", help="the environment's conda file")
    parser.add_argument("--request-file", help="a request body to score with")
    arguments = parser.parse_args()
    deployment_arguments = [arguments.model_dir, arguments.code_dir, arguments.conda_file, arguments.request_file]
    if any(deployment_arguments) and not all(deployment_arguments):
        parser.error("--model-dir, --code-dir, --conda-file and --request-file go together")
    return arguments


def endpoint_summary(endpoint):
    return {
        "name": endpoint.name,
        "location": endpoint.location,
        "authMode": endpoint.properties.auth_mode,
        "provisioningState": endpoint.properties.provisioning_state,
        "scoringUri": endpoint.properties.scoring_uri,
        "traffic": endpoint.properties.traffic or {},
    }


def manage_endpoint(client, group, workspace, name, summary):
    """Create, read, list and rotate the keys of a key-auth endpoint; returns its primary key before and after."""
    requested = models.OnlineEndpoint(
        location=LOCATION,
        tags={"created-by": "azure-sdk"},
        properties=models.OnlineEndpointProperties(auth_mode="Key", description="created with azure-mgmt-machinelearningservices"),
    )
    created = client.online_endpoints.begin_create_or_update(group, workspace, name, requested).result()
    summary["created"] = endpoint_summary(created)
    fetched = client.online_endpoints.get(group, workspace, name)
    summary["fetched"] = endpoint_summary(fetched)
    summary["fetched"]["tags"] = fetched.tags
    summary["fetched"]["description"] = fetched.properties.description
    summary["listed"] = sorted(endpoint.name for endpoint in client.online_endpoints.list(group, workspace))

    before = client.online_endpoints.list_keys(group, workspace, name)
    client.online_endpoints.begin_regenerate_keys(group, workspace, name, models.RegenerateEndpointKeysRequest(key_type="Primary")).result()
    after = client.online_endpoints.list_keys(group, workspace, name)
    summary["keys"] = {
        "primaryPresent": bool(before.primary_key),
        "secondaryPresent": bool(before.secondary_key),
        "primaryChanged": before.primary_key != after.primary_key,
        "secondaryUnchanged": before.secondary_key == after.secondary_key,
    }
    return before.primary_key, after.primary_key


def upload_folder(blobs, container, folder, prefix):
    for directory, _, files in os.walk(folder):
        for file_name in sorted(files):
            path = os.path.join(directory, file_name)
            blob_name = prefix + os.path.relpath(path, folder).replace(os.sep, "/")
            with open(path, "rb") as data:
                blobs.get_blob_client(container, blob_name).upload_blob(data, overwrite=True)


def storage_blob_url(client, storage, group, workspace):
    """The blob endpoint of the workspace's default storage account, as azure-mgmt-storage reports it."""
    account = parse_resource_id(client.workspaces.get(group, workspace).storage_account)
    return storage.storage_accounts.get_properties(account["resource_group"], account["name"]).primary_endpoints.blob


def deploy_and_score(client, storage, credential, arguments, ssl_context, keys, summary):
    """Upload, register and deploy a model with all traffic; score with the current key and with the replaced one."""
    group, workspace, name = arguments.resource_group, arguments.workspace, arguments.endpoint
    blob_url = storage_blob_url(client, storage, group, workspace)
    blobs = BlobServiceClient(account_url=blob_url, credential=credential, connection_verify=arguments.ca_file)
    container = "azureml-blobstore"
    if not blobs.get_container_client(container).exists():
        blobs.create_container(container)
    prefix = f"LocalUpload/sdk-{int(time.time() * 1000)}"
    upload_folder(blobs, container, arguments.model_dir, f"{prefix}/model/")
    upload_folder(blobs, container, arguments.code_dir, f"{prefix}/code/")
    summary["uploaded"] = sorted(blob.name for blob in blobs.get_container_client(container).list_blobs(name_starts_with=prefix))

    datastore = "azureml://datastores/workspaceblobstore/paths/"
    code = client.code_versions.create_or_update(group, workspace, "sdk-code", "1", models.CodeVersion(
        properties=models.CodeVersionProperties(code_uri=f"{datastore}{prefix}/code/")))
    model = client.model_versions.create_or_update(group, workspace, "sdk-model", "1", models.ModelVersion(
        properties=models.ModelVersionProperties(model_uri=f"{datastore}{prefix}/model/")))
    with open(arguments.conda_file, encoding="utf-8") as conda:
        environment = client.environment_versions.create_or_update(group, workspace, "sdk-env", "1", models.EnvironmentVersion(
            properties=models.EnvironmentVersionProperties(conda_file=conda.read(), image="mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest")))
    summary["assets"] = {"code": code.id, "model": model.id, "environment": environment.id}

    requested = models.OnlineDeployment(
        location=LOCATION,
        sku=models.Sku(name="Default", capacity=1),
        properties=models.ManagedOnlineDeployment(
            model=model.id,
            code_configuration=models.CodeConfiguration(code_id=code.id, scoring_script="score.py"),
            environment_id=environment.id,
            instance_type="Standard_DS3_v2",
        ),
    )
    deployed = client.online_deployments.begin_create_or_update(group, workspace, name, "blue", requested).result()
    summary["deployment"] = {"name": deployed.name, "provisioningState": deployed.properties.provisioning_state,
                             "instanceCount": deployed.sku.capacity if deployed.sku else None}

    endpoint = client.online_endpoints.get(group, workspace, name)
    endpoint.properties.traffic = {"blue": 100}
    updated = client.online_endpoints.begin_create_or_update(group, workspace, name, endpoint).result()
    summary["traffic"] = updated.properties.traffic

    with open(arguments.request_file, "rb") as request_file:
        body = request_file.read()
    old_key, key = keys
    summary["score"] = score(updated.properties.scoring_uri, key, body, ssl_context)
    summary["scoreWithReplacedKey"] = score(updated.properties.scoring_uri, old_key, body, ssl_context)


def score(scoring_uri, key, body, ssl_context):
    request = urllib.request.Request(scoring_uri, data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, context=ssl_context, timeout=30) as response:
            return {"status": response.status, "deployment": response.headers.get("azureml-model-deployment"), "body": json.load(response)}
    except urllib.error.HTTPError as error:
        return {"status": error.code, "body": json.load(error)}


def main():
    arguments = parse_arguments()
    with open(arguments.admin_file, encoding="utf-8") as admin_file:
        admin = json.load(admin_file)
    ssl_context = ssl.create_default_context(cafile=arguments.ca_file)
    credential = EnclaveClientSecretCredential(arguments.management_url, admin["tenantId"], admin["clientId"], admin["clientSecret"], ssl_context)
    client = MachineLearningServicesMgmtClient(credential, admin["subscriptionId"], base_url=arguments.management_url,
                                               connection_verify=arguments.ca_file)
    group, workspace, name = arguments.resource_group, arguments.workspace, arguments.endpoint
    summary = {"sdkVersion": ML_SDK_VERSION}

    old_primary_key, primary_key = manage_endpoint(client, group, workspace, name, summary)
    if arguments.model_dir:
        storage = StorageManagementClient(credential, admin["subscriptionId"], base_url=arguments.management_url, connection_verify=arguments.ca_file)
        deploy_and_score(client, storage, credential, arguments, ssl_context, (old_primary_key, primary_key), summary)

    client.online_endpoints.begin_delete(group, workspace, name).result()
    try:
        client.online_endpoints.get(group, workspace, name)
        summary["afterDelete"] = "still there"
    except ResourceNotFoundError as error:
        summary["afterDelete"] = {"status": error.status_code, "code": error.error.code if error.error else None}
    summary["listedAfterDelete"] = sorted(endpoint.name for endpoint in client.online_endpoints.list(group, workspace))
    print(json.dumps(summary, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
