"""Corpus readers: formats, stable ids, streaming, and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgagent.corpus import count_documents, read_corpus
from kgagent.errors import InputError
from kgagent.text import sentence_spans


def test_plain_text_blank_lines_separate_documents(tmp_path: Path) -> None:
    p = tmp_path / "news.txt"
    p.write_text("\ufeffOne.\r\nStill one.\n\n\n  \nTwo.\n", encoding="utf-8")
    docs = list(read_corpus([p]))
    assert [(d.id, d.text) for d in docs] == [("news#1", "One.\nStill one."), ("news#2", "Two.")]
    assert docs[1].source == f"{p}:6"


def test_jsonl_ids_and_default_ids(tmp_path: Path) -> None:
    p = tmp_path / "c.jsonl"
    p.write_text(json.dumps({"id": "a", "text": "Alpha."}) + "\n\n" + json.dumps({"text": "Beta."}) + "\n"
                 + json.dumps({"id": 7, "text": "Gamma."}) + "\n")
    assert [(d.id, d.text) for d in read_corpus([p])] == [("a", "Alpha."), ("c#3", "Beta."), ("7", "Gamma.")]


def test_directory_of_txt_files(tmp_path: Path) -> None:
    (tmp_path / "bbc" / "business").mkdir(parents=True)
    (tmp_path / "bbc" / "business" / "001.txt").write_text("Para one.\n\nPara two.\n")
    (tmp_path / "bbc" / "tech.txt").write_text("Tech.\n")
    (tmp_path / "bbc" / "notes.md").write_text("ignored")
    docs = list(read_corpus([tmp_path / "bbc"]))
    assert [d.id for d in docs] == ["business/001", "tech"]
    assert docs[0].text == "Para one.\n\nPara two."


def test_ids_are_stable_across_reads(tmp_path: Path) -> None:
    p = tmp_path / "n.txt"
    p.write_text("A.\n\nB.\n\nC.\n")
    assert [d.id for d in read_corpus([p])] == [d.id for d in read_corpus([p])]


def test_streaming_reads_lazily(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    p.write_text("Doc.\n\n" * 1000 + "Last.")
    it = read_corpus([p])
    assert next(it).id == "big#1"  # a generator: the first document arrives before the file is read
    assert count_documents([p]) == 1001


@pytest.mark.parametrize("content, code, where", [
    (b"Good line.\nbad \xff byte\n", "KGA401", ":2:5"),
    (b"\x00\x01\x02binary\x00", "KGA402", "bin"),
    (b"", "KGA403", "bin"),
    (b"   \n\n  \n", "KGA403", "bin"),
])
def test_bad_text_files(tmp_path: Path, content: bytes, code: str, where: str) -> None:
    p = tmp_path / "bin.txt"
    p.write_bytes(content)
    with pytest.raises(InputError) as err:
        list(read_corpus([p]))
    assert err.value.code == code
    assert str(p) in str(err.value) and where in str(err.value)
    assert "\n" not in str(err.value)


def test_malformed_json_line_names_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "c.jsonl"
    p.write_text('{"id": "a", "text": "ok"}\n{"id": "b", "text": \n')
    with pytest.raises(InputError) as err:
        list(read_corpus([p]))
    assert err.value.code == "KGA404" and f"{p}:2" in str(err.value)


@pytest.mark.parametrize("line, words", [('["a"]', "array"), ('{"id": "x"}', '"text"'),
                                         ('{"id": true, "text": "t"}', '"id"')])
def test_json_objects_without_text_or_with_bad_id(tmp_path: Path, line: str, words: str) -> None:
    p = tmp_path / "c.jsonl"
    p.write_text(line + "\n")
    with pytest.raises(InputError, match=words):
        list(read_corpus([p]))


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text('{"id": "x", "text": "one"}\n')
    b.write_text('{"id": "x", "text": "two"}\n')
    with pytest.raises(InputError) as err:
        list(read_corpus([a, b]))
    assert err.value.code == "KGA406" and f"{b}:1" in str(err.value) and f"{a}:1" in str(err.value)
    # ids the records give are not put on the files' names (tests/agent/test_corpus_same_stem.py)
    assert err.value.message == f"duplicate document id 'x' (first at {a}:1)"


def test_missing_path_and_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="KGA407"):
        list(read_corpus([tmp_path / "nope.txt"]))
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no .txt files"):
        list(read_corpus([tmp_path / "empty"]))


def test_one_megabyte_line_without_sentence_breaks(tmp_path: Path) -> None:
    p = tmp_path / "long.txt"
    p.write_text("word " * 210_000 + "\n")
    (doc,) = list(read_corpus([p]))
    spans = sentence_spans(doc.text)
    assert len(doc.text) > 1_000_000
    assert max(e - s for s, e in spans) <= 2000
    assert "".join(doc.text[s:e] for s, e in spans).replace(" ", "") == doc.text.replace(" ", "")


def test_document_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "huge.txt"
    p.write_text("x" * 500 + "\n" + "y" * 600 + "\n")
    with pytest.raises(InputError) as err:
        list(read_corpus([p], max_doc_chars=1000))
    assert err.value.code == "KGA405" and f"{p}:2" in str(err.value)


@pytest.mark.parametrize("text, sentences", [
    ("Navy Capt. Michael Coats said so. He left.", ["Navy Capt. Michael Coats said so.", "He left."]),
    ("One year ago: The Rev. Jesse Jackson won.", ["One year ago: The Rev. Jesse Jackson won."]),
    ("Temperatures at 2 a.m. EST ranged from 9 degrees.", ["Temperatures at 2 a.m. EST ranged from 9 degrees."]),
    ("They left at 5 p.m. Then it rained.", ["They left at 5 p.m.", "Then it rained."]),
    ("Sales rose in 1987. France led.", ["Sales rose in 1987.", "France led."]),
])
def test_titles_and_time_zones_do_not_end_sentences(text: str, sentences: list[str]) -> None:
    """Cases from CoNLL04, whose 'sentences' the splitter used to cut (8 of 288 test sentences)."""
    assert [text[s:e] for s, e in sentence_spans(text)] == sentences


def test_a_lone_cr_ends_a_line(tmp_path: Path) -> None:
    """Old Mac line breaks: a lone CR ends a line, two of them a document (before: the CRs were
    dropped, gluing "Massachusetts.Texas" and merging the two documents into one)."""
    p = tmp_path / "mac.txt"
    p.write_bytes(b"Boston lies in Massachusetts.\rTexas is big.\r\rNew York.\r")
    docs = list(read_corpus([p]))
    assert [(d.id, d.text, d.source) for d in docs] == [
        ("mac#1", "Boston lies in Massachusetts.\nTexas is big.", f"{p}:1"), ("mac#2", "New York.", f"{p}:4")]
    p.write_bytes(b"One.\r\r\nTwo.\r\n\r\nThree.\r\n")  # CR, then CRLF: a blank line
    assert [d.text for d in read_corpus([p])] == ["One.", "Two.", "Three."]


def test_a_fifo_reads_as_a_file(tmp_path: Path) -> None:
    """A FIFO (or ``<(zcat corpus.gz)``) is read once, never rewound (before: KGA550 "File or
    stream is not seekable")."""
    import os
    import threading

    fifo = tmp_path / "corpus.txt"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(b"\xef\xbb\xbfOne.\n\nTwo.\n"))
    writer.start()
    try:
        assert [(d.id, d.text) for d in read_corpus([fifo])] == [("corpus#1", "One."), ("corpus#2", "Two.")]
    finally:
        writer.join(5)


def test_a_long_blank_head_is_not_an_empty_file(tmp_path: Path) -> None:
    """More blank lines than the binary sniff reads (8 KB) before the first document (before:
    KGA403 "empty file")."""
    p = tmp_path / "late.txt"
    p.write_text("\n" * 9000 + "Late.\n")
    assert [(d.id, d.text, d.source) for d in read_corpus([p])] == [("late#1", "Late.", f"{p}:9001")]


def test_document_text_is_what_the_file_holds(tmp_path: Path) -> None:
    """Leading whitespace is kept, so spans index the text the user gave (before: a JSON ``text``
    and a plain document's first line were stripped, every span off by the whitespace)."""
    p = tmp_path / "c.jsonl"
    p.write_text(json.dumps({"id": "a", "text": "  Boston lies in Texas.\n"}) + "\n")
    assert [d.text for d in read_corpus([p])] == ["  Boston lies in Texas.\n"]
    p = tmp_path / "c.txt"
    p.write_text("\tBoston lies in Texas.  \n\n    Texas.\n")
    assert [d.text for d in read_corpus([p])] == ["\tBoston lies in Texas.", "    Texas."]


def test_spans_index_the_json_text_as_given(agent, tmp_path: Path) -> None:
    p = tmp_path / "c.jsonl"
    text = "  \tBoston lies in Massachusetts. 😀 Texas is big."
    p.write_text(json.dumps({"id": "a", "text": text}) + "\n")
    agent.extract_to([p], tmp_path / "out")
    decisions = [json.loads(x) for x in (tmp_path / "out" / "decisions.jsonl").read_text().splitlines()]
    mentions = [(d["text"], d["span"]) for d in decisions if d["kind"] == "entity"]
    assert {m for m, _ in mentions} == {"Boston", "Massachusetts", "Texas"}
    assert all(text[s:e] == m for m, (s, e) in mentions)


@pytest.mark.parametrize("line, words", [
    ('{"id": ' + "9" * 5000 + ', "text": "Boston."}', "KGA404 JSON that cannot be read: Exceeds the limit (4300 digits)"),
    ('{"text": "Boston.", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
     "KGA404 JSON nested deeper than Python's parser can read"),
])
def test_json_python_cannot_hold_is_named_by_line(tmp_path: Path, line: str, words: str) -> None:
    """Before: a traceback (ValueError of the int-to-string limit, RecursionError)."""
    p = tmp_path / "c.jsonl"
    p.write_text('{"text": "ok"}\n' + line + "\n")
    with pytest.raises(InputError) as err:
        list(read_corpus([p]))
    assert str(err.value).startswith(f"{p}:2: {words}")


@pytest.mark.parametrize("content, where", [
    ('[\n  {"text": "Boston."},\n  {"text": "Texas."}\n]\n', ":1:2: KGA404 malformed JSON: Expecting value"),
    ('[{"text": "Boston."}, {"text": "Texas."}]\n', ':1: KGA404 expected one JSON object per line with "text", '
                                                   "got an array"),
    ('{\n  "text": "Boston."\n}\n', ":1:2: KGA404 malformed JSON: Expecting property name"),
])
def test_a_whole_json_document_is_told_to_be_json_lines(tmp_path: Path, content: str, where: str) -> None:
    """Before: 'malformed JSON: Expecting value (column 2)' and nothing on why a valid JSON file
    is malformed."""
    p = tmp_path / "corpus.json"
    p.write_text(content)
    with pytest.raises(InputError) as err:
        list(read_corpus([p]))
    assert str(err.value).startswith(f"{p}{where}")
    assert str(err.value).endswith("; a .json/.jsonl corpus is JSON Lines: one object {\"text\": ...} per line, not "
                                   "one JSON document (convert an array with: jq -c '.[]' FILE.json > FILE.jsonl)")


def test_combining_marks_stay_in_their_word() -> None:
    """Decomposed (NFD) accents and Indic vowel signs: before, each mark was a word of its own and
    cut the word in two ("Marti", "\u0301", "nez"), so a mention could end inside a name (the
    model found "José Martí" in "José Martínez")."""
    import unicodedata

    from kgagent.text import word_spans

    t = unicodedata.normalize("NFD", "José Martínez left São Paulo for Zürich.") + " नमस्ते दुनिया"
    assert [t[s:e] for s, e in word_spans(t)] == [
        unicodedata.normalize("NFD", w) for w in ("José", "Martínez", "left", "São", "Paulo", "for", "Zürich", ".")
    ] + ["नमस्ते", "दुनिया"]


def test_json_lines_end_at_lf_alone(tmp_path: Path) -> None:
    """In JSON Lines a CR is the JSON's: white space between values (default ids keep their line
    numbers), an error inside a string (before: it was deleted from the text without a word)."""
    p = tmp_path / "c.jsonl"
    p.write_bytes(b'{"text": "One."}\r\n\r{"text": "Two."}\r\n{"text": "Three."}\n')
    assert [(d.id, d.text) for d in read_corpus([p])] == [("c#1", "One."), ("c#2", "Two."), ("c#3", "Three.")]
    p.write_bytes(b'{"text": "Bos\rton."}\n')
    with pytest.raises(InputError) as err:
        list(read_corpus([p]))
    assert str(err.value).startswith(f"{p}:1:14: KGA404 malformed JSON: Invalid control character")


@pytest.mark.parametrize("encoding, named", [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16LE"),
                                             ("utf-16-be", "UTF-16BE"), ("utf-32", "UTF-32")])
def test_utf16_text_is_named_not_called_binary(tmp_path: Path, encoding: str, named: str) -> None:
    """Before: 'KGA402 binary file (NUL bytes), not text' for a UTF-16 file (PowerShell's `>`)."""
    p = tmp_path / "win.txt"
    p.write_bytes("Boston lies in Massachusetts.\r\n".encode(encoding))
    with pytest.raises(InputError) as err:
        list(read_corpus([p]))
    assert str(err.value) == f"{p}: KGA401 {named} text, not UTF-8: convert it (iconv -f {named} -t UTF-8 FILE > NEW)"


def test_a_packed_corpus_is_named_with_how_to_read_it(tmp_path: Path) -> None:
    """Before: 'KGA402 binary file (NUL bytes), not text' for a gzip file, and 'KGA401 not UTF-8
    text' for a PDF; now what the file is and how to give its text (a pipe is read as a file)."""
    import gzip

    p = tmp_path / "news.txt.gz"
    p.write_bytes(gzip.compress(b"Boston lies in Massachusetts.\n"))
    with pytest.raises(InputError) as err:
        list(read_corpus([p]))
    assert str(err.value) == f"{p}: KGA402 a gzip-compressed file, not text: give <(zcat FILE) instead, or unpack it"
    p = tmp_path / "paper.txt"
    p.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    with pytest.raises(InputError, match="KGA402 a PDF document, not text: give its text"):
        list(read_corpus([p]))
    p.write_bytes(b"BZh is a word here.\n")  # text that starts like a bzip2 file is text
    assert [d.text for d in read_corpus([p])] == ["BZh is a word here."]


def test_a_directory_s_upper_case_txt_files_are_documents_too(tmp_path: Path) -> None:
    """Before: NOTES.TXT (a DOS/Windows name) was left out without a word; a folder of only such
    files was 'KGA407 directory has no .txt files'."""
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text("Alpha.\n")
    (tmp_path / "c" / "B.TXT").write_text("Beta.\n")
    (tmp_path / "c" / "c.md").write_text("ignored\n")
    assert [(d.id, d.text) for d in read_corpus([tmp_path / "c"])] == [("B", "Beta."), ("a", "Alpha.")]


def test_stdin_given_twice_is_named(monkeypatch) -> None:
    """Before: `kgagent extract - -` read the documents once, then 'KGA403 <stdin>: empty file'."""
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"One.\n")))
    with pytest.raises(InputError) as err:
        next(read_corpus(["-", "-"]))  # before any document is read
    assert str(err.value) == "<stdin>: KGA407 standard input (-) given twice; it can be read once"


@pytest.mark.parametrize("line, words", [
    ('{"id": "\\udc80x", "text": "Boston."}', '"id" holds a lone surrogate (\\udc80) at character 0'),
    ('{"text": "Bos\\ud800ton."}', '"text" holds a lone surrogate (\\ud800) at character 3'),
])
def test_a_lone_surrogate_in_a_json_document_is_named_by_line(tmp_path: Path, line: str, words: str) -> None:
    """Before: 'KGA410 document 'x': its text holds a lone surrogate ...' from the agent, with no
    file or line to find it by (and for an id not even the document)."""
    p = tmp_path / "c.jsonl"
    p.write_text('{"text": "ok."}\n' + line + "\n")
    with pytest.raises(InputError) as err:
        list(read_corpus([p]))
    assert str(err.value) == f"{p}:2: KGA404 {words}, which is no text"


def test_a_line_blank_to_the_eye_separates_documents(tmp_path: Path) -> None:
    """A line of zero-width spaces (web-scraped text has them), a BOM of a file pasted in, or a
    no-break space looks blank and separates documents (before: the first two merged them)."""
    p = tmp_path / "web.txt"
    p.write_text("One.\n\u200b\u200b\nTwo.\n\ufeff \nThree.\n\u00a0\nFour.\n")
    assert [d.text for d in read_corpus([p])] == ["One.", "Two.", "Three.", "Four."]
    p.write_text("\u200b\n\u2060\n")
    with pytest.raises(InputError, match="KGA403 empty file"):
        list(read_corpus([p]))


@pytest.mark.parametrize("name", ["one.txt", "one.jsonl"])
def test_a_line_past_the_limit_is_refused_before_it_is_read_whole(tmp_path: Path, name: str) -> None:
    """Before: a file without line breaks was read whole into memory (gigabytes for a dump) before
    KGA405 said the document was too long."""
    import tracemalloc

    p = tmp_path / name
    p.write_bytes(b"Boston lies in Massachusetts. " * 400_000)  # 12 MB, no line break
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as err:
            list(read_corpus([p], max_doc_chars=1000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(err.value).startswith(f"{p}:1: KGA405 ") and "longer than" in str(err.value)
    assert peak < 1_000_000, peak


def test_one_path_alone_is_that_path(tmp_path: Path) -> None:
    """Before: read_corpus("news.txt") iterated the characters of the name: "/" of an absolute
    path is a directory, so it read every .txt file of the whole file system (or failed on one
    of them); read_corpus(Path(...)) was a TypeError."""
    p = tmp_path / "news.txt"
    p.write_text("One.\n\nTwo.\n")
    assert [d.id for d in read_corpus(str(p))] == [d.id for d in read_corpus(p)] == ["news#1", "news#2"]
    assert count_documents(p) == 2


@pytest.mark.parametrize("limit", [0, -1, 1.5, float("nan"), True])
def test_a_size_limit_that_is_no_length_is_refused(tmp_path: Path, limit) -> None:
    """Before: nan let every document through, 1.5 failed with a TypeError inside readline."""
    p = tmp_path / "news.txt"
    p.write_text("One.\n")
    with pytest.raises(InputError) as err:
        list(read_corpus([p], max_doc_chars=limit))
    assert err.value.code == "KGA419" and f"not {limit!r}" in str(err.value)
