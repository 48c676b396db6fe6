# The second sample model: loads its model like model-1, but answers with a fixed result so
# that traffic splits between the two deployments can be told apart.
import json
import logging
import os

import joblib


def init():
    global model
    model_path = os.path.join(os.getenv("AZUREML_MODEL_DIR"), "model/sklearn_regression_model.pkl")
    model = joblib.load(model_path)
    print("model 2 loaded from", model_path)


def run(raw_data):
    logging.info("model 2: request received")
    data = json.loads(raw_data)["data"]
    return [0.5] * len(data)
