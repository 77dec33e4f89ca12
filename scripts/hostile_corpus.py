#!/usr/bin/python3
"""Writes hostile feeds (issue 9) into a folder, with a manifest of what rssflow must answer.

    scripts/hostile_corpus.py OUT_DIR            the full-size set (what the integration test
                                                 serves, and scripts/bench/hostile.sh measures)
    scripts/hostile_corpus.py --small OUT_DIR    the same shapes, a few KB each (fuzz seeds)

OUT_DIR/manifest.json is a list of {"file", "status", "code", "repair"}: the source's status in
the run report ("ok" or "failed"), its error code when failed, and for an "ok" one a substring
that one of its repair lines must hold (the warning that names what was dropped or fixed).
"code" and "repair" follow the defaults of sources/parse_limits.h. Standard library only.
"""

import argparse
import json
import os

FEEDS = []  # (file name, status, code, repair, bytes builder)


def feed(name, status, code="", repair=""):
    def register(builder):
        FEEDS.append((name, status, code, repair, builder))
        return builder
    return register


def rss(items, channel_extra="", root_attrs=""):
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"%s><channel><title>hostile</title>'
            '<link>http://hostile.test/</link>%s%s</channel></rss>\n' % (root_attrs, channel_extra, items))


def item(title="t", description="d", extra="", link="http://hostile.test/1"):
    return ("<item><title>%s</title><link>%s</link><description>%s</description>%s</item>"
            % (title, link, description, extra))


def nested(tag, n, inner="x"):
    return "<%s>" % tag * n + inner + "</%s>" % tag * n


# Nesting: in a title, a description and at the root, at 10 k / 200 k / 1 M levels.
for levels, label in ((10_000, "10k"), (200_000, "200k"), (1_000_000, "1m")):
    feed("nest_title_%s.xml" % label, "failed", "too_deep")(
        lambda s, n=levels: rss(item(title=nested("b", n // s)) + item(link="http://hostile.test/2")))
    feed("nest_description_%s.xml" % label, "failed", "too_deep")(
        lambda s, n=levels: rss(item(description=nested("b", n // s))))
    feed("nest_root_%s.xml" % label, "failed", "too_deep")(
        lambda s, n=levels: '<?xml version="1.0"?><rss version="2.0">' + nested("x", n // s, item()) + "</rss>")

# An Atom entry whose XHTML content nests 300 k levels.
feed("nest_atom_xhtml.xml", "failed", "too_deep")(lambda s: (
    '<feed xmlns="http://www.w3.org/2005/Atom"><title>h</title><entry><title>e</title><id>urn:e</id>'
    '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">' + nested("span", 300_000 // s) +
    "</div></content></entry></feed>"))

# 200 k categories in one item (RSS) and in one entry (Atom): kept up to max_categories.
feed("categories_200k.xml", "ok", "", "max_categories")(lambda s: rss(item(extra="".join(
    "<category>c%d</category>" % i for i in range(200_000 // s)))))
feed("categories_atom_200k.xml", "ok", "", "max_categories")(lambda s: (
    '<feed xmlns="http://www.w3.org/2005/Atom"><title>h</title><entry><title>e</title><id>urn:e</id>'
    '<link href="http://hostile.test/e"/>' + "".join('<category term="t%d"/>' % i for i in range(200_000 // s)) +
    "</entry></feed>"))

# 200 k namespace declarations: on the root element, and one per prefixed child.
feed("namespaces_root_200k.xml", "failed", "too_many_attributes")(lambda s: rss(
    item(extra="".join("<p%d:x>v</p%d:x>" % (i, i) for i in range(2000 // s))),
    root_attrs="".join(' xmlns:p%d="urn:p%d"' % (i, i) for i in range(200_000 // s))))
# (200 k x element, declaration and text is over max_nodes: the only entry is cut off.)
for count, expected in ((200_000, ("failed", "too_many_elements")), (150_000, ("ok", ""))):
    feed("namespaces_children_%dk.xml" % (count // 1000), *expected)(lambda s, n=count: rss(item(extra="".join(
        '<p%d:x xmlns:p%d="urn:p%d">v</p%d:x>' % (i, i, i, i) for i in range(n // s)))))
feed("attributes_100k.xml", "failed", "too_many_attributes")(lambda s: rss(
    item().replace("<item>", "<item" + "".join(' a%d="v"' % i for i in range(100_000 // s)) + ">")))

# Not well-formed: 80 k items, each followed by 10 unclosed <x> (800 k open tags).
feed("unclosed_800k.xml", "failed", "too_deep")(lambda s: rss(
    "".join(item(link="http://hostile.test/%d" % i) + "<x>" * 10 for i in range(80_000 // s))))
# 100 k unclosed tags and 400 k end tags that match nothing (each one used to scan the stack).
feed("stray_end_tags.xml", "failed", "too_deep")(lambda s: rss(
    item() + "<x>" * (100_000 // s) + "</y>" * (400_000 // s)))

# Many entries: 1 M tiny items (14 MB); 450 k items in 14 MB; a well-formed feed of 20 k items.
feed("items_1m.xml", "ok", "", "max_nodes")(lambda s: rss("<item>a</item>" * (1_000_000 // s)))
feed("items_450k.xml", "ok", "", "max_nodes")(lambda s: rss("".join(
    "<item><title>%d</title></item>" % i for i in range(450_000 // s))))
feed("items_20k.xml", "ok", "", "max_entries")(lambda s: rss("".join(
    "<item><title>t%d</title><link>http://hostile.test/%d</link></item>" % (i, i) for i in range(20_000 // s))))

# JSON Feed: 8 M levels of arrays, deep objects, and too many values.
JSON_HEAD = '{"version":"https://jsonfeed.org/version/1.1","title":"h","items":['
feed("json_deep_8m.json", "failed", "too_deep")(lambda s: "[" * (8_000_000 // s) + "]" * (8_000_000 // s))
feed("json_deep_objects.json", "failed", "too_deep")(lambda s: JSON_HEAD + '{"id":"1","x":' +
                                                     '{"a":' * (1_000_000 // s) + "1" + "}" * (1_000_000 // s) + "}]}")
feed("json_values_5m.json", "failed", "too_many_elements")(lambda s: JSON_HEAD + ",".join(["[]"] * (5_000_000 // s)) + "]}")
feed("json_tags_200k.json", "ok", "", "max_categories")(lambda s: JSON_HEAD + '{"id":"1","url":"http://hostile.test/1",'
                                                       '"title":"t","tags":[' + ",".join('"t%d"' % i for i in range(200_000 // s)) + "]}]}")

# Text: 50 MB (over the 16 MiB body cap), one 15 MB title, a 5 MB link of "&amp;".
feed("text_50mb.xml", "failed", "too_large")(lambda s: rss(item(title="a" * (50_000_000 // s))))
feed("text_15mb_title.xml", "ok", "", "max_field_bytes")(lambda s: rss(item(title="word " * (3_000_000 // s))))
feed("amp_link_5mb.xml", "ok", "", "")(lambda s: rss(item(link="http://hostile.test/?" + "&amp;amp;" * (500_000 // s))))
feed("entities_2m.xml", "ok", "", "named entities")(lambda s: rss(item(description="&nbsp;&eacute;" * (1_000_000 // s))))
# Deep HTML that is text for the XML parser (CDATA, escaped): the cleaning stage meets it.
feed("html_cdata_deep.xml", "ok", "", "max_field_bytes")(lambda s: rss(item(description="<![CDATA[" + nested("b", 1_000_000 // s) + "]]>")))
feed("html_escaped_deep.xml", "ok", "", "max_field_bytes")(lambda s: rss(item(description="&lt;div&gt;" * (500_000 // s) + "x")))

# Bytes: NUL bytes, invalid UTF-8.
feed("nul_bytes.xml", "ok", "", "control characters")(lambda s: rss(item(title="a\0b\0c", description="x\0" * (1000 // s + 1))))
feed("invalid_utf8.xml", "ok", "", "windows-1252")(lambda s: rss(item(title="caf\xe9 \xff\xfe \xc3\x28", description="\x80\x81" * 10)))

# Entities: an external entity (XXE) and billion laughs; neither may be expanded.
feed("xxe.xml", "ok", "", "undefined entities")(lambda s: (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<rss version="2.0"><channel><title>x</title>' + item(title="&xxe;", description="&xxe;") + "</channel></rss>"))
feed("billion_laughs.xml", "ok", "", "undefined entities")(lambda s: (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
    "".join('<!ENTITY lol%d "%s">' % (i, ("&lol%d;" % (i - 1) if i > 1 else "&lol;") * 10) for i in range(1, 10)) +
    ']><rss version="2.0"><channel><title>x</title>' + item(title="&lol9;", description="&lol9;") + "</channel></rss>"))


def build(name, builder, small):
    text = builder(1000 if small else 1)
    return text.encode("latin-1") if name == "invalid_utf8.xml" else text.encode("utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--small", action="store_true", help="a few KB per shape (fuzz seeds)")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    manifest = []
    for name, status, code, repair, builder in FEEDS:
        with open(os.path.join(args.out_dir, name), "wb") as out:
            out.write(build(name, builder, args.small))
        manifest.append({"file": name, "status": status, "code": code, "repair": repair})
    if not args.small:
        with open(os.path.join(args.out_dir, "manifest.json"), "w") as out:
            json.dump(manifest, out, indent=1)
    print("%d hostile feeds in %s" % (len(FEEDS), args.out_dir))


if __name__ == "__main__":
    main()
