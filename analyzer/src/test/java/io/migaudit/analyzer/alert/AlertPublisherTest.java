package io.migaudit.analyzer.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migaudit.record.Alert;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class AlertPublisherTest {
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final AlertPublisher publisher = new AlertPublisher(producer);
  private final List<Alert> alerts = AlertWriterTest.alerts();

  @Test
  void sendsEachAlertKeyedByItsIdToTheAlertsTopic() throws Exception {
    publisher.write(alerts);
    publisher.flush();
    assertThat(producer.history()).hasSize(alerts.size());
    for (int i = 0; i < alerts.size(); i++) {
      ProducerRecord<byte[], byte[]> sent = producer.history().get(i);
      assertThat(sent.topic()).isEqualTo(Topics.ALERTS);
      assertThat(new String(sent.key(), StandardCharsets.UTF_8)).isEqualTo(alerts.get(i).alertId());
      assertThat(RecordJson.alert(sent.value())).isEqualTo(AlertWriterTest.asRead(alerts.get(i)));
    }
  }

  @Test
  void flushWaitsForAcknowledgements() {
    publisher.write(alerts);
    assertThat(producer.flushed()).isFalse();
    publisher.flush();
    assertThat(producer.flushed()).isTrue();
  }

  @Test
  void flushSurfacesAFailedSend() {
    publisher.write(alerts.subList(0, 2));
    producer.completeNext();
    producer.errorNext(new NotEnoughReplicasException("only 1 in-sync replica"));
    assertThatThrownBy(publisher::flush)
        .isInstanceOf(KafkaException.class)
        .hasMessage(
            "alert "
                + alerts.get(1).alertId()
                + " was not published to migaudit.alerts:"
                + " only 1 in-sync replica")
        .hasCauseInstanceOf(NotEnoughReplicasException.class);
  }

  @Test
  void aFailureIsReportedOnceAndLaterBatchesStartClean() {
    publisher.write(alerts.subList(0, 1));
    producer.errorNext(new NotEnoughReplicasException("down"));
    assertThatThrownBy(publisher::flush).isInstanceOf(KafkaException.class);
    publisher.write(alerts.subList(1, 2));
    publisher.flush();
  }

  @Test
  void closeClosesTheProducer() {
    publisher.close();
    assertThat(producer.closed()).isTrue();
  }
}
