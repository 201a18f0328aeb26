package io.maas.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.bench.report.Table;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportsTest {
  private static Point point(String deployment, Auth auth, Protocol protocol, String load, long requests,
      long p50Micros) {
    return new Point(deployment, auth, "simple", protocol, "off", load, MeasurementTest.served(requests, p50Micros, 1),
        Double.NaN, "", 0.5, 1.0);
  }

  @Test
  void pointsTableHasAnAuthColumn() {
    Table t = Reports.points(List.of(point("standalone", Auth.OFF, Protocol.GRPC, "closed c=1", 10, 100)), p -> "");
    assertTrue(t.csv().startsWith("deployment,auth,protocol,"), t.csv());
    assertTrue(t.csv().contains("\nstandalone,off,grpc,"), t.csv());
  }

  @Test
  void comparesEachPointWithKeysOffToItsTwinWithKeysOn() {
    List<Point> points = List.of(
        point("standalone", Auth.ON, Protocol.REST_JSON, "closed c=1", 900, 250),
        point("standalone", Auth.OFF, Protocol.REST_JSON, "closed c=1", 1000, 200),
        point("standalone", Auth.ON, Protocol.REST_JSON, "closed c=8", 5000, 300),
        point("standalone", Auth.ON, Protocol.GRPC, "closed c=1", 1200, 150),
        point("2 gateways + 2 workers", Auth.OFF, Protocol.GRPC, "closed c=1", 1000, 200));
    Table t = Reports.authComparison(points);
    assertEquals(1, t.size(), "only pairs: a point with keys on only, or off only, has no row");
    assertEquals("standalone,rest-json,off,closed c=1,900.0,1000.0,0.90,0.250,0.200,50,0.250,0.200\n",
        t.csv().lines().skip(1).findFirst().orElseThrow() + "\n");
  }

  @Test
  void noPointWithKeysOffNoSection() {
    assertEquals("", Reports.authSection(List.of(point("standalone", Auth.ON, Protocol.GRPC, "closed c=1", 1, 1))));
  }
}
