package io.maas.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import org.junit.jupiter.api.Test;

class DataTypeTest {

  @Test
  void parsesEveryKServeName() {
    for (DataType t : DataType.values()) {
      assertEquals(t, DataType.parse(t.name()));
    }
  }

  @Test
  void parsesTritonTypeNames() {
    assertEquals(DataType.FP32, DataType.parse("TYPE_FP32"));
    assertEquals(DataType.INT64, DataType.parse("TYPE_INT64"));
    assertEquals(DataType.BOOL, DataType.parse("TYPE_BOOL"));
  }

  @Test
  void stringIsBytes() {
    assertEquals(DataType.BYTES, DataType.parse("STRING"));
    assertEquals(DataType.BYTES, DataType.parse("TYPE_STRING"));
  }

  @Test
  void unknownNameIsInvalidArgumentNamingIt() {
    MaasException e = assertThrows(MaasException.class, () -> DataType.parse("FLOAT128"));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("'FLOAT128'"), e.getMessage());
  }

  @Test
  void namesAreCaseSensitive() {
    MaasException e = assertThrows(MaasException.class, () -> DataType.parse("fp32"));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
  }

  @Test
  void missingNameIsInvalidArgument() {
    MaasException e = assertThrows(MaasException.class, () -> DataType.parse(null));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
  }

  @Test
  void elementSizesAndKinds() {
    assertEquals(2, DataType.FP16.elementSize());
    assertEquals(4, DataType.FP32.elementSize());
    assertEquals(8, DataType.UINT64.elementSize());
    assertEquals(1, DataType.BOOL.elementSize());
    assertFalse(DataType.BYTES.isFixedSize());
    assertTrue(DataType.INT8.isFixedSize());
    assertTrue(DataType.FP16.isFloatingPoint());
    assertFalse(DataType.INT32.isFloatingPoint());
    assertTrue(DataType.UINT16.isUnsigned());
    assertFalse(DataType.INT16.isUnsigned());
  }
}
