/** {@code migaudit replay}: capture files through agent, Kafka and analyzer, then a summary. */
package io.migaudit.cli.replay;
