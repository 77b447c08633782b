/** The migaudit launcher: picocli commands that wire agent, Kafka and analyzer together. */
package io.migaudit.cli;
