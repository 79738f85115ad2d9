"""What the tests and the benches share: a Streamlit server on a free port, Chromium's flags, the
Playground page driven in a browser, a byte-counting relay, process
statistics and the naive reference MLP. Nothing of the app imports it."""
