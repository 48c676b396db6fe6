# A scoring script in Azure ML's contract: init() once, run(raw_data) per request.
# It loads the scikit-learn model that the deployment's model.path points at.
import json
import logging
import os

import joblib
import numpy


def init():
    global model
    # AZUREML_MODEL_DIR is the model's folder; a folder model.path keeps its own name below it.
    model_path = os.path.join(os.getenv("AZUREML_MODEL_DIR"), "model/sklearn_regression_model.pkl")
    model = joblib.load(model_path)
    logging.info("Init complete")
    print("model loaded from", model_path)


def run(raw_data):
    logging.info("model 1: request received")
    data = numpy.array(json.loads(raw_data)["data"])
    result = model.predict(data)
    return result.tolist()
