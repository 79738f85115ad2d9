// "All settings": opens Streamlit's sidebar, where every setting the stage does not show lives
// (mlp/ui/stage.py). Streamlit has no call for it; its own ›› button is clicked (streamlit_seams.py).
export default function ({ data, parentElement }) {
  let button = parentElement.querySelector("button");
  if (!button) {
    button = document.createElement("button");
    button.type = "button";
    button.className = "mlp-open-sidebar";
    parentElement.appendChild(button);
    button.addEventListener("click", () => {
      const open = document.querySelector(data.expand);
      if (open) open.click();
    });
  }
  button.textContent = data.label;
  button.title = data.help;
}
