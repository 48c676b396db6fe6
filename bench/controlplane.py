"""Control-plane figures for bench/run: N endpoint creates (each PUT timed), then `list` timed, over one
persistent HTTPS connection with the admin's token, so no CLI start-up is in the numbers.

    python3 controlplane.py <ENCLAVE_HOME> <group> <workspace> <count>
Prints one JSON object: create_ms (p50, p99, max), list_ms (p50, max over 10 calls), listed (how many).
"""

import http.client
import json
import ssl
import statistics
import sys
import time
import urllib.parse

home, group, workspace, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
server = json.load(open(f"{home}/server.json"))
admin = json.load(open(f"{home}/admin.json"))
url = urllib.parse.urlparse(server["managementUrl"])
context = ssl.create_default_context(cafile=server["caFile"])
connection = http.client.HTTPSConnection(url.hostname, url.port, context=context)


def call(method, path, body=None, headers=None):
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    if response.status >= 300:
        raise SystemExit(f"{method} {path}: {response.status} {data[:300]!r}")
    return data


form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": admin["clientId"],
                               "client_secret": admin["clientSecret"], "scope": "https://management.azure.com/.default"})
token = json.loads(call("POST", f"/{admin['tenantId']}/oauth2/v2.0/token", form,
                        {"Content-Type": "application/x-www-form-urlencoded"}))["access_token"]
auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
ws = (f"/subscriptions/{admin['subscriptionId']}/resourceGroups/{group}"
      f"/providers/Microsoft.MachineLearningServices/workspaces/{workspace}")
location = json.loads(call("GET", f"{ws}?api-version=2024-04-01", headers=auth)).get("location", "local")

creates = []
for i in range(count):
    body = json.dumps({"location": location, "kind": "Managed",
                       "properties": {"authMode": "Key", "publicNetworkAccess": "Enabled"}})
    started = time.perf_counter()
    call("PUT", f"{ws}/onlineEndpoints/bench-{i:04d}?api-version=2024-04-01", body, auth)
    creates.append((time.perf_counter() - started) * 1000)

lists = []
listed = 0
for _ in range(10):
    started = time.perf_counter()
    listed = len(json.loads(call("GET", f"{ws}/onlineEndpoints?api-version=2024-04-01", headers=auth))["value"])
    lists.append((time.perf_counter() - started) * 1000)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1)]


print(json.dumps({"create_ms": {"p50": statistics.median(creates), "p99": percentile(creates, 99), "max": max(creates)},
                  "list_ms": {"p50": statistics.median(lists), "max": max(lists)}, "listed": listed}))
