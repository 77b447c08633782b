package io.migaudit.analyzer.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.migaudit.record.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The stored form of the open events of one family and host pair: a JSON array, one object per
 * event with its streams. Only the analyzer writes it (into its own changelogged store). A stream
 * stored before it carried its payload per direction (bytes, verdict, ended only) reads as none
 * either way, so its event keeps the direction of its first stream; an event stored before it
 * listed its listeners lists those of the streams added since.
 */
final class OpenEventCodec {
  private static final ObjectMapper JSON = new ObjectMapper();

  private OpenEventCodec() {}

  static byte[] encode(List<OpenEvent> events) {
    ArrayNode list = JSON.createArrayNode();
    for (OpenEvent e : events) {
      ObjectNode o =
          list.addObject()
              .put("id", e.eventId)
              .put("family", e.family)
              .put("src", e.src)
              .put("dst", e.dst)
              .put("agent", e.agent)
              .put("start", e.start.toString())
              .put("end", e.end.toString())
              .put("reportedEnd", e.reportedEnd)
              .put("touched", e.touchedMillis)
              .put("omitted", e.omittedStreams);
      ArrayNode listeners = o.putArray("listeners");
      e.listeners.forEach(listeners::add);
      ObjectNode streams = o.putObject("streams");
      e.streams.forEach(
          (flowId, s) ->
              streams
                  .putArray(flowId)
                  .add(s.bytes())
                  .add(s.verdict().wire())
                  .add(s.ended())
                  .add(s.fromSrc())
                  .add(s.fromDst()));
    }
    try {
      return JSON.writeValueAsBytes(list);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  static List<OpenEvent> decode(byte[] bytes) {
    JsonNode list;
    try {
      list = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt stored migration events", e);
    }
    List<OpenEvent> events = new ArrayList<>(list.size());
    for (JsonNode o : list) {
      OpenEvent e =
          new OpenEvent(
              o.get("id").asText(),
              o.get("family").asText(),
              o.get("src").asText(),
              o.get("dst").asText(),
              o.path("agent").isNull() ? null : o.path("agent").asText(),
              Instant.parse(o.get("start").asText()),
              Instant.parse(o.get("end").asText()));
      e.reportedEnd = o.get("reportedEnd").asBoolean();
      e.touchedMillis = o.get("touched").asLong();
      e.omittedStreams = o.get("omitted").asInt();
      o.path("listeners").forEach(l -> e.listeners.add(l.asText()));
      o.get("streams")
          .fields()
          .forEachRemaining(
              f ->
                  e.streams.put(
                      f.getKey(),
                      new OpenEvent.Stream(
                          f.getValue().get(0).asLong(),
                          Verdict.fromWire(f.getValue().get(1).asText()),
                          f.getValue().get(2).asBoolean(),
                          f.getValue().path(3).asLong(0),
                          f.getValue().path(4).asLong(0))));
      events.add(e);
    }
    return events;
  }
}
