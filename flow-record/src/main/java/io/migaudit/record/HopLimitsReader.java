package io.migaudit.record;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads a record's {@code ttl} for {@link FlowRecordReader}: every record of a current agent
 * carries one, so it is read by the streaming parser rather than by data binding. A shape it does
 * not expect throws {@link FlowRecordReader.Shape}, and the record is read by data binding.
 */
final class HopLimitsReader {
  private HopLimitsReader() {}

  static HopLimits read(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.START_OBJECT) {
      throw FlowRecordReader.Shape.INSTANCE;
    }
    HopLimits.Range srcToDst = null;
    HopLimits.Range dstToSrc = null;
    String field;
    while ((field = p.nextFieldName()) != null) {
      JsonToken v = p.nextToken();
      switch (field) {
        case "srcToDst" -> srcToDst = range(p, v);
        case "dstToSrc" -> dstToSrc = range(p, v);
        default -> p.skipChildren();
      }
    }
    return new HopLimits(srcToDst, dstToSrc);
  }

  private static HopLimits.Range range(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.START_OBJECT) {
      throw FlowRecordReader.Shape.INSTANCE;
    }
    int min = 0;
    int max = 0;
    String field;
    while ((field = p.nextFieldName()) != null) {
      JsonToken v = p.nextToken();
      switch (field) {
        case "min" -> min = integer(p, v);
        case "max" -> max = integer(p, v);
        default -> p.skipChildren();
      }
    }
    return new HopLimits.Range(min, max);
  }

  private static int integer(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
      throw FlowRecordReader.Shape.INSTANCE;
    }
    return p.getIntValue();
  }
}
