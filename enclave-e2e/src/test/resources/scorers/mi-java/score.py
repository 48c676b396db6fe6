# Scoring code that hands the read to Java: a program built on azure-identity and azure-storage-blob for Java
# (enclave.e2e.worker.JavaBlobReader) runs unchanged inside the deployment; READER_JAVA and READER_CLASSPATH say where it is.
import os
import subprocess

CONTENT = None


def init():
    global CONTENT
    done = subprocess.run([os.environ["READER_JAVA"], "-cp", os.environ["READER_CLASSPATH"], "enclave.e2e.worker.JavaBlobReader"],
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError("the Java reader failed (%d): %s" % (done.returncode, done.stderr[-3000:]))
    CONTENT = done.stdout.strip()
    print("Blob content (java):", CONTENT)


def run(raw_data):
    return {"content": CONTENT}
