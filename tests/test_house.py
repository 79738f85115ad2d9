"""The house's layering, read from every module's imports.

- the engine (mlp/engine/) imports nothing else of the project, nor Streamlit or Plotly;
- the figures import only the engine, the run's types and the notation; never Streamlit;
- the live layer and the labs never import the UI; nothing below the UI imports it;
- mlp/ui/ is Streamlit glue (the protocol client, which speaks Streamlit's own protocol, included): every
  file there imports Streamlit, and only it and the pages do;
- no import cycles, and no private name (`_x`) imported from another module of mlp/;
- bench/ and tests/ never import each other (what they share lives in mlp/harness/).

Only the project's own files are read: what git tracks or would track, never a virtual environment
or anything else git ignores (a newcomer's `.venv` inside the checkout holds thousands of files, some
not UTF-8)."""
import ast
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# where no git is at hand, the folders that are the project, and the names that never are
OWN_TOP = ("app.py", "mlp", "pages", "bench", "tests")
NEVER = {".git", ".venv", "venv", "env", "build", "dist", "node_modules", "__pycache__", ".pytest_cache",
         ".hypothesis", "site-packages"}


def project_files(root: Path, suffix: str = ".py") -> list[Path]:
    """The project's own files under `root`: git's list of tracked and untracked-but-not-ignored files
    when `root` is a git checkout, else a walk of its own top-level folders that skips environments and
    build folders."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=root, capture_output=True, check=True).stdout
        files = [root / name for name in out.decode("utf-8", "surrogateescape").split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for top in OWN_TOP:
            path = root / top
            files += [path] if path.is_file() else [p for p in path.rglob("*")
                                                    if not NEVER & set(p.relative_to(root).parts)]
    return sorted(p for p in files if p.suffix == suffix and p.is_file())


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(root: Path, path: Path) -> list[tuple[str, tuple[str, ...]]]:
    """(module, names taken from it) for every import of `path`, wherever in it the import stands;
    relative imports made absolute."""
    found = []
    package = module_name(root, path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            found.append((module, tuple(alias.name for alias in node.names)))
    return found


class House:
    """The import graph of the project at `root`: module -> the project modules it imports."""

    def __init__(self, root: Path):
        self.root = root
        self.files = {module_name(root, p): p for p in project_files(root)}
        self.raw = {m: imports(root, p) for m, p in self.files.items()}
        self.graph = {m: {self._own(name, taken) for name, taken in imp} - {None} for m, imp in self.raw.items()}

    def _own(self, module: str, taken: tuple[str, ...]) -> str | None:
        """The project module an import names (`from mlp.engine import datasets` names mlp.engine.datasets)."""
        for name in [f"{module}.{t}" for t in taken] + [module]:
            while name:
                if name in self.files:
                    return name
                name = name.rpartition(".")[0]
        return None

    def third_party(self, module: str) -> set[str]:
        return {name.split(".")[0] for name, _ in self.raw[module] if name.split(".")[0] not in {"mlp", "bench", "tests"}}

    def under(self, prefix: str) -> list[str]:
        return [m for m in self.files if m == prefix or m.startswith(prefix + ".")]

    def arrows_out_of(self, prefix: str, allowed: tuple[str, ...]) -> list[str]:
        """Imports from modules under `prefix` to project modules outside `prefix` and `allowed`."""
        keep = (prefix,) + allowed
        return sorted(f"{m} -> {t}" for m in self.under(prefix) for t in self.graph[m]
                      if not any(t == k or t.startswith(k + ".") for k in keep))

    def cycles(self) -> list[list[str]]:
        """Every strongly connected group of more than one module (Tarjan)."""
        index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

        def visit(v):
            index[v] = low[v] = counter[0]
            counter[0] += 1
            stack.append(v)
            on.add(v)
            for w in sorted(self.graph.get(v, ())):
                if w not in index:
                    visit(w)
                    low[v] = min(low[v], low[w])
                elif w in on:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                group = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    group.append(w)
                    if w == v:
                        break
                if len(group) > 1:
                    out.append(sorted(group))

        for v in sorted(self.graph):
            if v not in index:
                visit(v)
        return out

    def private_imports(self, prefix: str = "mlp") -> list[str]:
        """`from mlp.x import _y` across modules of `prefix`: what two modules share should be public."""
        return sorted(f"{m}: {name}.{t}" for m in self.under(prefix) for name, taken in self.raw[m]
                      if name.startswith(prefix) for t in taken if t.startswith("_") and not t.startswith("__"))


@pytest.fixture(scope="module")
def house() -> House:
    return House(ROOT)


def test_the_engine_imports_nothing_else_of_the_project_and_no_ui_or_plotting(house):
    engine = house.under("mlp.engine")
    assert len(engine) >= 12
    assert house.arrows_out_of("mlp.engine", ()) == []
    assert {m: sorted(house.third_party(m) & {"streamlit", "plotly"}) for m in engine
            if house.third_party(m) & {"streamlit", "plotly"}} == {}


def test_the_figures_import_only_the_engine_the_run_and_the_notation(house):
    assert house.arrows_out_of("mlp.figures", ("mlp.engine", "mlp.run", "mlp.notation")) == []
    assert [m for m in house.under("mlp.figures") if "streamlit" in house.third_party(m)] == []


def test_the_run_and_the_classroom_stay_below_the_pages(house):
    """The app model and the classroom's server side use the engine (and each other), never the live
    layer, the labs, the figures or the UI."""
    assert house.arrows_out_of("mlp.run", ("mlp.engine", "mlp.notation")) == []
    assert house.arrows_out_of("mlp.classroom", ("mlp.engine", "mlp.run", "mlp.notation")) == []


def test_the_live_layer_and_the_labs_never_import_the_ui(house):
    for prefix in ("mlp.live", "mlp.lab"):
        assert [a for a in house.arrows_out_of(prefix, ()) if "mlp.ui" in a] == []
        assert [m for m in house.under(prefix) if "streamlit" in house.third_party(m)] == []


def test_nothing_below_the_ui_imports_it(house):
    below = [m for m in house.files if m.startswith("mlp.") and not m.startswith(("mlp.ui", "mlp.harness"))
             and m not in ("mlp.__main__",)]
    assert sorted(f"{m} -> {t}" for m in below for t in house.graph[m] if t.startswith("mlp.ui")) == []


def test_every_file_of_the_ui_is_streamlit_glue(house):
    ui = [m for m in house.under("mlp.ui") if m != "mlp.ui"]
    assert len(ui) > 15
    assert [m for m in ui if "streamlit" not in house.third_party(m)] == []


def test_only_the_ui_and_the_pages_import_streamlit(house):
    allowed = ("mlp.ui", "pages", "app", "tests")
    outside = [m for m in house.files if not any(m == a or m.startswith(a + ".") for a in allowed)
               and "streamlit" in house.third_party(m)]
    assert outside == []


def test_no_import_cycles(house):
    assert house.cycles() == []


def test_no_private_name_is_imported_across_modules_of_mlp(house):
    assert house.private_imports() == []


def test_bench_and_tests_never_import_each_other(house):
    assert house.arrows_out_of("bench", ("mlp",)) == []
    assert [a for a in house.arrows_out_of("tests", ("mlp",)) if "-> bench" in a] == []


# The checks themselves: they must see what they guard, and read only the project's files.

def _tree(root: Path, files: dict[str, str | bytes]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode())


DECOY = "# -*- coding: big5 -*-\nname = '".encode() + "中文".encode("big5") + b"'\n"   # not UTF-8


@pytest.mark.parametrize("with_git", [True, False], ids=["git checkout", "no git"])
def test_a_virtual_environment_inside_the_checkout_is_never_read(tmp_path, with_git):
    _tree(tmp_path, {".gitignore": ".venv/\n", "app.py": "import streamlit\n",
                     "mlp/__init__.py": "", "mlp/engine/__init__.py": "", "mlp/engine/a.py": "import numpy\n",
                     ".venv/lib/python3.11/site-packages/big5pkg/x.py": DECOY,
                     "venv/lib/y.py": DECOY})
    if with_git:
        subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
        (tmp_path / ".gitignore").write_text(".venv/\nvenv/\n")
    with pytest.raises(UnicodeDecodeError):
        (tmp_path / "venv/lib/y.py").read_text(encoding="utf-8")       # the decoy is what it claims
    house = House(tmp_path)
    assert sorted(house.files) == ["app", "mlp", "mlp.engine", "mlp.engine.a"]
    assert house.cycles() == [] and house.arrows_out_of("mlp.engine", ()) == []


def test_the_checks_see_what_they_guard(tmp_path):
    """A small project with each fault the checks name: every check reports it."""
    _tree(tmp_path, {
        "mlp/__init__.py": "", "mlp/engine/__init__.py": "", "mlp/ui/__init__.py": "", "mlp/figures/__init__.py": "",
        "mlp/engine/net.py": "from mlp.figures import plot\nimport plotly\n",
        "mlp/figures/plot.py": "from mlp.ui.glue import x\nfrom mlp.engine.net import _private\n",
        "mlp/ui/glue.py": "import streamlit\nfrom mlp.engine import net\n",
        "mlp/engine/a.py": "from . import b\n", "mlp/engine/b.py": "from .a import thing\n",
        "bench/x.py": "from tests.helpers import y\n", "tests/helpers.py": "",
    })
    house = House(tmp_path)
    assert house.arrows_out_of("mlp.engine", ()) == ["mlp.engine.net -> mlp.figures.plot"]
    assert house.third_party("mlp.engine.net") == {"plotly"}
    assert house.arrows_out_of("mlp.figures", ("mlp.engine",)) == ["mlp.figures.plot -> mlp.ui.glue"]
    assert sorted(map(tuple, house.cycles())) == [("mlp.engine.a", "mlp.engine.b"),
                                                 ("mlp.engine.net", "mlp.figures.plot", "mlp.ui.glue")]
    assert house.private_imports() == ["mlp.figures.plot: mlp.engine.net._private"]
    assert house.arrows_out_of("bench", ("mlp",)) == ["bench.x -> tests.helpers"]


def test_no_two_files_of_the_project_share_a_name():
    """One name per concept: a file's name says which one, wherever it lives (packages' __init__.py aside)."""
    names: dict[str, list[str]] = {}
    for path in project_files(ROOT, ".py") + project_files(ROOT, ".js"):
        if path.name != "__init__.py":
            names.setdefault(path.name, []).append(str(path.relative_to(ROOT)))
    assert {name: where for name, where in names.items() if len(where) > 1} == {}
