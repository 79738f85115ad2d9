// The data set picker: one button per data set, its picture and its name; a click picks it
// (mlp/ui/dataset_picker.py). The chosen one is outlined, as in TF Playground.
export default function ({ data, parentElement, setTriggerValue }) {
  let grid = parentElement.querySelector("div.mlp-picker");
  if (!grid) {
    grid = document.createElement("div");
    grid.className = "mlp-picker";
    parentElement.appendChild(grid);
  }
  grid.replaceChildren(...data.sets.map((set) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "mlp-set" + (set.name === data.chosen ? " mlp-chosen" : "");
    button.title = set.help;
    button.disabled = Boolean(data.locked);
    button.setAttribute("aria-pressed", String(set.name === data.chosen));
    button.dataset.set = set.name;
    const picture = document.createElement("img");
    picture.src = "data:image/svg+xml;base64," + btoa(set.svg);
    picture.alt = "";
    const name = document.createElement("span");
    name.textContent = set.label;                 // text, never markup
    button.append(picture, name);
    // `at` makes a second click on the same set a new event
    button.addEventListener("click", () => setTriggerValue("picked", { name: set.name, at: Date.now() }));
    return button;
  }));
}
