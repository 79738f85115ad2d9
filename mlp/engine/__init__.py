"""The engine: the network, its layers' math, optimizers, initializers, activations, penalties,
schedules, data sets and gradient checking. NumPy only: it imports nothing else of the project."""
