"""`streamlit run ...` in this process, which also counts the live Trainers (tests/test_session_ttl.py).

    python -m tests.counting_server COUNT_FILE run app.py --server.port 8600 ...

Every second it collects garbage and writes how many mlp.run.trainer.Trainer objects are alive to
COUNT_FILE: each session holds one, so this counts the sessions the server still keeps (the app
itself is the real one, unchanged).
"""
import gc
import os
import runpy
import sys
import threading
import time


def count_trainers() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects()
               if type(o).__name__ == "Trainer" and type(o).__module__ == "mlp.run.trainer")


def _report_forever(path: str) -> None:
    while True:
        with open(path + ".tmp", "w") as f:
            f.write(str(count_trainers()))
        os.replace(path + ".tmp", path)           # a reader never sees a half-written number
        time.sleep(1.0)


if __name__ == "__main__":
    threading.Thread(target=_report_forever, args=(sys.argv[1],), daemon=True).start()
    sys.argv = ["streamlit"] + sys.argv[2:]
    runpy.run_module("streamlit", run_name="__main__", alter_sys=True)
