"""The README as a newcomer reads it: its command-line examples run as written, its set-up section says
what a fresh machine needs, and a test run keeps its screenshots out of the tracked README pictures."""
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from mlp.run.config import Config
from tests.browser import README_PICTURES, ROOT, RUN_SCREENSHOTS

README = (ROOT / "README.md").read_text(encoding="utf-8")
TAKE_HOME_FILES = ["settings.json", "data.csv", "history.csv", "weights.npz", "predict.py", "report.html"]


def section(heading: str) -> str:
    """The README's text under `heading` (a "## " or "### " line), up to the next heading."""
    start = README.index(f" {heading}\n")
    following = re.search(r"^#{2,3} ", README[start:], flags=re.M)
    return README[start:start + following.start()] if following else README[start:]


def bash_lines(text: str) -> list[str]:
    return [line for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S)
            for line in block.splitlines() if line.strip()]


def run_as_written(line: str, cwd: Path) -> subprocess.CompletedProcess:
    """A README line that starts with `python`, run by this interpreter with the repository importable."""
    words = shlex.split(line)
    assert words[0] == "python", line
    return subprocess.run([sys.executable, *words[1:]], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_the_command_line_examples_run_as_written_and_write_what_the_readme_promises(tmp_path):
    text = section("Save, export and carry on")
    lines = bash_lines(text)
    assert len(lines) >= 3
    outs = []
    for line in lines:
        done = run_as_written(line, tmp_path)
        assert done.returncode == 0, f"{line}\n{done.stderr}"
        words = shlex.split(line)
        if "--out" in words:
            outs.append(words[words.index("--out") + 1])
    assert outs and all(out.startswith("runs/") for out in outs)        # runs/ is git-ignored (below)
    for name in TAKE_HOME_FILES:
        assert f"`{name}`" in text
        for out in outs:
            assert (tmp_path / out / name).is_file(), f"{out}/{name}"
    # "the second line trains the first run's settings again with two hidden layers of 8 units"
    first, second = (Config.from_json((tmp_path / out / "settings.json").read_text()) for out in outs[:2])
    assert first == Config(dataset="xor", lr=0.1)
    assert second == first.replace(hidden=(8, 8))


def test_the_set_up_section_says_what_a_fresh_machine_needs():
    text = section("Set-up: two commands")
    assert "Python 3.11" in text and "PEP 668" in text
    system, venv, app, tests = bash_lines(text)
    assert {"python3-venv", "chromium", "nginx"} <= set(system.split())
    assert venv == "python3 -m venv .venv && . .venv/bin/activate"
    assert app == "pip install -r requirements.txt && streamlit run app.py"
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert ci[-1] == tests                                             # CI runs exactly the README's tests
    assert "--refresh-screenshots" in text


def test_the_venv_line_runs_as_written(tmp_path):
    venv = bash_lines(section("Set-up: two commands"))[1]
    done = subprocess.run(["bash", "-c", venv + " && command -v python"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == tmp_path / ".venv" / "bin" / "python"


def test_the_readme_pictures_are_tracked_and_a_test_run_writes_elsewhere():
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert pictures
    for picture in pictures:
        assert (ROOT / picture).is_file() and (ROOT / picture).parent == README_PICTURES, picture
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert f"{RUN_SCREENSHOTS.relative_to(ROOT)}/" in ignored and "runs/" in ignored and ".venv/" in ignored
    assert f"{README_PICTURES.relative_to(ROOT)}/" not in ignored


def test_the_tour_names_every_file_of_the_lower_packages_and_every_path_it_names_exists():
    """The layout section matches the tree: each module of the engine, the run and the classroom has its
    row (a new file without one fails here), and no path anywhere in the README points at nothing."""
    tour = section("A tour of the code")
    for package in ("engine", "run", "classroom"):
        for path in sorted((ROOT / "mlp" / package).glob("*.py")):
            if path.name != "__init__.py":
                assert f"| `{path.name}` |" in tour, f"mlp/{package}/{path.name} has no row in the tour"
    named = set(re.findall(r"`((?:mlp|bench|tests|pages|\.ci)/[\w./-]+)`", README))
    assert len(named) > 20
    ignored = [line.strip("/") for line in (ROOT / ".gitignore").read_text().splitlines() if line and line[0] != "#"]
    missing = [p for p in named if not (ROOT / p.split(":")[0]).exists() and "<" not in p
               and not any(p.strip("/").startswith(i) for i in ignored)]     # made by a run (tests/.screenshots/)
    assert sorted(missing) == []
