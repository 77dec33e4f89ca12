#!/usr/bin/python3
"""Field-by-field agreement between Python feedparser and rssflow's parser.

Runs feedparser and `rssflow parse` (or the development driver feed_parser_dump, which prints
the same records) over every file in a folder and prints, per field, how many entries agree:
title, link, guid/id, published date, summary text; then the differing cases.

Both sides are normalised before comparing, so that only real parsing differences count:
  - text: feedparser's HTML -> BeautifulSoup get_text; entities decoded; compared with all
    whitespace removed (block elements become line breaks in rssflow, nothing in get_text);
  - summary: rssflow's is cut at a word boundary with "…" (600 bytes): compared on the prefix;
    feedparser's summary is entry.summary, else the first content value (as rssflow does);
  - link and URL-shaped guids: canonicalised like rssflow's canonicalize_url (scheme/host
    lower-case, default port and fragment dropped, tracking parameters removed);
  - published: feedparser's published, else created, else updated, as RFC 3339 UTC.
Entries are paired in document order. Files feedparser cannot read at all (JSON Feed) are
listed, not compared.

Usage: /usr/bin/python3 scripts/compare_feedparser.py [FOLDER] [--binary PATH] [--show N]
Needs python3-feedparser and python3-bs4 (Debian packages), hence /usr/bin/python3.
"""
import argparse
import calendar
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import warnings

warnings.filterwarnings("ignore")
import feedparser  # noqa: E402
from bs4 import BeautifulSoup  # noqa: E402

FIELDS = ["title", "link", "guid", "published", "summary"]
NAMED = "named"  # a difference that is a documented rule of rssflow's, counted apart
TRACKING = re.compile(r"^(utm_[a-z]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|igshid|yclid)$", re.I)
WS = re.compile(r"\s+", re.UNICODE)


def undo_double_encoding(text):
    """feedparser repairs UTF-8 that was read as Latin-1 and encoded again, but not the far more
    common windows-1252 variant ("donâ€™t"); rssflow repairs both. Apply the same repair to
    feedparser's text so that only parsing differences remain (counted in MOJIBAKE_FIXED)."""
    global MOJIBAKE_FIXED
    if not text or all(ord(c) < 0x80 for c in text):
        return text
    try:
        raw = bytearray()
        for c in text:
            o = ord(c)
            if o < 0x100:
                raw.append(o)
            else:
                raw += c.encode("cp1252")
        fixed = raw.decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text
    if fixed != text:
        MOJIBAKE_FIXED += 1
    return fixed


MOJIBAKE_FIXED = 0


def squash(text):
    return WS.sub("", text or "")


def html_text(value):
    if not value:
        return ""
    if "<" not in value and "&" not in value:
        return value
    return BeautifulSoup(value, "html.parser").get_text(" ")


def canonical_url(url):
    url = (url or "").strip()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host
    if parts.username:
        netloc = parts.username + ("@" if not parts.password else ":" + parts.password + "@") + netloc
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc += ":%d" % port
    query = "&".join(p for p in parts.query.split("&") if p and not TRACKING.match(p.split("=", 1)[0]))
    return urllib.parse.urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def fp_entries(path):
    """feedparser's entries, and whether it says it fell back to another charset than declared."""
    parsed = feedparser.parse(path)
    override = isinstance(parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride)
    out = []
    for e in parsed.entries:
        title = undo_double_encoding(e.get("title"))
        if title is not None and e.get("title_detail", {}).get("type", "") in ("text/html", "application/xhtml+xml"):
            title = html_text(title)
        summary = e.get("summary")
        if not summary and e.get("content"):
            summary = e["content"][0].get("value")
        stamp = e.get("published_parsed") or e.get("created_parsed") or e.get("updated_parsed")
        published = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(calendar.timegm(stamp))) if stamp else None
        out.append({
            "title": title,
            "link": e.get("link"),
            "guid": e.get("id"),
            "published": published,
            "summary": html_text(undo_double_encoding(summary)) if summary else None,
        })
    return out, override


def rssflow_entries(binary, path):
    cmd = [binary, "parse", path] if os.path.basename(binary) == "rssflow" else [binary, path]
    proc = subprocess.run(cmd, capture_output=True, timeout=60)
    records = []
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line.startswith("{"):
            records.append(json.loads(line))
    return records, proc.stderr.decode("utf-8", "replace").strip()


def compare_field(field, fp, rs):
    """Returns None when not comparable, else (agree, fp_value, rs_value)."""
    if field == "title":
        a, b = squash(fp["title"]), squash(rs.get("title"))
    elif field == "link":
        if not fp["link"]:
            return None
        a, b = canonical_url(fp["link"]), canonical_url(rs.get("url"))
        if "://" not in fp["link"]:  # feedparser leaves links relative when it has no base URL
            if not rs.get("url"):
                # Named difference: rssflow stores only absolute http(s) links (CONTRACT.md,
                # issue 10), and a file read from disk gives no http(s) base to resolve against.
                return (NAMED, fp["link"], rs.get("url"))
            return (bool(b) and b.endswith(fp["link"].strip()), fp["link"], rs.get("url"))
    elif field == "guid":
        if not fp["guid"]:
            return None
        a, b = fp["guid"].strip(), (rs.get("guid") or "").strip()
        if "://" in a or "://" in b:
            a, b = canonical_url(a), canonical_url(b)
    elif field == "published":
        a, b = fp["published"] or "", rs.get("published_at") or ""
    else:  # summary
        a = squash(fp["summary"])
        b = squash(rs.get("summary"))
        if b.endswith("…") and len(b) > 1:
            return (a.startswith(b[:-1]), fp["summary"], rs.get("summary"))
    return (a == b, fp[field if field != "link" else "link"], rs.get({"link": "url", "published": "published_at"}.get(field, field)))


def align(fp, rs):
    """Pairs of entries: in order when the counts agree, else matched by link, then by title."""
    if len(fp) == len(rs):
        return list(zip(fp, rs))
    pairs, used = [], set()
    for a in fp:
        for key_a, key_b in ((lambda e: canonical_url(e["link"]) if e["link"] else None, lambda r: canonical_url(r.get("url"))),
                             (lambda e: squash(e["title"]) or None, lambda r: squash(r.get("title")))):
            ka = key_a(a)
            match = next((j for j, r in enumerate(rs) if j not in used and ka and key_b(r) == ka), None)
            if match is not None:
                used.add(match)
                pairs.append((a, rs[match]))
                break
    return pairs


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", nargs="?", default=os.path.join(root, "tests", "data", "realworld"))
    ap.add_argument("--binary", help="rssflow executable, or the feed_parser_dump driver")
    ap.add_argument("--show", type=int, default=15, help="differing cases to print per field")
    args = ap.parse_args()
    binary = args.binary
    if not binary:
        for candidate in ("build/rssflow", "build-parser/tests/sources/feed_parser_dump"):
            if os.access(os.path.join(root, candidate), os.X_OK):
                binary = os.path.join(root, candidate)
                break
    if not binary:
        sys.exit("no rssflow binary found: build it or pass --binary")

    agree = {f: 0 for f in FIELDS}
    total = {f: 0 for f in FIELDS}
    agree_trusted = {f: 0 for f in FIELDS}  # excluding files feedparser itself decoded with another charset
    total_trusted = {f: 0 for f in FIELDS}
    overridden = []
    diffs = {f: [] for f in FIELDS}
    named = {f: 0 for f in FIELDS}
    count_mismatch, fp_unreadable, files = [], [], 0
    for name in sorted(os.listdir(args.folder)):
        path = os.path.join(args.folder, name)
        if not os.path.isfile(path) or name.endswith(".md"):
            continue
        files += 1
        fp, override = fp_entries(path)
        rs, err = rssflow_entries(binary, path)
        if not fp:
            if rs:
                fp_unreadable.append((name, len(rs)))
            continue
        if len(fp) != len(rs):
            count_mismatch.append((name, len(fp), len(rs), err.splitlines()[-1] if err else ""))
        if override:
            overridden.append(name)
        for i, (a, b) in enumerate(align(fp, rs)):
            for field in FIELDS:
                result = compare_field(field, a, b)
                if result is None:
                    continue
                total[field] += 1
                total_trusted[field] += 0 if override else 1
                if result[0] == NAMED:
                    named[field] += 1
                    continue
                if result[0]:
                    agree[field] += 1
                    agree_trusted[field] += 0 if override else 1
                else:
                    diffs[field].append((name + (" [feedparser charset fallback]" if override else ""), i, result[1], result[2]))

    print("files: %d, binary: %s" % (files, binary))
    all_agree = sum(agree.values())
    all_total = sum(total.values())
    for field in FIELDS:
        pct = 100.0 * agree[field] / total[field] if total[field] else 100.0
        print("%-10s %6d / %6d agree  %6.2f%%" % (field, agree[field], total[field], pct))
    print("%-10s %6d / %6d agree  %6.2f%%" % ("overall", all_agree, all_total, 100.0 * all_agree / max(all_total, 1)))
    print("\nexcluding %d files where feedparser reports decoding with another charset than declared"
          " (CharacterEncodingOverride: its text is mojibake there):" % len(overridden))
    for field in FIELDS:
        pct = 100.0 * agree_trusted[field] / total_trusted[field] if total_trusted[field] else 100.0
        print("%-10s %6d / %6d agree  %6.2f%%" % (field, agree_trusted[field], total_trusted[field], pct))
    at, tt = sum(agree_trusted.values()), sum(total_trusted.values())
    print("%-10s %6d / %6d agree  %6.2f%%" % ("overall", at, tt, 100.0 * at / max(tt, 1)))
    for name in overridden:
        print("  charset fallback: %s" % name)
    all_named = sum(named.values())
    print("\nnamed differences (rssflow's rules, not parsing errors): %d relative links with no http(s) base"
          " (rssflow stores only absolute http(s) links)" % named["link"])
    print("%-10s %6d / %6d agree  %6.2f%%  (all files; named differences counted as agreement)"
          % ("overall", all_agree + all_named, all_total, 100.0 * (all_agree + all_named) / max(all_total, 1)))
    print("\nfeedparser text fields repaired for windows-1252 double encoding before comparing: %d" % MOJIBAKE_FIXED)
    print("\nentry counts differ in %d files:" % len(count_mismatch))
    for name, a, b, err in count_mismatch:
        print("  %s: feedparser %d, rssflow %d %s" % (name, a, b, ("(" + err[:120] + ")") if err else ""))
    print("\nfeedparser read no entries, rssflow did (%d files):" % len(fp_unreadable))
    for name, n in fp_unreadable:
        print("  %s: rssflow %d" % (name, n))
    for field in FIELDS:
        if not diffs[field]:
            continue
        print("\n== %s: %d differences" % (field, len(diffs[field])))
        for name, i, a, b in diffs[field][: args.show]:
            print("  %s #%d\n    feedparser: %r\n    rssflow:    %r" % (name, i, (a or "")[:200] if isinstance(a, str) else a,
                                                                  (b or "")[:200] if isinstance(b, str) else b))
    return 0


if __name__ == "__main__":
    sys.exit(main())
