#!/usr/bin/python3
"""The Python pipeline rssflow replaces, without Apache Beam (which no longer installs):
feedparser -> dedupe by hash -> BeautifulSoup clean -> keyword regexes -> format -> JSON Lines.

It does per feed what the old Beam DoFns did per element, in one process, so the comparison
with rssflow is about the work, not about Beam's overhead (which would only widen the gap).

usage: python_baseline.py OUT.jsonl FEED_FILE...
"""
import hashlib
import json
import re
import sys
import time

import feedparser
from bs4 import BeautifulSoup

KEYWORDS = {
    "Python": [r"\bpython\b"], "JavaScript": [r"\bjavascript\b", r"\bjs\b"],
    "TypeScript": [r"\btypescript\b"], "Go": [r"\bgolang\b", r"\bGo\b"], "Rust": [r"\brust\b"],
    "Kubernetes": [r"\bkubernetes\b", r"\bk8s\b"], "Docker": [r"\bdocker\b"], "React": [r"\breact\b"],
    "CSS": [r"\bcss\b"], "HTML": [r"\bhtml\b"], "PostgreSQL": [r"\bpostgres(ql)?\b"],
    "Linux": [r"\blinux\b"], "AI": [r"\bai\b", r"\bartificial intelligence\b"], "Figma": [r"\bfigma\b"],
    "UX": [r"\bux\b", r"\buser experience\b"], "Accessibility": [r"\baccessibility\b", r"\ba11y\b"],
    "Java": [r"\bjava\b"], "Swift": [r"\bswift\b"], "C++": [r"\bc\+\+"], "Node.js": [r"\bnode\.?js\b"],
}
COMPILED = {name: [re.compile(p, re.I) for p in pats] for name, pats in KEYWORDS.items()}


def clean(html):
    return " ".join(BeautifulSoup(html or "", "html.parser").get_text(" ").split())


def record(entry, feed_url):
    link = entry.get("link", "")
    guid = entry.get("id", link)
    key = link or guid or (entry.get("title", "") + entry.get("published", ""))
    title = clean(entry.get("title", ""))
    summary = clean(entry.get("summary", ""))
    content = clean(entry["content"][0].get("value", "")) if entry.get("content") else summary
    text = " ".join((title, summary, content))
    keywords = [name for name, pats in COMPILED.items() if any(p.search(text) for p in pats)]
    published = entry.get("published_parsed") or entry.get("updated_parsed")
    return {
        "url": link, "guid": guid, "title": title, "author": entry.get("author"),
        "published_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", published) if published else None,
        "summary": summary[:600], "content_text": content, "keywords": keywords,
        "categories": [t.get("term") for t in entry.get("tags", []) if t.get("term")],
        "feed_url": feed_url, "url_hash": hashlib.md5(key.encode()).hexdigest(),
        "content_hash": hashlib.md5((title + "\n" + content).encode()).hexdigest(),
        "fetched_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def main():
    out_path, files = sys.argv[1], sys.argv[2:]
    seen = set()
    written = 0
    with open(out_path, "w") as out:
        for path in files:
            with open(path, "rb") as f:
                parsed = feedparser.parse(f.read())
            for entry in parsed.entries:
                r = record(entry, "file://" + path)
                if r["url_hash"] in seen:
                    continue
                seen.add(r["url_hash"])
                out.write(json.dumps(r) + "\n")
                written += 1
    print(written, file=sys.stderr)


if __name__ == "__main__":
    main()
