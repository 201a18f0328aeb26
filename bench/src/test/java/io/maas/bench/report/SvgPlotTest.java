package io.maas.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class SvgPlotTest {
  @Test
  void drawsASolidP50AndADashedP99LinePerSeriesAsWellFormedSvg() throws Exception {
    String svg = new SvgPlot("t <&> \"q\"", "x").add(new SvgPlot.Series("a, b", List.of(
            new SvgPlot.Point(200, 2, 9), new SvgPlot.Point(100, 1, 3))))
        .add(new SvgPlot.Series("c", List.of(new SvgPlot.Point(50, 0.4, 0.9)))).svg();
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertEquals("svg", doc.getDocumentElement().getNodeName());
    assertEquals(4, doc.getElementsByTagName("polyline").getLength(), "p50 and p99 for each of 2 series");
    assertEquals(6, doc.getElementsByTagName("circle").getLength());
    assertTrue(svg.contains("stroke-dasharray"), "p99 dashed");
    assertTrue(svg.contains("t &lt;&amp;&gt; &quot;q&quot;"), "title escaped");
  }

  @Test
  void pointsAreDrawnInOrderOfThroughputAndHigherLatencyIsHigherUp() {
    String svg = new SvgPlot("t", "x").add(new SvgPlot.Series("s", List.of(
        new SvgPlot.Point(200, 10, 100), new SvgPlot.Point(100, 1, 10)))).svg();
    String solid = svg.lines().filter(l -> l.startsWith("<polyline") && !l.contains("dasharray")).findFirst()
        .orElseThrow();
    String[] pts = solid.replaceAll(".*points=\"([^\"]*)\".*", "$1").split(" ");
    double x0 = Double.parseDouble(pts[0].split(",")[0]);
    double x1 = Double.parseDouble(pts[1].split(",")[0]);
    double y0 = Double.parseDouble(pts[0].split(",")[1]);
    double y1 = Double.parseDouble(pts[1].split(",")[1]);
    assertTrue(x0 < x1);
    assertTrue(y1 < y0, "10 ms is drawn above 1 ms (SVG y grows downwards)");
  }

  @Test
  void niceAxisEnds() {
    assertEquals(2000, SvgPlot.niceCeiling(1970));
    assertEquals(500, SvgPlot.niceCeiling(420));
    assertEquals(12_000, SvgPlot.niceCeiling(11_003));
    assertEquals(1, SvgPlot.niceCeiling(0));
  }
}
