package io.maas.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
  @Test
  void markdownAlignsTextLeftAndNumbersRightAndEscapesPipes() {
    Table t = new Table(List.of("<name", "req/s")).add(List.of("a|b", "1.0"));
    assertEquals("| name | req/s |\n|---|---:|\n| a\\|b | 1.0 |\n", t.markdown());
  }

  @Test
  void csvQuotesCellsWithCommasAndQuotes() {
    Table t = new Table(List.of("<label", "n")).add(List.of("1 gateway, 2 workers", "1,234"))
        .add(List.of("say \"hi\"", "5"));
    assertEquals("label,n\n\"1 gateway, 2 workers\",\"1,234\"\n\"say \"\"hi\"\"\",5\n", t.csv());
  }

  @Test
  void rejectsARowOfTheWrongWidth() {
    assertThrows(IllegalArgumentException.class, () -> new Table(List.of("a", "b")).add(List.of("1")));
  }

  @Test
  void formatsWhatWasNotMeasuredAsNotAvailable() {
    assertEquals("n/a", Fmt.num(Double.NaN, 1));
    assertEquals("0.83", Fmt.ratio(0.8349));
    assertEquals("0.412", Fmt.ms(0.41234));
    assertEquals("12.35", Fmt.ms(12.345));
    assertEquals("1,235", Fmt.count(1234.6));
  }
}
