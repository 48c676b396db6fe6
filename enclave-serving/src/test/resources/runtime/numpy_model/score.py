import json
import os

import numpy as np

weights = None


def init():
    global weights
    weights = np.loadtxt(os.path.join(os.environ["AZUREML_MODEL_DIR"], "weights.txt"))


def run(raw_data):
    rows = np.array(json.loads(raw_data)["data"], dtype=float)
    # A numpy array on purpose: the worker must turn it into a JSON list.
    return rows @ weights
