"""A run, between the engine and the pages: its settings (config), its training (trainer), its record
(history, signals, stuck units), its files (checkpoint, run files) and its own points."""
