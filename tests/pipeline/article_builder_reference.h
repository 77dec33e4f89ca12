// The pre-chain record builder (build_articles with the RE2-only keyword matcher), test-only.
#pragma once

#include <vector>

#include "core/types.h"
#include "tests/transforms/keyword_matcher_reference.h"
#include "transforms/article_builder.h"

namespace rssflow::reference {

std::vector<Article> build_articles(const FeedDocument& document, const ReferenceKeywordMatcher& keywords,
                                    Instant fetched_at, const ArticleOptions& options);

}  // namespace rssflow::reference
