"""The live layer, without Streamlit: what a playing page computes and sends.

frame.py     a frame's figures from a trainer, and a playing batch of them (train_batch)
payload.py   the wire format of a live chart, and its decoder's contract
pace.py      when a playing page reruns, how many frames a batch carries, the training share
compute_slots.py  at most one session per core computes at a time
report.py    the run's offline HTML report (the page's download and the command line's)

mlp/ui/ is the Streamlit glue on top of it; the command line and the benches use this package alone.
"""
