/**
 * What every command uses: user errors, Kafka client settings, the metrics server, settings files
 * and the capture files a user names.
 */
package io.migaudit.cli.common;
