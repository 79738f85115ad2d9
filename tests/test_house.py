"""The house's layering, read from every module's imports: the engine imports neither Streamlit nor
Plotly, the figures and the live layer never Streamlit, and mlp/ui/ is Streamlit glue: every file there
imports Streamlit (code that does not need it lives elsewhere)."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MLP = ROOT / "mlp"


def imported(path: Path) -> set[str]:
    """The top-level packages a module imports, wherever in it the import stands."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def modules(folder: Path, *, skip=()) -> list[Path]:
    return [p for p in sorted(folder.rglob("*.py")) if not any(part in skip for part in p.relative_to(MLP).parts)]


def test_the_engine_imports_neither_streamlit_nor_plotly():
    engine = modules(MLP, skip=("ui", "figures", "harness"))
    assert len(engine) > 20
    offenders = {str(p.relative_to(ROOT)): sorted(imported(p) & {"streamlit", "plotly"}) for p in engine}
    assert not {k: v for k, v in offenders.items() if v}


def test_the_figures_and_the_live_layer_never_import_streamlit():
    for folder in (MLP / "figures", MLP / "live"):
        offenders = [str(p.relative_to(ROOT)) for p in modules(folder) if "streamlit" in imported(p)]
        assert not offenders


def test_every_file_of_the_ui_is_streamlit_glue():
    ui = [p for p in modules(MLP / "ui") if p.name != "__init__.py"]
    assert len(ui) > 15
    assert not [str(p.relative_to(ROOT)) for p in ui if "streamlit" not in imported(p)]


def test_only_the_ui_the_pages_and_the_protocol_client_import_streamlit():
    allowed = {ROOT / "app.py", MLP / "harness" / "protocol_client.py"}
    outside = [p for p in sorted(ROOT.glob("**/*.py"))
               if not p.is_relative_to(MLP / "ui") and not p.is_relative_to(ROOT / "pages")
               and not p.is_relative_to(ROOT / "tests") and p not in allowed
               and ".git" not in p.parts and "streamlit" in imported(p)]
    assert not [str(p.relative_to(ROOT)) for p in outside]
