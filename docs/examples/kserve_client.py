"""KServe V2 inference against a maas node with plain `requests` (the same code works against Triton)."""
import os

import requests

URL = "http://localhost:8000/v2/models/affine_fp32/infer"

payload = {
    "id": "example-1",
    "inputs": [{"name": "INPUT0", "shape": [2, 4], "datatype": "FP32",
                "data": [[1, 2, 3, 4], [0.5, 0.25, 0.125, -1]]}],
}
# the key: $MAAS_API_KEY, else the one the node made on first start
key = os.environ.get("MAAS_API_KEY") or open("data/initial-api-key").read().strip()
response = requests.post(URL, json=payload, timeout=10, headers={"Authorization": f"Bearer {key}"})
response.raise_for_status()
for output in response.json()["outputs"]:
    print(output["name"], output["shape"], output["data"])
