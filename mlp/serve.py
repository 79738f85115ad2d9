"""`python -m mlp.serve`: K Streamlit workers behind nginx (the code is mlp/classroom/serving.py)."""
import sys

from mlp.classroom.serving import main

if __name__ == "__main__":
    sys.exit(main())
