package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * MIGAUDIT_LOG_FORMAT=json selects logback-json.xml: every event is one JSON object on one line.
 */
class JsonLogConfigTest {

  @Test
  void theConfiguredEncoderWritesOneJsonObjectPerEvent() throws Exception {
    LoggerContext context = new LoggerContext();
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(getClass().getResource("/logback-json.xml"));
      @SuppressWarnings("unchecked")
      OutputStreamAppender<ILoggingEvent> stderr =
          (OutputStreamAppender<ILoggingEvent>)
              context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
      Logger logger = context.getLogger("io.migaudit.cli.replay.Replay");
      LoggingEvent event =
          new LoggingEvent(
              Logger.class.getName(),
              logger,
              Level.WARN,
              "agent published {} flow records",
              null,
              new Object[] {42});
      String line = new String(stderr.getEncoder().encode(event), StandardCharsets.UTF_8);
      assertThat(line).endsWith("\n").doesNotContain("\n\n");
      JsonNode json = new ObjectMapper().readTree(line);
      assertThat(json.get("level").asText()).isEqualTo("WARN");
      assertThat(json.get("loggerName").asText()).isEqualTo("io.migaudit.cli.replay.Replay");
      assertThat(json.get("formattedMessage").asText())
          .isEqualTo("agent published 42 flow records");
      assertThat(logger.isDebugEnabled()).as("default level of io.migaudit").isFalse();
    } finally {
      context.stop();
    }
  }
}
