# Makes the repository root importable (`import mlp`) when pytest runs from a clean clone.
