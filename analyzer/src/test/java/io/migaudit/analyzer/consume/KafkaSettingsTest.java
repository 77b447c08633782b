package io.migaudit.analyzer.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {
  private static final Map<String, String> SECURE =
      Map.of(
          "security.protocol", "SASL_SSL",
          "sasl.mechanism", "SCRAM-SHA-512",
          "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");

  @Test
  void consumerCommitsManuallyFromTheEarliestOffsetAsTheAnalyzerGroup() {
    Map<String, Object> p = new KafkaSettings("broker:9092", Map.of()).consumerProperties();
    assertThat(p)
        .containsEntry(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
        .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "migaudit-analyzer")
        .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
        .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
        .containsEntry(
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())
        .containsEntry(
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())
        .doesNotContainKeys(ProducerConfig.ACKS_CONFIG, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
    assertThat(ConsumerConfig.configNames()).containsAll(p.keySet());
  }

  @Test
  void adminClientKeepsTheSecuritySettingsAndDropsWhatOnlyAConsumerTakes() {
    Map<String, Object> p = new KafkaSettings("broker:9092", SECURE).adminProperties("admin-x");
    assertThat(p)
        .containsEntry(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry(CommonClientConfigs.CLIENT_ID_CONFIG, "admin-x")
        .doesNotContainKeys(
            ConsumerConfig.GROUP_ID_CONFIG,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG);
  }

  @Test
  void producerWaitsForAllReplicasAndIsIdempotent() {
    Map<String, Object> p = new KafkaSettings("broker:9092", Map.of()).producerProperties();
    assertThat(p)
        .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
        .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
        .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
        .containsEntry(
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName())
        .containsEntry(
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName())
        .doesNotContainKeys(
            ConsumerConfig.GROUP_ID_CONFIG,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);
    assertThat(ProducerConfig.configNames()).containsAll(p.keySet());
  }

  @Test
  void securitySettingsPassThroughToBothClients() {
    KafkaSettings s = new KafkaSettings("broker:9093", SECURE);
    assertThat(s.consumerProperties()).containsAllEntriesOf(SECURE);
    assertThat(s.producerProperties()).containsAllEntriesOf(SECURE);
  }

  @Test
  void userSettingsOverrideDefaults() {
    KafkaSettings s =
        new KafkaSettings(
            null,
            Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "a:1,b:2",
                ConsumerConfig.GROUP_ID_CONFIG, "site-b-analyzers",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"));
    assertThat(s.consumerProperties())
        .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "site-b-analyzers")
        .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest")
        .containsEntry(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "a:1,b:2");
  }

  @Test
  void bootstrapArgumentWinsOverProperties() {
    KafkaSettings s =
        new KafkaSettings(
            "flag:9092", Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "file:9092"));
    assertThat(s.consumerProperties())
        .containsEntry(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "flag:9092");
  }

  @Test
  void settingsTheGuaranteesRestOnCannotBeChanged() {
    assertThatThrownBy(() -> new KafkaSettings("b:1", Map.of("enable.auto.commit", "true")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "enable.auto.commit=true is not allowed: the analyzer commits offsets itself,"
                + " after its outputs are written");
    assertThatThrownBy(() -> new KafkaSettings("b:1", Map.of("acks", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("acks=1 is not allowed");
    assertThatThrownBy(() -> new KafkaSettings("b:1", Map.of("enable.idempotence", "false")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void restatingAFixedSettingIsFine() {
    KafkaSettings s = new KafkaSettings("b:1", Map.of("acks", "-1", "enable.auto.commit", "FALSE"));
    assertThat(s.producerProperties()).containsEntry(ProducerConfig.ACKS_CONFIG, "all");
  }

  @Test
  void bootstrapServersAreRequired() {
    assertThatThrownBy(() -> new KafkaSettings(null, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no Kafka bootstrap servers given");
  }
}
