"""`python -m mlp class new --lesson NAME_OR_FILE` (mlp/__main__.py): the class runs the lesson from its
first step; a lesson that cannot be used is one line, exit 2, and starts no class."""
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from mlp.__main__ import main
from mlp.classroom.store import Store, classes

BASE = ["--base-url", "http://room:8080"]


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    url = f"sqlite:///{tmp_path / 'classes.sqlite'}"
    monkeypatch.setenv("MLP_STORE", url)
    return Store(url)


def _class_count(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(classes)).scalar()


def test_a_class_started_with_a_built_in_lesson_runs_its_first_step(store, capsys):
    assert main(["class", "new", "--title", "Tuesday", "--lesson", "why-initialization-matters", *BASE]) == 0
    join, teacher = capsys.readouterr().out.splitlines()
    class_id = parse_qs(urlsplit(join).query)["join"][0]
    key = parse_qs(urlsplit(teacher).query)["key"][0]
    lesson = store.class_info(class_id).lesson
    # the file's title and its four [[steps]]: zeros, too small, too large, Xavier and He
    assert (lesson.title, lesson.steps, lesson.step) == ("Why initialization matters", 4, 0)
    assert store.go_to_step(class_id, key, lesson.lesson_id, 1).step == 1        # the printed key moves it


def test_a_class_started_with_a_lesson_file_keeps_the_files_text(store, tmp_path, capsys):
    path = tmp_path / "mine.toml"
    text = 'title = "Mine"\n\n[[steps]]\ntitle = "Only step"\ntext = "Press Play."\n'
    path.write_text(text)
    assert main(["class", "new", "--title", "T", "--lesson", str(path), *BASE]) == 0
    class_id = parse_qs(urlsplit(capsys.readouterr().out.splitlines()[0]).query)["join"][0]
    assert store.lesson_text(class_id) == text
    assert store.class_info(class_id).lesson.steps == 1


@pytest.mark.parametrize("lesson, said", [
    ("no-such-lesson", "no built-in lesson or file named 'no-such-lesson'"),
    ("BAD_FILE", "bad.toml:5:"),                # the line of the unknown setting
])
def test_a_lesson_that_cannot_be_used_is_one_line_exit_2_and_no_class(store, tmp_path, capsys, lesson, said):
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "Bad"\n[[steps]]\ntitle = "One"\ntext = "t"\nsettings = { speed = 3 }\n'
                   'lock = ["nothing-like-this"]\n')
    code = main(["class", "new", "--title", "T", "--lesson", str(bad) if lesson == "BAD_FILE" else lesson, *BASE])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and said in err and "Traceback" not in err
    assert _class_count(store) == 0
