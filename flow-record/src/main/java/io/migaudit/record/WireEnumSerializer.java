package io.migaudit.record;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.function.Function;

/** Writes an enum as its lowercase wire name. */
final class WireEnumSerializer<E extends Enum<E>> extends StdSerializer<E> {
  private final transient Function<E, String> toWire;

  WireEnumSerializer(Class<E> type, Function<E, String> toWire) {
    super(type);
    this.toWire = toWire;
  }

  @Override
  public void serialize(E value, JsonGenerator gen, SerializerProvider provider)
      throws IOException {
    gen.writeString(toWire.apply(value));
  }
}
