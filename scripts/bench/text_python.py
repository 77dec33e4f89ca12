#!/usr/bin/python3
"""Python baseline for scripts/bench/text.sh: what the old pipeline did per article.

BeautifulSoup(html, "html.parser").get_text(" ", strip=True) for cleaning, then one `re`
search per alias of config/keywords.tsv (\\b-bounded, case per entry) for keywords. Prints
JSON with CPU seconds for each step over the NUL-separated corpus of text_corpus.py.

Usage: text_python.py CORPUS KEYWORDS
"""
import json
import warnings
import re
import sys
import time

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)


def load_keywords(path):
    keywords = []
    for line in open(path, encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        if line[0] in " \t":
            if line.strip() == "case=sensitive" and keywords:
                keywords[-1][2] = 0
            continue
        name, _, aliases = line.rstrip("\n").partition("\t")
        keywords.append([name, [a.strip() for a in aliases.split(",") if a.strip()], re.IGNORECASE])
    compiled = []
    for name, aliases, flags in keywords:
        patterns = [re.compile(r"(?<!\w)" + re.escape(a) + r"(?!\w)", flags) for a in aliases]
        compiled.append((name, patterns))
    return compiled


def main():
    fragments = open(sys.argv[1], "rb").read().decode("utf-8", "replace").split("\0")
    fragments = [f for f in fragments if f]
    keywords = load_keywords(sys.argv[2])
    start = time.process_time()
    texts = [BeautifulSoup(f, "html.parser").get_text(" ", strip=True) for f in fragments]
    strip_seconds = time.process_time() - start
    start = time.process_time()
    hits = 0
    for text in texts:
        hits += sum(1 for name, patterns in keywords if any(p.search(text) for p in patterns))
    match_seconds = time.process_time() - start
    json.dump({"fragments": len(fragments), "strip_cpu_seconds": strip_seconds,
               "match_cpu_seconds": match_seconds, "keyword_hits": hits}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
