// How strip_html treats each HTML element. Internal to transforms/.
#pragma once

#include <cstdint>
#include <string_view>

namespace rssflow {

enum class TagKind : std::uint8_t {
  kInline,          // <a>, <b>, <span>, <img>, unknown tags: no effect on the text
  kParagraph,       // <p>, headings, <blockquote>, <table>, <figure>, <hr>...: blank line
  kLineBreak,       // <br> (and </br>): a line break; two in a row make a blank line
  kLine,            // <li>, <div>, <tr>, <dt>, <figcaption>...: line break
  kCell,            // <td>, <th>: a space between cells
  kList,            // <ul>, <ol>: blank line around the outermost list, line break when nested
  kPreformatted,    // <pre>, <listing>: line breaks inside are kept
  kRawTextDropped,  // <script>, <style>, <noscript>, <title>...: body is raw text, dropped
  kHidden,          // <template>, <svg>, <video>, <head>...: body parsed but not shown
  kBody,            // <body>: ends an unclosed <head>
};

// `name` is the lower-cased tag name; anything unknown is kInline.
TagKind classify_tag(std::string_view name);

}  // namespace rssflow
