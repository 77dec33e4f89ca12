#include "sinks/postgres_connection.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>
#include <regex>
#include <stdexcept>
#include <vector>

#include <pqxx/pqxx>

#include "core/hash.h"

namespace rssflow {
namespace {

void replace_all(std::string& text, const std::string& needle, std::string_view with) {
  if (needle.empty()) return;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + with.size())) {
    text.replace(at, needle.size(), with);
  }
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// Every spelling of the password that might appear in a message: what libpq parses, and
// what the patterns find when libpq cannot parse the string at all.
std::vector<std::string> password_candidates(std::string_view conninfo) {
  std::vector<std::string> found;
  const std::string text(conninfo);
  char* parse_error = nullptr;
  if (PQconninfoOption* options = PQconninfoParse(text.c_str(), &parse_error)) {
    for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
      if (option->val != nullptr && std::strcmp(option->keyword, "password") == 0) found.emplace_back(option->val);
    }
    PQconninfoFree(options);
  }
  if (parse_error != nullptr) PQfreemem(parse_error);
  static const std::regex key_value(R"(password\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]+))", std::regex::icase);
  static const std::regex uri_userinfo(R"(://[^:/@?#]*:([^@/?#]*)@)");
  for (const auto* pattern : {&key_value, &uri_userinfo}) {
    for (auto it = std::sregex_iterator(text.begin(), text.end(), *pattern); it != std::sregex_iterator(); ++it) {
      std::string value = (*it)[1].str();
      found.push_back(value);
      if (value.size() >= 2 && value.front() == '\'') found.push_back(value.substr(1, value.size() - 2));
      if (value.find('%') != std::string::npos) {
        try {
          found.push_back(percent_decode(value));
        } catch (const std::exception&) {
          // not valid percent-encoding: the raw spelling is already listed
        }
      }
    }
  }
  if (const char* env = std::getenv("PGPASSWORD"); env != nullptr) found.emplace_back(env);
  return found;
}

std::string sqlstate_of(const std::exception& cause) {
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&cause); sql != nullptr && !sql->sqlstate().empty()) {
    return sql->sqlstate();
  }
  return {};
}

}  // namespace

std::optional<std::string> conninfo_syntax_error(const std::string& conninfo) {
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &parse_error);
  if (options != nullptr) {
    PQconninfoFree(options);
    return std::nullopt;
  }
  std::string message = parse_error != nullptr ? parse_error : "cannot be parsed";
  if (parse_error != nullptr) PQfreemem(parse_error);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return scrub_secrets(message, conninfo);
}

std::string scrub_secrets(std::string message, std::string_view conninfo) {
  for (const std::string& secret : password_candidates(conninfo)) {
    if (!secret.empty()) replace_all(message, secret, "***");
  }
  if (!conninfo.empty()) replace_all(message, std::string(conninfo), "<conninfo>");
  return message;
}

SinkError postgres_error(std::string_view what_we_did, const std::exception& cause, std::string_view conninfo) {
  // libpq's text is multi-line (an error line, then LINE/caret context or hints): keep one line.
  std::string reason = cause.what();
  if (const std::size_t context = reason.find("\nLINE "); context != std::string::npos) reason.erase(context);
  std::string message = "postgres: " + std::string(what_we_did) + ": ";
  bool space = true;
  for (char c : reason) {
    const bool blank = c == '\n' || c == '\t' || c == ' ' || c == '\r';
    if (blank && !space) message.push_back(' ');
    if (!blank) message.push_back(c);
    space = blank;
  }
  while (!message.empty() && message.back() == ' ') message.pop_back();
  if (const std::string state = sqlstate_of(cause); !state.empty()) message += " (SQLSTATE " + state + ")";
  return SinkError(scrub_secrets(std::move(message), conninfo));
}

std::unique_ptr<pqxx::connection> connect_postgres(const PostgresOptions& options) {
  try {
    auto conn = std::make_unique<pqxx::connection>(options.conninfo);
    conn->set_client_encoding("UTF8");
    pqxx::nontransaction setup(*conn);
    setup.exec("SET application_name = 'rssflow'");
    return conn;
  } catch (const std::exception& e) {
    throw postgres_error("cannot connect", e, options.conninfo);
  }
}

SharedPostgresConnection connect_shared_postgres(const PostgresOptions& options) {
  auto shared = std::make_shared<PostgresConnection>();
  shared->conn = connect_postgres(options);
  return shared;
}

SharedPostgresConnection shared_or_new(SharedPostgresConnection shared, const PostgresOptions& options) {
  return shared ? std::move(shared) : connect_shared_postgres(options);
}

std::string quote_identifier(std::string_view name) {
  if (name.empty()) throw std::invalid_argument("empty SQL identifier");
  if (name.find('\0') != std::string_view::npos) throw std::invalid_argument("SQL identifier holds a NUL byte");
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::string qualified_name(std::string_view schema, std::string_view table) {
  return quote_identifier(schema) + "." + quote_identifier(table);
}

long long advisory_lock_key(std::string_view purpose, std::string_view schema, std::string_view name) {
  std::string material;
  material.append(purpose).push_back('\0');
  material.append(schema).push_back('\0');
  material.append(name);
  return static_cast<long long>(xxh3_128(material).low);
}

}  // namespace rssflow
