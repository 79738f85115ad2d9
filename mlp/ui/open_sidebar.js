// "All settings": opens Streamlit's sidebar, where every setting the stage does not show lives
// (mlp/ui/stage.py), and the same button closes it again. Streamlit has no call for either; its own
// ›› and « buttons are clicked (streamlit_seams.py), the « one even while hidden (it shows on hover only).
export default function ({ data, parentElement }) {
  let button = parentElement.querySelector("button");
  const isOpen = () => document.querySelector(data.sidebar)?.getAttribute("data-collapsed") === "false";
  const show = () => {
    const open = isOpen();
    button.textContent = open ? data.close_label : data.label;
    button.setAttribute("aria-pressed", open ? "true" : "false");
    button.title = open ? data.close_help : data.help;
  };
  if (!button) {
    button = document.createElement("button");
    button.type = "button";
    button.className = "mlp-open-sidebar";
    parentElement.appendChild(button);
    button.addEventListener("click", () => {
      const target = document.querySelector(isOpen() ? data.collapse : data.expand);
      if (target) target.click();
    });
    // the label follows the sidebar, however it was opened or closed (its own buttons, Escape)
    const watch = new MutationObserver(() => {
      if (!button.isConnected) watch.disconnect();
      else show();
    });
    watch.observe(document.body, { subtree: true, attributes: true, attributeFilter: ["data-collapsed"] });
  }
  show();
}
