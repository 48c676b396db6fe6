"""Baseline (a): the same score.py served by Flask under gunicorn, as Azure's inference server does.

init() runs once per gunicorn worker (at import, in the worker process), POST /score calls run(body) and
answers JSON. No authentication. Environment: SCORE_DIR (the code folder), SCORING_SCRIPT (default score.py)
and AZUREML_MODEL_DIR (as the runtime sets it).
"""

import importlib.util
import json
import logging
import os
import sys

from flask import Flask, Response, request

# Azure's inference server shows what scoring code logs at INFO; Enclave's worker does the same, so this does too.
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

code_dir = os.path.abspath(os.environ["SCORE_DIR"])
script = os.environ.get("SCORING_SCRIPT", "score.py")
sys.path.insert(0, code_dir)
spec = importlib.util.spec_from_file_location(os.path.splitext(script)[0], os.path.join(code_dir, script))
score = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = score
spec.loader.exec_module(score)
score.init()

app = Flask(__name__)


def to_jsonable(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


@app.route("/score", methods=["POST"])
def run():
    result = score.run(request.get_data(as_text=True))
    return Response(json.dumps(result, default=to_jsonable), mimetype="application/json")
