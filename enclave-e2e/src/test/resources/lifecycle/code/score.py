# The scikit-learn regression scorer of examples/model-1, with an init() that takes INIT_DELAY_SECONDS
# (a slow model download or warm-up) so the deployment stays Creating long enough to be interrupted.
import json
import logging
import os
import time

import joblib
import numpy


def init():
    global model
    delay = float(os.getenv("INIT_DELAY_SECONDS", "0"))
    logging.info("warming up for %s s", delay)
    time.sleep(delay)
    model = joblib.load(os.path.join(os.getenv("AZUREML_MODEL_DIR"), "model/sklearn_regression_model.pkl"))
    logging.info("Init complete")


def run(raw_data):
    data = numpy.array(json.loads(raw_data)["data"])
    return model.predict(data).tolist()
