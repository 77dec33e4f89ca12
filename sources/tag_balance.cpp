#include "sources/tag_balance.h"

#include <unordered_map>

#include "sources/document_budget.h"

namespace rssflow {
namespace {

bool is_tag_name_char(char c) {
  return c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '/' && c != '>' && c != '<';
}

// End of a start tag ('>' outside quotes), or npos.
std::size_t tag_end(std::string_view text, std::size_t pos) { return find_markup_end(text, pos, false); }

// One pass over the text, left to right; each step consumes one piece of markup (or the
// text up to the next one) and returns where the next starts, or npos to stop (the input
// ends inside a tag).
class TagBalancer {
 public:
  explicit TagBalancer(std::string_view text) : text_(text) { out_.text.reserve(text.size() + 64); }

  BalancedXml run() && {
    std::size_t pos = 0;
    while (pos < text_.size()) {
      const std::size_t lt = text_.find('<', pos);
      if (lt == std::string_view::npos) {
        out_.text.append(text_.substr(pos));
        break;
      }
      out_.text.append(text_.substr(pos, lt - pos));
      pos = markup_at(lt);
    }
    while (!open_.empty()) {
      out_.closed_by_end.push_back(open_.back().offset);
      close_top();
      ++out_.elements_closed;
    }
    return std::move(out_);
  }

 private:
  struct Open {
    std::string_view name;
    std::size_t offset;  // of its '<' in out_.text
  };

  std::size_t markup_at(std::size_t lt) {
    const std::string_view rest = text_.substr(lt);
    if (rest.starts_with("<!--")) return copy_through(lt, "-->");
    if (rest.starts_with("<![CDATA[")) return copy_through(lt, "]]>");
    if (rest.starts_with("<?")) return copy_through(lt, "?>");
    if (rest.starts_with("<!")) {
      // A DOCTYPE ends after its internal subset; any other declaration at its first '>'.
      const std::size_t end = find_markup_end(text_, lt + 2, rest.starts_with("<!DOCTYPE"));
      if (end == std::string_view::npos) return std::string_view::npos;
      out_.text.append(text_.substr(lt, end + 1 - lt));
      return end + 1;
    }
    if (rest.starts_with("</")) return end_tag(lt);
    return start_tag(lt);
  }

  // Copies through `terminator`, adding it when the input ends first.
  std::size_t copy_through(std::size_t lt, std::string_view terminator) {
    const auto end = text_.find(terminator, lt);
    if (end == std::string_view::npos) {
      out_.text.append(text_.substr(lt));
      out_.text.append(terminator);
      return text_.size();
    }
    out_.text.append(text_.substr(lt, end + terminator.size() - lt));
    return end + terminator.size();
  }

  std::size_t end_tag(std::size_t lt) {
    std::size_t name_end = lt + 2;
    while (name_end < text_.size() && is_tag_name_char(text_[name_end])) ++name_end;
    const std::string_view name = text_.substr(lt + 2, name_end - lt - 2);
    const std::size_t end = text_.find('>', name_end);
    if (end == std::string_view::npos) return std::string_view::npos;  // cut off mid-tag
    if (!open_by_name_.count(name)) {
      ++out_.end_tags_dropped;
      return end + 1;
    }
    // The elements above the match are closed (popped) here: linear over the whole input.
    std::size_t match = open_.size();
    while (open_[match - 1].name != name) --match;
    while (open_.size() > match) {
      close_top();
      ++out_.elements_closed;
    }
    close_top();
    return end + 1;
  }

  std::size_t start_tag(std::size_t lt) {
    std::size_t name_end = lt + 1;
    while (name_end < text_.size() && is_tag_name_char(text_[name_end])) ++name_end;
    const std::size_t end = tag_end(text_, name_end);
    if (end == std::string_view::npos) return std::string_view::npos;  // cut off mid-tag
    const std::size_t offset = out_.text.size();
    out_.text.append(text_.substr(lt, end + 1 - lt));
    if (text_[end - 1] != '/') {
      open_.push_back({text_.substr(lt + 1, name_end - lt - 1), offset});
      ++open_by_name_[open_.back().name];
    }
    return end + 1;
  }

  void close_top() {
    out_.text += "</";
    out_.text += open_.back().name;
    out_.text += '>';
    if (auto it = open_by_name_.find(open_.back().name); it != open_by_name_.end() && --it->second == 0) {
      open_by_name_.erase(it);
    }
    open_.pop_back();
  }

  std::string_view text_;
  BalancedXml out_;
  std::vector<Open> open_;
  // How many elements of each name are open: an end tag with none open is dropped in O(1)
  // instead of a scan of the whole stack (800,000 unclosed tags would make that quadratic).
  std::unordered_map<std::string_view, std::size_t> open_by_name_;
};

}  // namespace

BalancedXml balance_tags(std::string_view text) { return TagBalancer(text).run(); }

}  // namespace rssflow
