"""The labs' analysis: pure NumPy functions behind the lab pages (no Streamlit, no Plotly).

`gradient_flow`: presets that reproduce vanishing / exploding / healthy gradients, the verdict in
words, the variance the theory predicts per layer, and a bounded record of histograms over time.
`initialization`: several init schemes trained side by side, and the symmetry of a zero init.
`backprop`: the forward and backward pass redone one example at a time, and a breakable gradient check.
`compare`: two configurations trained side by side on the same data and seed.
"""
