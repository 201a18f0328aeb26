package io.maas.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small hand-written SVG line chart of latency against throughput: linear x from 0, logarithmic y
 * (latencies span microseconds to seconds), one colour per series, p50 as a solid line and p99 dashed,
 * points as dots, a legend on the right. No dependency; any browser renders it.
 */
public final class SvgPlot {
  static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
      "#7f7f7f", "#bcbd22", "#17becf"};
  static final int WIDTH = 1040;
  static final int HEIGHT = 480;
  static final int LEFT = 70;
  static final int TOP = 40;
  static final int PLOT_W = 560;
  static final int PLOT_H = 380;

  /** One point: throughput x, p50 and p99 latency in milliseconds. */
  public record Point(double x, double p50, double p99) {}

  /** A line: its label and its points (drawn in order of x). */
  public record Series(String label, List<Point> points) {}

  private final String title;
  private final String xLabel;
  private final List<Series> series = new ArrayList<>();
  private double reference = Double.NaN;
  private String referenceLabel = "";

  public SvgPlot(String title, String xLabel) {
    this.title = title;
    this.xLabel = xLabel;
  }

  public SvgPlot add(Series s) {
    if (!s.points().isEmpty()) {
      series.add(new Series(s.label(), s.points().stream()
          .filter(p -> p.x() >= 0 && p.p50() > 0 && p.p99() > 0 && !Double.isNaN(p.x()))
          .sorted((a, b) -> Double.compare(a.x(), b.x())).toList()));
    }
    return this;
  }

  /** A vertical dotted line at this throughput (e.g. the in-process ceiling). */
  public SvgPlot reference(double x, String label) {
    this.reference = x;
    this.referenceLabel = label;
    return this;
  }

  public String svg() {
    List<Point> all = series.stream().flatMap(s -> s.points().stream()).toList();
    double xMax = niceCeiling(Math.max(all.stream().mapToDouble(Point::x).max().orElse(1),
        Double.isNaN(reference) ? 0 : reference));
    double yMinLog = Math.floor(Math.log10(all.stream().mapToDouble(Point::p50).min().orElse(0.1)));
    double yMaxLog = Math.ceil(Math.log10(all.stream().mapToDouble(Point::p99).max().orElse(10)));
    if (yMaxLog <= yMinLog) {
      yMaxLog = yMinLog + 1;
    }
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
    sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>%n", LEFT, esc(title)));
    for (int i = 0; i <= 5; i++) {
      double v = xMax * i / 5;
      double x = LEFT + PLOT_W * i / 5.0;
      sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
          x, TOP, x, TOP + PLOT_H));
      sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
          x, TOP + PLOT_H + 16, label(v)));
    }
    for (double d = yMinLog; d <= yMaxLog; d++) {
      double y = y(Math.pow(10, d), yMinLog, yMaxLog);
      sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
          LEFT, y, LEFT + PLOT_W, y));
      sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
          LEFT - 6, y + 4, label(Math.pow(10, d))));
    }
    sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
        + "stroke=\"#333\"/>%n", LEFT, TOP, PLOT_W, PLOT_H));
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
        LEFT + PLOT_W / 2, TOP + PLOT_H + 34, esc(xLabel)));
    sb.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" text-anchor=\"middle\" "
        + "transform=\"rotate(-90 16 %d)\">latency, ms (log scale): p50 solid, p99 dashed</text>%n",
        TOP + PLOT_H / 2, TOP + PLOT_H / 2));
    if (reference > 0) {
      double x = LEFT + PLOT_W * reference / xMax;
      sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#000\" "
          + "stroke-dasharray=\"2,3\"/>%n", x, TOP, x, TOP + PLOT_H));
      sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
          x - 4, TOP + 14, esc(referenceLabel)));
    }
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      String colour = COLOURS[i % COLOURS.length];
      sb.append(line(s.points(), true, colour, xMax, yMinLog, yMaxLog));
      sb.append(line(s.points(), false, colour, xMax, yMinLog, yMaxLog));
      int ly = TOP + 10 + 18 * i;
      sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
          + "stroke-width=\"2\"/>%n", LEFT + PLOT_W + 14, ly, LEFT + PLOT_W + 38, ly, colour));
      sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", LEFT + PLOT_W + 44, ly + 4,
          esc(s.label())));
    }
    sb.append("</svg>\n");
    return sb.toString();
  }

  private static String line(List<Point> points, boolean median, String colour, double xMax, double yMinLog,
      double yMaxLog) {
    StringBuilder path = new StringBuilder();
    StringBuilder dots = new StringBuilder();
    for (Point p : points) {
      double x = LEFT + PLOT_W * p.x() / xMax;
      double y = y(median ? p.p50() : p.p99(), yMinLog, yMaxLog);
      path.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x, y, colour));
    }
    return String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
        path.toString().trim(), colour, median ? "" : " stroke-dasharray=\"6,4\"") + dots;
  }

  private static double y(double value, double minLog, double maxLog) {
    double f = (Math.log10(value) - minLog) / (maxLog - minLog);
    return TOP + PLOT_H * (1 - f);
  }

  /** The smallest round figure (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at or above v. */
  static double niceCeiling(double v) {
    if (!(v > 0)) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static String label(double v) {
    if (v >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (v >= 1) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return v <= 0 ? "0" : java.math.BigDecimal.valueOf(v).round(new java.math.MathContext(3)).stripTrailingZeros()
        .toPlainString();
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
