"""The Playground page (placeholder until the playground lands)."""
import streamlit as st

st.title("Neural network playground")
st.write("The engine is ready; the playground page is on its way.")
