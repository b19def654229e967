"""Symlinks and `..` in a folder load: nothing outside the folder is read unless named."""

from __future__ import annotations

import pytest

from .utils import rows, run_cli

ARTICLE = "Die Polizei sagte, die Brücke sei gesperrt.\n"
SECRET = "-----BEGIN OPENSSH PRIVATE KEY----- not for the database\n"


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "home" / "id_rsa"
    path.parent.mkdir()
    path.write_text(SECRET, encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "articles"
    path.mkdir()
    (path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    return path


def stored_texts(db) -> list[str]:
    return [text for (text,) in rows(db, "select text from documents")]


def test_a_folder_load_skips_a_symlink_out_of_the_folder_and_says_so(tmp_path, folder, secret):
    (folder / "notes.txt").symlink_to(secret)
    db = tmp_path / "claims.db"
    result = run_cli("load", db, folder)
    assert result.exit_code == 0, result.output
    assert f"warning: {folder / 'notes.txt'}: skipped, a symlink to {secret}" in result.output
    assert stored_texts(db) == [ARTICLE]  # landed code: the key was stored as an article


def test_a_symlinked_folder_out_of_the_folder_is_skipped_too(tmp_path, folder, secret):
    (folder / "elsewhere").symlink_to(secret.parent, target_is_directory=True)
    db = tmp_path / "claims.db"
    result = run_cli("load", db, folder)
    assert result.exit_code == 0, result.output
    assert SECRET not in "".join(stored_texts(db))


def test_a_symlink_inside_the_folder_is_followed(tmp_path, folder):
    (folder / "same.txt").symlink_to(folder / "a.txt")
    db = tmp_path / "claims.db"
    result = run_cli("load", db, folder)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    assert stored_texts(db) == [ARTICLE]


def test_a_symlink_named_on_the_command_line_is_the_users_choice(tmp_path, folder, secret):
    named = tmp_path / "mine.txt"
    named.symlink_to(secret)
    db = tmp_path / "claims.db"
    result = run_cli("load", db, named)
    assert result.exit_code == 0, result.output
    assert stored_texts(db) == [SECRET]


def claim_file(folder, document: str) -> None:
    (folder / "x.claims.yml").write_text(
        f"document:\n  file: {document}\nclaims:\n  - text: 'not for the database'\n"
        "    stance: asserts\n    quote_kind: paraphrase\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize("how", ["symlink", "parent"])
def test_a_claim_file_in_a_folder_load_reaches_no_article_outside_its_folder(
    tmp_path, folder, secret, how
):
    """Even one the same load reads: `..` up to a sibling folder, or a symlink out."""
    sub = folder / "sub"
    sub.mkdir()
    if how == "symlink":
        (sub / "notes.txt").symlink_to(secret)
        claim_file(sub, "notes.txt")
    else:
        (folder / "secret.txt").write_text(SECRET, encoding="utf-8")
        claim_file(sub, "../secret.txt")
    db = tmp_path / "claims.db"
    result = run_cli("load", db, folder)
    assert result.exit_code == 1, result.output
    assert f"{sub / 'x.claims.yml'}:2: field 'file':" in result.output
    assert "lies outside the claim file's folder" in result.output
    assert "Traceback" not in result.output
    assert not db.exists()


def test_a_claim_file_may_name_an_article_named_on_the_command_line(tmp_path, folder):
    sub = folder / "sub"
    sub.mkdir()
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("Die Ministerin sagte, not for the database.\n", encoding="utf-8")
    claim_file(sub, "../../elsewhere.txt")
    db = tmp_path / "claims.db"
    result = run_cli("load", db, sub / "x.claims.yml", elsewhere)
    assert result.exit_code == 0, result.output
    assert rows(db, "select text from claims where origin = 'curated'") == [
        ("not for the database",)
    ]
