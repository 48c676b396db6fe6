import os


def run(raw_data):
    return {"pid": os.getpid(), "greeting": os.environ.get("GREETING"), "model_dir": os.environ["AZUREML_MODEL_DIR"]}
