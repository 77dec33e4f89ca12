#!/usr/bin/python3
"""Writes the HTML fragments of tests/data/realworld feeds to one NUL-separated file.

Used by scripts/bench/text.sh so that the C++ benchmark (bench/transforms_bench.cpp) and the
Python baseline (BeautifulSoup) measure exactly the same input. Fragments are the text of
<description>, <content:encoded>, Atom <content>/<summary> and RDF <description> elements.

Usage: text_corpus.py REALWORLD_DIR OUT_FILE
"""
import pathlib
import sys
import xml.etree.ElementTree as ET

WANTED = {"description", "encoded", "content", "summary"}


def fragments(path: pathlib.Path):
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, ValueError, LookupError):
        return
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if local in WANTED:
            text = "".join(element.itertext()).strip()
            if text:
                yield text


def main() -> None:
    source, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    count = 0
    with out.open("wb") as sink:
        for path in sorted(source.iterdir()):
            if path.suffix.lower() not in {".xml", ".rss", ".atom", ".rdf"}:
                continue
            for text in fragments(path):
                sink.write(text.encode("utf-8", "surrogatepass").replace(b"\0", b"") + b"\0")
                count += 1
    print(f"{count} fragments, {out.stat().st_size} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
