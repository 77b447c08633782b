package io.migaudit.record;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.util.function.Function;

/** Reads an enum from its lowercase wire name. */
final class WireEnumDeserializer<E extends Enum<E>> extends StdDeserializer<E> {
  private final transient Function<String, E> fromWire;

  WireEnumDeserializer(Class<E> type, Function<String, E> fromWire) {
    super(type);
    this.fromWire = fromWire;
  }

  @Override
  public E deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    String text = p.getValueAsString();
    try {
      return fromWire.apply(text);
    } catch (IllegalArgumentException e) {
      return (E) ctxt.handleWeirdStringValue(handledType(), text, e.getMessage());
    }
  }
}
