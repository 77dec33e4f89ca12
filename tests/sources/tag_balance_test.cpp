// balance_tags (sources/tag_balance.h): re-nesting of not-well-formed XML.
#include "sources/tag_balance.h"

#include <gtest/gtest.h>

namespace rssflow {
namespace {

TEST(TagBalance, ClosesWhatTheInputLeftOpenAndDropsStrayEndTags) {
  const BalancedXml out = balance_tags("<rss><channel><item><b>x</i></item></rss");
  EXPECT_EQ(out.text, "<rss><channel><item><b>x</b></item></channel></rss>");
  EXPECT_EQ(out.end_tags_dropped, 1);  // </i>
  EXPECT_EQ(out.elements_closed, 3);   // <b> by </item>, then channel and rss by the end
  EXPECT_EQ(out.closed_by_end.size(), 2u);
}

TEST(TagBalance, CopiesADoctypeWithItsInternalSubsetWhole) {
  const std::string doctype = "<!DOCTYPE feed [<!ENTITY a \"x>y\"><!ELEMENT feed ANY>]>";
  const BalancedXml out = balance_tags(doctype + "<feed><entry>");
  EXPECT_EQ(out.text, doctype + "<feed><entry></entry></feed>");
  EXPECT_EQ(out.end_tags_dropped, 0);
}

TEST(TagBalance, AnotherDeclarationEndsAtItsFirstBracketFreeGreaterThan) {
  const BalancedXml out = balance_tags("<a><![if !IE]>text<![endif]></a>");
  EXPECT_EQ(out.text, "<a><![if !IE]>text<![endif]></a>");
  EXPECT_EQ(out.elements_closed, 0);
}

TEST(TagBalance, UnterminatedCommentsAndCdataAreClosedAndACutTagIsDropped) {
  EXPECT_EQ(balance_tags("<a><!-- open").text, "<a><!-- open--></a>");
  EXPECT_EQ(balance_tags("<a><![CDATA[open").text, "<a><![CDATA[open]]></a>");
  EXPECT_EQ(balance_tags("<a>text<b attr=\"x").text, "<a>text</a>");
}

}  // namespace
}  // namespace rssflow
